"""Tracking pages, one module per area: work (plans, actions, updates), imports, dashboards."""
