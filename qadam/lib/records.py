"""The contract between every recommendation parser and the registry importer.

Parsers turn a file (bytes) into ``ParsedRecommendation`` records and never touch
the database; the registry importer resolves names to rows and writes them in one
transaction. Keeping that seam pure lets ``qadam import --dry-run --format jsonl``
run on any file without a database, and lets each parser be tested on bytes alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Taxonomy codes a parser may emit. The registry knows them as Taxonomy.code.
TAXONOMIES = ("sdg-goal", "sdg-target", "ohchr-theme", "ohchr-group", "upr-info-issue")

# Normalised responses. "" means the source says nothing about the response.
RESPONSES = ("supported", "supported-in-part", "noted", "pending")

# Where a label was found; the registry stores it as the label's provenance source.
SOURCES = ("upr-info", "ohchr", "uhri", "template", "upr-report")


@dataclass(frozen=True)
class LabelRef:
    """A label as the source names it: a taxonomy and a code or a verbatim name."""

    taxonomy: str
    term: str
    source: str

    def to_json(self) -> dict[str, str]:
        return {"taxonomy": self.taxonomy, "term": self.term, "source": self.source}


@dataclass
class ParsedRecommendation:
    """One recommendation as found in a source file, before any database lookup.

    ``row`` locates it in the file (line, table row or paragraph, 1-based) so that
    every later error can name file, row and field.
    """

    row: int
    text: str
    number: str = ""
    response: str = ""
    response_text: str = ""
    recommending_states: list[str] = field(default_factory=list)
    labels: list[LabelRef] = field(default_factory=list)
    # Context that a row may carry; a parser fills what its format has.
    state_under_review: str = ""
    mechanism: str = ""  # "UPR", "CESCR", ... ; "" when the file does not say
    session: str = ""  # UPR session number as text, e.g. "20"
    document_symbol: str = ""  # e.g. "A/HRC/28/10"
    cluster: str = ""  # OHCHR "Theme:" heading, or a template's cluster column
    action_category: str = ""  # UPR Info action category "1".."5"
    source_of_position: str = ""  # e.g. "A/HRC/59/15/Add.1 - Para.3"
    language: str = "en"

    def to_json(self) -> dict[str, Any]:
        """The documented dry-run shape, plus the context fields that are set."""
        out: dict[str, Any] = {
            "number": self.number,
            "text": self.text,
            "response": self.response,
            "recommending_states": list(self.recommending_states),
            "labels": [label.to_json() for label in self.labels],
        }
        for name in (
            "response_text",
            "state_under_review",
            "mechanism",
            "session",
            "document_symbol",
            "cluster",
            "action_category",
            "source_of_position",
        ):
            value = getattr(self, name)
            if value:
                out[name] = value
        out["language"] = self.language
        out["row"] = self.row
        return out


@dataclass(frozen=True)
class RowProblem:
    """A problem with one row: the row is rejected, the rest of the file may go on."""

    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, field {self.field}: {self.message}"


class ImportFormatError(Exception):
    """The file as a whole cannot be read: wrong format, empty, truncated, too large.

    Always names the file, and the row and field where that makes sense.
    """

    def __init__(self, file: str, message: str, row: int = 0, field: str = "") -> None:
        self.file = file
        self.row = row
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f", row {self.row}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


@dataclass
class ParseResult:
    """What a parser found: the records, the rows it rejected, and document facts."""

    records: list[ParsedRecommendation] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    # Facts about the whole document, e.g. {"symbol": "A/HRC/28/10",
    # "state_under_review": "Kazakhstan", "session": "20", "date": "2014-12-12"}.
    document: dict[str, str] = field(default_factory=dict)
