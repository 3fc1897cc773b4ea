"""Small display helpers for registry pages."""

from __future__ import annotations

import re
from typing import Any

from django import template

register = template.Library()

# "womens-rights", "justice": made-up keys, not codes a reader knows (unlike "16.2", "D25").
_SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z]{4,}")


def is_slug(code: str) -> bool:
    return bool(_SLUG.fullmatch(code))


@register.filter
def reader_code(term: Any) -> str:
    """A term's code when it means something to a reader, else empty."""
    code = str(getattr(term, "code", ""))
    name = str(term.display_name()) if hasattr(term, "display_name") else ""
    return "" if is_slug(code) or code == name else code


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
