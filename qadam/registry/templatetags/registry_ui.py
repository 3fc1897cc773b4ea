"""Small display helpers for registry pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def change_summary(value: Any) -> str:
    """An audit change: ``[old, new]`` pairs read "old → new"; other facts as they are."""
    if isinstance(value, list | tuple) and len(value) == 2:
        old, new = (_show(v) for v in value)
        return f"{old} → {new}"
    return _show(value)


def _show(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
