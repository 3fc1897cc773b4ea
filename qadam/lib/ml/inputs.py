"""What labelling does with text it cannot or should not read whole."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Scripts the models have seen: Latin (English) and Cyrillic (Russian, Kazakh).
SUPPORTED_SCRIPTS = ("LATIN", "CYRILLIC")


@dataclass(frozen=True)
class Checked:
    """The text labelling will read, and why it reads less than it was given, if so.

    problem: "" (fine), "empty", "unsupported-script" or "truncated"; a truncated text is
    still labelled, the others are not."""

    text: str
    problem: str = ""

    @property
    def usable(self) -> bool:
        return self.problem in ("", "truncated")


def check_text(text: object, max_chars: int) -> Checked:
    if not isinstance(text, str) or not text.strip():
        return Checked("", "empty")
    if len(text) > max_chars:
        return (
            Checked(text[:max_chars], "truncated")
            if _readable(text[:max_chars])
            else (Checked("", "unsupported-script"))
        )
    return Checked(text) if _readable(text) else Checked("", "unsupported-script")


def guess_language(text: str) -> str:
    """ "kk" when a Kazakh-only letter appears, "ru" for other Cyrillic, else "en"."""
    if any(ch in "әғқңөұүһіӘҒҚҢӨҰҮҺІ" for ch in text):
        return "kk"
    cyrillic = sum(1 for ch in text[:2000] if "\u0400" <= ch <= "\u04ff")
    return "ru" if cyrillic > 0.3 * max(1, sum(ch.isalpha() for ch in text[:2000])) else "en"


def _readable(text: str) -> bool:
    """At least half of the letters are Latin or Cyrillic."""
    letters = [ch for ch in text[:5000] if ch.isalpha()]
    if not letters:
        return False
    known = sum(1 for ch in letters if unicodedata.name(ch, "").startswith(SUPPORTED_SCRIPTS))
    return known * 2 >= len(letters)
