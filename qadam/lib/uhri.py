"""Parse a Universal Human Rights Index (uhri.ohchr.org) export, XLSX or CSV.

No export was at hand when this was written. ``DEFAULT_MAPPING`` follows the
column names of UHRI's "Export to Excel" as public tools that read it report
them, typo included ("Reccomending Body", "UPR Reccomending States"); each
field also accepts a few other spellings (``ALIASES``) used by other versions
and by hand-made sheets. Headers are compared ignoring case, spaces and
punctuation. Check the mapping against a real export before relying on it.

A caller may pass ``mapping`` (field → column name): it overrides the defaults
field by field, a column it names must exist (else ``ImportFormatError``
naming the column), and mapping a field to "" turns that field off.

UHRI cells that hold several values put one per line with a "- " bullet
("- Women & girls\\n- Children"); ";" on a single line is accepted too.

Rules:

* Only annotations that are recommendations are imported: when the ``Type``
  column is present and says something else ("Concerns/Observations", ...),
  the row is skipped and counted in ``document["skipped_not_recommendations"]``.
* An annotation about several countries is rejected (a ``RowProblem``): a
  Qadam recommendation has one State under review.
* ``Sdgs`` items ("- 16.3 - Promote the rule of law") become ``sdg-target``
  labels plus their goal; "- 16 - PEACE ..." an ``sdg-goal`` label.
* Session: the number in "UPR Session" ("- 34th session" → "34").
* A UPR text that starts with its paragraph number ("121.7 Ratify ...") gives
  ``number``; when the recommending-States column is empty, a UPR text's
  closing parentheses give the States.
* Duplicates: the same "OHCHR Annotation Id", or without one the same symbol
  and text, is rejected as "duplicate of row N".
* Dates (Excel serial or date cell) become ISO dates; the publication date
  goes to ``document["date"]`` when all rows share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from qadam.lib.records import LabelRef, ParsedRecommendation, ParseResult, RowProblem
from qadam.lib.states_text import (
    allowed_responses_message,
    clean_name,
    normalise_response,
    parse_sdg,
    sdg_labels,
    sdg_problem,
    split_recommendation,
    strip_bullet,
)
from qadam.lib.tabular import Table, read_table, split_multi

SOURCE = "uhri"

DEFAULT_MAPPING: dict[str, str] = {
    "text": "Text",  # the annotation (recommendation) text; required
    "mechanism": "Reccomending Body",  # "- UPR", "- CEDAW", "- SR on ..." (UHRI's typo)
    "document_symbol": "Document Symbol",  # "A/HRC/43/15", "CEDAW/C/KAZ/CO/5"
    "state_under_review": "Countries Concerned",  # "- Kazakhstan"
    "recommending_states": "UPR Reccomending States",  # "- France\n- Lithuania"
    "response": "UPR Position",  # "- Supported" / "- Noted"
    "session": "UPR Session",  # "- 34th session"
    "themes": "Themes",  # → ohchr-theme labels
    "groups": "Affected Persons",  # → ohchr-group labels
    "sdgs": "Sdgs",  # "- 16.3 - Promote the rule of law" → sdg-target/goal labels
    "date": "Document Publication Date",  # Excel serial or date
    "annotation_type": "Type",  # "- Recommendations", "- Concerns/Observations"
    "annotation_id": "OHCHR Annotation Id",  # UUID, used to spot duplicates
    "number": "Paragraph",  # not in UHRI exports; for hand-made sheets
}
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("Recommendation", "Annotation", "Recommendation text"),
    "mechanism": ("Recommending Body", "Body", "Mechanism"),
    "document_symbol": ("Symbol", "Document"),
    "state_under_review": ("Countries", "Country", "State under review", "State"),
    "recommending_states": (
        "UPR Recommending States",
        "Recommending States",
        "Recommending State(s)",
        "Recommending State",
    ),
    # Not a bare "Status": in hand-made sheets that is often implementation status.
    "response": ("Position", "Status/Position", "Response"),
    "session": ("Session",),
    "themes": ("Theme", "Human rights themes"),
    "groups": ("Affected persons", "Groups of persons", "Concerned groups"),
    "sdgs": ("SDG", "Sustainable Development Goals"),
    "date": ("Date", "Publication Date", "Document date"),
    "annotation_type": ("Annotation Type",),
    "annotation_id": ("Annotation Id", "AnnotationId", "Id"),
    "number": ("Para", "Number", "Recommendation number"),
}
REQUIRED = ("text",)
_UPR_NUMBER_RE = re.compile(r"^(\d{1,3}\.\d{1,3})\.?\s+(?=\S)")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, allowing for its 1900 leap-year bug
Problem = Callable[[str, str], None]  # (field, message) → records a RowProblem


def parse_uhri(data: bytes, filename: str, mapping: dict[str, str] | None = None) -> ParseResult:
    """Records from a UHRI export; ``mapping`` (field → column) overrides the defaults."""
    hint = [c for f in DEFAULT_MAPPING for c in (DEFAULT_MAPPING[f], *ALIASES[f])]
    table = read_table(data, filename, header_hint=[*hint, *(mapping or {}).values()])
    columns = resolve_columns(table, mapping)
    rows = _Rows(filename, {f: table.header[i] for f, i in columns.items()})
    result = ParseResult(problems=list(table.problems))
    skipped = 0
    dates: set[str] = set()
    for number, cells in table.rows:
        row = {f: cells[i].strip() for f, i in columns.items()}
        if not _is_recommendation(row.get("annotation_type", "")):
            skipped += 1
            continue
        record, problems = rows.parse(number, row)
        if problems:
            result.problems.extend(problems)
            continue
        result.records.append(record)
        dates.add(excel_date(row.get("date", "")))
    result.document = _document(result.records, skipped, dates)
    return result


def resolve_columns(table: Table, mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Field → column index, from the caller's mapping, the defaults and the aliases."""
    unknown = set(mapping or {}) - set(DEFAULT_MAPPING)
    if unknown:
        raise ValueError(f"unknown UHRI field(s) {sorted(unknown)}; known: {list(DEFAULT_MAPPING)}")
    columns: dict[str, int] = {}
    for field, default in DEFAULT_MAPPING.items():
        if mapping and field in mapping:
            if mapping[field]:
                columns[field] = table.require(mapping[field])
            continue
        index = table.find(default, *ALIASES[field])
        if index is None and field in REQUIRED:
            table.require(default)
        if index is not None:
            columns[field] = index
    return columns


def _is_recommendation(annotation_type: str) -> bool:
    kind = strip_bullet(annotation_type).lower()
    return not kind or "recommend" in kind


class _Rows:
    """Parses rows one by one; remembers earlier rows to spot duplicates."""

    def __init__(self, filename: str, column_names: dict[str, str]) -> None:
        self.filename = filename
        self.column_names = column_names  # field → the header as the file spells it
        self.seen: dict[tuple[str, ...], int] = {}

    def parse(
        self, number: int, row: dict[str, str]
    ) -> tuple[ParsedRecommendation, list[RowProblem]]:
        problems: list[RowProblem] = []

        def problem(field: str, message: str) -> None:
            column = self.column_names.get(field, field)
            problems.append(RowProblem(self.filename, number, column, message))

        record = _record(number, row, problem)
        duplicate_of = self._duplicate_of(number, row)
        if duplicate_of:
            field = "annotation_id" if row.get("annotation_id") else "text"
            problem(field, f"duplicate of row {duplicate_of}")
        return record, problems

    def _duplicate_of(self, number: int, row: dict[str, str]) -> int | None:
        if row.get("annotation_id"):
            key: tuple[str, ...] = ("id", row["annotation_id"].lower())
        else:
            text = " ".join(row.get("text", "").split())
            key = ("text", row.get("document_symbol", ""), text)
        if key in self.seen:
            return self.seen[key]
        self.seen[key] = number
        return None


def _record(number: int, row: dict[str, str], problem: Problem) -> ParsedRecommendation:
    mechanism = _first(row.get("mechanism", ""))
    text, paragraph, states = _text_parts(row.get("text", ""), mechanism)
    if not text:
        problem("text", "the recommendation text is empty")
    countries = split_multi(row.get("state_under_review", ""))
    if len(countries) > 1:
        problem("state_under_review", f"the annotation concerns several States: {countries}")
    response = normalise_response(strip_bullet(row.get("response", "")))
    if response is None:
        problem("response", allowed_responses_message(row.get("response", "")))
    listed = [clean_name(s) for s in split_multi(row.get("recommending_states", ""))]
    return ParsedRecommendation(
        row=number,
        text=text,
        number=row.get("number", "") or paragraph,
        response=response or "",
        recommending_states=listed or states,
        labels=_labels(row, problem),
        state_under_review=countries[0] if len(countries) == 1 else "",
        mechanism=mechanism,
        session=_session(row.get("session", "")),
        document_symbol=_first(row.get("document_symbol", "")),
    )


def _text_parts(raw: str, mechanism: str) -> tuple[str, str, list[str]]:
    """Text, UPR paragraph number and States named in the text (UPR only)."""
    text = " ".join(raw.split())
    if mechanism.upper() != "UPR":
        return text, "", []
    paragraph = ""
    match = _UPR_NUMBER_RE.match(text)
    if match:
        paragraph, text = match.group(1), text[match.end() :]
    if text.rstrip(" ;.").endswith(")"):
        text, states = split_recommendation(text)
        return text, paragraph, states
    return text, paragraph, []


def _labels(row: dict[str, str], problem: Problem) -> list[LabelRef]:
    codes = []
    for item in split_multi(row.get("sdgs", "")):
        parsed = parse_sdg(item)
        if parsed is None:
            problem("sdgs", sdg_problem(item))
        else:
            codes.append(parsed)
    labels = [LabelRef("ohchr-theme", t, SOURCE) for t in split_multi(row.get("themes", ""))]
    labels += [LabelRef("ohchr-group", g, SOURCE) for g in split_multi(row.get("groups", ""))]
    return labels + sdg_labels(codes, SOURCE)


def _first(cell: str) -> str:
    items = split_multi(cell)
    return items[0] if items else ""


def _session(cell: str) -> str:
    match = re.search(r"\d+", cell)
    return str(int(match.group())) if match else strip_bullet(cell)


def excel_date(value: str) -> str:
    """An ISO date from an Excel serial ("46078") or an ISO/other date text (kept)."""
    value = strip_bullet(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", value):
        return (_EXCEL_EPOCH + timedelta(days=int(float(value)))).isoformat()
    return value[:10] if re.match(r"\d{4}-\d\d-\d\d", value) else value


def _document(records: list[ParsedRecommendation], skipped: int, dates: set[str]) -> dict[str, str]:
    facts: dict[str, str] = {"source": "Universal Human Rights Index export"}
    for name in ("state_under_review", "document_symbol", "session", "mechanism"):
        values = {getattr(r, name) for r in records}
        if len(values) == 1 and "" not in values:
            facts[name if name != "document_symbol" else "symbol"] = values.pop()
    dates.discard("")
    if len(dates) == 1:
        facts["date"] = dates.pop()
    if skipped:
        facts["skipped_not_recommendations"] = str(skipped)
    return facts
