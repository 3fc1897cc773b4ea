"""Render {language: text} values in the reader's language, honestly.

``{% tr value %}`` (or ``{{ value|tr }}``) shows the text in the current language.
When it is missing and another language stands in, the text carries its real
``lang`` (so screen readers switch voice and browsers hyphenate correctly) and a
visible marker says which language it is and why.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qadam.lib.i18n import Picked, pick

register = template.Library()


def _fallback_messages() -> dict[tuple[str, str], str]:
    # Whole sentences per pair, because Kazakh and Russian inflect language
    # names differently after "in": a template with %(language)s would be wrong.
    return {
        ("kk", "en"): _("Not available in Kazakh; shown in English"),
        ("kk", "ru"): _("Not available in Kazakh; shown in Russian"),
        ("ru", "en"): _("Not available in Russian; shown in English"),
        ("ru", "kk"): _("Not available in Russian; shown in Kazakh"),
        ("en", "ru"): _("Not available in English; shown in Russian"),
        ("en", "kk"): _("Not available in English; shown in Kazakh"),
    }


def fallback_message(asked: str, shown: str) -> str:
    message = _fallback_messages().get((asked, shown))
    if message:
        return message
    return _("Not available in the chosen language; shown in the language coded %(code)s") % {
        "code": shown.upper()
    }


def _values(value: Any) -> dict[str, str] | None:
    """Accept a {lang: text} dict or an object with a translated ``name``."""
    if isinstance(value, dict):
        return value
    name = getattr(value, "name", None)
    return name if isinstance(name, dict) else None


def render_picked(picked: Picked, asked: str) -> SafeString:
    if not picked.fallback:
        return format_html("{}", picked.text)
    message = fallback_message(asked, picked.language)
    return format_html(
        '<span lang="{lang}">{text}</span> <span class="fallback" lang="{lang}" title="{msg}">'
        '<span aria-hidden="true">{code}</span>'
        '<span class="visually-hidden" lang="{asked}">{msg}</span></span>',
        lang=picked.language,
        text=picked.text,
        msg=message,
        code=picked.language.upper(),
        asked=asked,
    )


def _current_language() -> str:
    return get_language() or settings.LANGUAGE_CODE


@register.simple_tag(name="tr")
def tr_tag(value: Any) -> SafeString:
    """``{% tr rec.text %}`` or ``{% tr rec.text as text %}``."""
    language = _current_language()
    return render_picked(pick(_values(value), language), language)


@register.filter(name="tr")
def tr_filter(value: Any) -> SafeString:
    return tr_tag(value)


@register.filter
def tr_name(value: Any) -> SafeString:
    """A short name (state, term): its real ``lang`` when it falls back, but no
    marker, which would drown a list of names."""
    picked = pick(_values(value), _current_language())
    if not picked.fallback:
        return format_html("{}", picked.text)
    return format_html('<span lang="{}">{}</span>', picked.language, picked.text)


@register.filter
def term_short(term: Any) -> SafeString:
    """A term as a tag: SDG goals and targets by their number ("SDG 5.2"), whose
    full titles are sentences; every other term by its name."""
    taxonomy_code = getattr(getattr(term, "taxonomy", None), "code", "")
    if taxonomy_code.startswith("sdg"):
        return format_html("{}", _("SDG %(code)s") % {"code": term.code})
    return tr_name(term)


@register.filter
def tr_plain(value: Any) -> str:
    """The best text without markup, for attributes such as ``title``."""
    return pick(_values(value), _current_language()).text


# Each language named in itself, so that a reader finds theirs whatever the page's
# language is (not translatable on purpose).
AUTONYMS = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


@register.simple_tag
def language_choices() -> list[tuple[str, str, bool]]:
    """(code, own name, is current) for each configured language."""
    current = _current_language()
    return [
        (code, AUTONYMS.get(code, str(name)), code == current) for code, name in settings.LANGUAGES
    ]


@register.filter
def language_name(code: str) -> str:
    """The name of a language in the reader's language ("Kazakh", "Қазақ тілі")."""
    return str(dict(settings.LANGUAGES).get(code, code.upper()))
