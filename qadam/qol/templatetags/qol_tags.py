"""Small filters for the standard's pages: texts per language, and dict lookups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import get_language

from qadam.lib.i18n import pick

register = template.Library()


@register.filter
def pick_text(texts: Mapping[str, str] | None) -> str:
    return pick(dict(texts or {}), get_language() or "en").text


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key)
