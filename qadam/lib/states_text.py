"""Text helpers shared by the recommendation parsers (no I/O, no Django).

* recommending States from the parentheses that close a UPR recommendation:
  ``"Ratify X (Maldives) (Portugal);"``, ``"Ratify X (Brazil, Chile)"``, nested
  names such as ``"(Iran (Islamic Republic of))"``, and merged formulations
  ``"Do A (Ukraine); Do B (Slovakia);"``;
* a State's position ("Supported", "Accepted", "Noted", ...) to one of
  ``records.RESPONSES``;
* SDG codes ("16", "16.3", "- 16 - PEACE, JUSTICE ...") to labels.

Telling a State's parentheses from other parentheses is a heuristic (there is
no State list here on purpose: names change, e.g. "Turkey"/"Türkiye"). The
*last* group of a recommendation is always taken as States, because that is
the format; earlier groups count only if every name in them looks like a State
name (capitalised words, no digits, no acronym, no treaty words), so that
``"(No. 29) (United Kingdom ...)"`` and ``"(ICRMW) (Iran (Islamic Republic of))"``
keep their first group in the text.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from typing import TypeVar

from qadam.lib.records import RESPONSES, LabelRef

# Lower-case words that occur inside UN State names ("Bosnia and Herzegovina",
# "the former Yugoslav Republic of Macedonia", "Côte d’Ivoire").
_NAME_CONNECTORS = frozenset(
    {"of", "and", "the", "former", "da", "de", "del", "des", "du", "la", "le", "et", "y", "&"}
)
# Words that never occur in a State name but do occur in parentheses in texts.
_NOT_STATE_WORDS = frozenset(
    {
        "act",
        "agenda",
        "article",
        "assembly",
        "code",
        "commission",
        "committee",
        "convention",
        "council",
        "court",
        "covenant",
        "declaration",
        "goal",
        "goals",
        "law",
        "office",
        "organization",
        "para",
        "paragraph",
        "plan",
        "principles",
        "program",
        "programme",
        "protocol",
        "rights",
        "strategy",
        "treaty",
    }
)
_MAX_STATE_NAME = 70  # longest UN name is ~52 characters
_TRAILING_JUNK = " \t\r\n;.,:"
_H = TypeVar("_H", bound=Hashable)


def split_states(text: str) -> list[str]:
    """The recommending States named in ``text`` (see ``split_recommendation``)."""
    return split_recommendation(text)[1]


def split_recommendation(text: str) -> tuple[str, list[str]]:
    """Split a recommendation into its text and its recommending States.

    The States' parentheses that close the recommendation are removed from the
    text; those closing an earlier merged formulation (``"... (Ukraine); ..."``)
    stay in the text, since they are part of what the report says, but their
    States are collected. States are deduplicated, in order of appearance.
    """
    body = text.strip().rstrip(_TRAILING_JUNK)
    body, last = _take_state_groups(body, require_state_like=False)
    states: list[str] = []
    for segment in _earlier_segments(body):
        _, found = _take_state_groups(segment, require_state_like=True)
        states.extend(found)
    states.extend(last)
    return body.rstrip(_TRAILING_JUNK), _dedupe(states)


def _earlier_segments(body: str) -> list[str]:
    """The parts of ``body`` that end just before a ``";"`` following a ``")"``."""
    return [body[: m.start() + 1] for m in re.finditer(r"\)\s*;", body)]


def _take_state_groups(text: str, require_state_like: bool) -> tuple[str, list[str]]:
    """Peel State groups off the end of ``text``; return the rest and the States.

    Groups are read right to left; the first (rightmost) one is accepted
    unconditionally unless ``require_state_like``, later ones only if they
    look like State names.
    """
    rest = text.rstrip()
    groups: list[list[str]] = []
    while rest.endswith(")"):
        start = _matching_open(rest)
        if start is None:
            break
        names = _split_top_level(rest[start + 1 : -1])
        unconditional = not groups and not require_state_like
        if not names or not (unconditional or all(_looks_like_state(n) for n in names)):
            break
        groups.append(names)
        rest = rest[:start].rstrip()
    states = [name for group in reversed(groups) for name in group]
    return rest, states


def _matching_open(text: str) -> int | None:
    """Index of the ``(`` that matches the ``)`` ending ``text``."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return i
    return None


def _split_top_level(inner: str) -> list[str]:
    """Split on commas outside nested parentheses: keeps "Venezuela (Bolivarian Republic of)"."""
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for char in inner:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return [clean_name(n) for n in names if clean_name(n)]


def _looks_like_state(name: str) -> bool:
    if len(name) > _MAX_STATE_NAME or re.search(r"\d", name):
        return False
    words = re.sub(r"[()]", " ", name).split()
    if not words or any(w.lower().strip(".") in _NOT_STATE_WORDS for w in words):
        return False
    if any(len(w) > 1 and w.isupper() for w in words):  # an acronym: "ICRMW", "NHRI"
        return False
    if not (words[0][0].isupper() or words[0] == "the"):
        return False
    return all(_state_word(w) for w in words)


def _state_word(word: str) -> bool:
    if word.lower() in _NAME_CONNECTORS:
        return True
    if word[:2] in ("d’", "d'"):  # Côte d’Ivoire
        return True
    return word[0].isupper()


def clean_name(text: str) -> str:
    """Collapse whitespace (incl. no-break spaces) and trim list punctuation."""
    return " ".join(text.replace("\u00a0", " ").split()).strip(" ;,")


def _dedupe(items: Iterable[_H]) -> list[_H]:
    return list(dict.fromkeys(items))


# --- responses -------------------------------------------------------------

# Spellings seen in OHCHR lists, UPR Info, UHRI and hand-made sheets. Keys are
# lower-cased, with runs of spaces, "_" and "-" collapsed to one space.
RESPONSE_ALIASES: dict[str, str] = {
    "supported": "supported",
    "accepted": "supported",
    "accept": "supported",
    "support": "supported",
    "supported in part": "supported-in-part",
    "partially supported": "supported-in-part",
    "partially accepted": "supported-in-part",
    "supported partially": "supported-in-part",
    "supported/noted": "supported-in-part",
    "supported / noted": "supported-in-part",
    "noted": "noted",
    "not supported": "noted",
    "not accepted": "noted",
    "rejected": "noted",
    "took note": "noted",
    "pending": "pending",
    "pending response": "pending",
    "under consideration": "pending",
    "deferred": "pending",
}


def normalise_response(value: str) -> str | None:
    """Map a position to ``records.RESPONSES``; ``""`` for blank, ``None`` if unknown."""
    key = re.sub(r"[\s_\-]+", " ", value.strip().lower()).strip(" .-")
    if not key:
        return ""
    return RESPONSE_ALIASES.get(key)


def allowed_responses_message(value: str) -> str:
    """The row-problem text for a position that ``normalise_response`` rejects."""
    return (
        f"unknown response {value.strip()!r}; allowed: {', '.join(RESPONSES)} "
        "(or Accepted, Noted, Supported in part, left blank)"
    )


# --- SDG codes -------------------------------------------------------------

# "16", "16.3", "16.a", "SDG 16", "Goal 16", optionally followed by a title:
# "16 - PEACE, JUSTICE AND STRONG INSTITUTIONS", "16.3 - Promote the rule of law".
_SDG_RE = re.compile(
    r"^(?:SDG|Goal)?\s*(?P<goal>\d{1,2})(?:\.(?P<target>\d{1,2}|[a-z]))?"
    r"(?:\s*(?:[-–—:]|\s)\s*.*|\.)?$",
    re.IGNORECASE,
)
SDG_GOALS = range(1, 18)


def parse_sdg(item: str) -> tuple[str, str] | None:
    """``("sdg-goal", "16")`` or ``("sdg-target", "16.3")``; ``None`` if not a code."""
    text = strip_bullet(item)
    match = _SDG_RE.match(text)
    if not match or int(match["goal"]) not in SDG_GOALS:
        return None
    goal = str(int(match["goal"]))
    if match["target"] is None:
        return ("sdg-goal", goal)
    target = match["target"].lower()
    target = str(int(target)) if target.isdigit() else target
    return ("sdg-target", f"{goal}.{target}")


def sdg_problem(item: str) -> str:
    """The row-problem text for an item that ``parse_sdg`` rejects."""
    return (
        f"{strip_bullet(item)!r} is not an SDG code: expected a goal 1–17 such as '16' "
        "or a target such as '16.3'"
    )


def sdg_labels(codes: Iterable[tuple[str, str]], source: str) -> list[LabelRef]:
    """Labels for parsed SDG codes; a target also yields its goal (16.3 → 16).

    The implied goal is added because a recommendation about a target is about
    its goal too, and filtering by goal should find it.
    """
    labels: list[LabelRef] = []
    for taxonomy, code in codes:
        if taxonomy == "sdg-target":
            labels.append(LabelRef("sdg-goal", code.split(".")[0], source))
        labels.append(LabelRef(taxonomy, code, source))
    return _dedupe(labels)


def strip_bullet(item: str) -> str:
    """``"- Women & girls"`` → ``"Women & girls"`` (also •, –, — and no-break spaces)."""
    return re.sub(r"^[\s\-–—•·*]+", "", clean_name(item)).strip()
