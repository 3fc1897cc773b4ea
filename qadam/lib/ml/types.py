"""The shapes every labelling component speaks: a suggestion and the reasons behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

# The taxonomy codes of the built-in taxonomies, as `qadam classify` writes them.
SDG_GOAL = "sdg-goal"
SDG_TARGET = "sdg-target"
OHCHR_THEME = "ohchr-theme"
OHCHR_GROUP = "ohchr-group"
UPR_INFO_ISSUE = "upr-info-issue"
BUILT_IN = (SDG_GOAL, SDG_TARGET, OHCHR_THEME, OHCHR_GROUP, UPR_INFO_ISSUE)


@dataclass(frozen=True)
class Reason:
    """Something a person can check: the words that weighed, a query that matched,
    a title the text resembles, or an already-labelled recommendation like it.

    kind: "terms" (detail = the words, comma-separated), "query" (detail = the query's
    id and the words it matched), "title" (detail = the term title it resembles) or
    "similar" (detail = a text snippet; ref = the labelled example's id).
    """

    kind: str
    detail: str
    weight: float = 0.0
    ref: str = ""


@dataclass(frozen=True)
class Suggestion:
    """One term for one text: a calibrated probability and why."""

    taxonomy: str
    term: str
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


class ModelFileError(Exception):
    """A model file is missing or unreadable; names the file and the way out."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}. Run `qadam train` to rebuild the models.")
