"""Text normalisation and similarity shared by the importers.

Sources spell the same recommendation with different quotes, dashes, ligatures,
line wraps, capitalisation and final punctuation; UPR Info even drops accents.
``normalise_for_match`` folds all of that away so that equal texts compare equal;
it is for comparing, never for display.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

_QUOTE_FOLD = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "•": " ",
        "\u00ad": "",  # soft hyphen: invisible in print, present in extractions
        "\u200b": "",
        "\ufeff": "",
    }
)
_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s.,;:!?\-'\"]+$")
_LEADING = re.compile(r"^[\s.,;:\-'\"]+")
_TOKEN = re.compile(r"\w+")
_HYPHEN_SPACE = re.compile(r"\s*-\s*")


def fold_typography(text: str) -> str:
    """Ligatures, compatibility forms, curly quotes and dashes become plain ASCII-ish."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTE_FOLD)


def strip_latin_accents(text: str) -> str:
    """``Côte`` -> ``Cote``; Cyrillic letters such as ``й`` and ``ё`` stay whole.

    Only combining marks that sit on an ASCII letter are dropped, so Kazakh and
    Russian text keeps its letters while French and Spanish names fold.
    """
    if text.isascii():
        return text
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def collapse_whitespace(text: str) -> str:
    """All runs of whitespace (including line breaks and NBSP) become one space."""
    return _SPACES.sub(" ", text).strip()


def normalise_for_match(text: str) -> str:
    """A comparison key: lower case, folded typography and accents, one space,
    no leading or trailing punctuation."""
    folded = strip_latin_accents(fold_typography(text)).casefold()
    folded = _HYPHEN_SPACE.sub("-", folded)
    folded = collapse_whitespace(folded)
    folded = _TRAILING.sub("", folded)
    return _LEADING.sub("", folded)


def tokens(text: str) -> list[str]:
    """Word tokens of the normalised text."""
    return _TOKEN.findall(normalise_for_match(text))


def similarity(a: str, b: str) -> float:
    """Similarity of two texts in [0, 1]: difflib's ratio on the normalised texts.

    Character-level, so it tolerates typos, hyphenation and small edits but still
    drops fast when one text is only half of the other.
    """
    left, right = normalise_for_match(a), normalise_for_match(b)
    if not left and not right:
        return 1.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def token_set_ratio(a: str, b: str) -> float:
    """Share of the smaller token set found in the larger one, in [0, 1].

    1.0 when one text's words are a subset of the other's; useful to spot a
    recommendation that another source split in two or merged with a neighbour.
    """
    left, right = set(tokens(a)), set(tokens(b))
    if not left or not right:
        return 1.0 if left == right else 0.0
    return len(left & right) / min(len(left), len(right))


def capitalise_first(text: str) -> str:
    """Upper-case the first letter only (``to ratify ...`` -> ``To ratify ...``)."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1 :]
    return text
