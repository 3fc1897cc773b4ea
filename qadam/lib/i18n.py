"""Pick the best text out of a {language: text} mapping, saying when it fell back."""

from __future__ import annotations

from typing import NamedTuple

# The order in which we fall back when the asked language is missing. English first,
# because most UN source texts exist in English; Russian next, because most official
# texts in Kazakhstan exist in Russian.
FALLBACK_ORDER = ("en", "ru", "kk")


class Picked(NamedTuple):
    text: str
    language: str  # the language the text is really in
    fallback: bool  # True when that is not the language asked for


def pick(values: dict[str, str] | None, language: str) -> Picked:
    """Return the text in ``language`` or the first available fallback."""
    values = values or {}
    if values.get(language):
        return Picked(values[language], language, False)
    for lang in FALLBACK_ORDER:
        if values.get(lang):
            return Picked(values[lang], lang, True)
    for lang, text in values.items():
        if text:
            return Picked(text, lang, True)
    return Picked("", language, False)
