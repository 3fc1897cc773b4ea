"""Qadam: track how a country implements the recommendations it receives."""
