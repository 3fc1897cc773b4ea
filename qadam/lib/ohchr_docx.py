"""Parse an OHCHR "thematic list of recommendations" (DOCX) for a UPR review.

Two layouts are read, told apart by the table's header row:

* cycles 2 and 3 (e.g. Slovenia 2014 and 2019): *Recommendation* | *Position* |
  *Full list of themes* | *Assessment/comments ...*. The third cell lists the
  themes, then ``Affected persons:`` and ``- `` items. Cycle 2 prefixes each
  theme with an OHCHR code ("A12 Acceptance of international norms"); cycle 3
  uses ``- `` bullets and adds ``SDGs:`` and ``- 16 - PEACE, ...`` items.
* the current layout (2024 on): *Recommendation and recommending State* |
  *Position of the State under review* | *Human rights themes and groups of
  persons* | *Relevant SDGs*; groups follow ``Groups of Persons:``.

Columns are found by words in the header ("recommendation", "position",
"theme", "sdg"), so column order and extra columns do not matter. Rows that
span the whole table and start with "Theme:" set the cluster of the rows below.
A document may split the list over several tables; a table without a header
that has as many columns as the last list table continues it.

What becomes what:

* the first cell: number ("121.1"), text, recommending States (the closing
  parentheses, see ``states_text``) and ``Source of position: ...`` →
  ``source_of_position``; the symbol in it without "/Add.N" → ``document_symbol``;
* position → ``response`` (first line; any further lines → ``response_text``);
* themes → ``ohchr-theme``, groups (Affected persons / Groups of persons) →
  ``ohchr-group``, SDGs → ``sdg-goal`` (and ``sdg-target`` plus its goal for a
  target), all with source "ohchr" and the name as written;
* cycle-2 theme codes are cut from the names ("A12 Acceptance of international
  norms" → "Acceptance of international norms") and kept, code → name, as JSON
  in ``document["theme_codes"]``; no mapping between cycles is made here;
* the page header or heading paragraphs ("UPR of Slovenia (2nd Cycle – 20th
  session)") → state under review, session and cycle; mechanism is "UPR".

``row`` is the 1-based position of the table row among all table rows of the
document, header rows included. A row with a problem (no text, unknown
position, an SDG that is not a code, a repeated recommendation number) is
rejected with a ``RowProblem`` naming the column as the header does.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docx
from docx.table import Table as DocxTable

from qadam.lib.records import (
    ImportFormatError,
    LabelRef,
    ParsedRecommendation,
    ParseResult,
    RowProblem,
)
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
from qadam.lib.tabular import binary_kind

SOURCE = "ohchr"
_SOURCE_OF_POSITION = re.compile(r"^\s*source\s+of\s+position\s*:?\s*(?P<value>.*)$", re.I)
_NUMBER = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3})+)\.?\s+")
_THEME_ROW = re.compile(r"^\s*theme\s*:\s*(?P<name>.*)$", re.I | re.S)
_THEME_CODE = re.compile(r"^(?P<code>[A-Z]\d{1,2})\s+(?P<name>[A-Z].*)$")
_SECTION = re.compile(
    r"^(?P<name>affected persons|persons affected|groups? of persons|sdgs?|"
    r"sustainable development goals|(?:human rights )?themes?)\s*:\s*(?P<rest>.*)$",
    re.I,
)
_SYMBOL = re.compile(r"\bA/HRC/\d+/\d+\b")
_BULLETS = ("-", "–", "—", "•", "·")
_MAX_HEADER_CELL = 80

# python-docx raises these for a zip that is not a sound Word package.
_DOCX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    SyntaxError,  # lxml's XMLSyntaxError
)


def parse_ohchr_list(data: bytes, filename: str) -> ParseResult:
    """Records from an OHCHR thematic list; document facts from its headings."""
    document = open_docx(data, filename)
    facts = heading_facts(document)
    state = _ListState(filename, facts)
    row_number = 0
    # Body order matters: some lists put "Theme:" headings as paragraphs between
    # per-theme tables instead of as merged rows.
    for block in document.iter_inner_content():
        if not isinstance(block, DocxTable):
            state.take_paragraph(block.text)
            continue
        for row in block.rows:
            row_number += 1
            state.take_row(row_number, _unique_cell_texts(row))
        state.end_table()
    if not state.found_table:
        raise ImportFormatError(
            filename,
            "no thematic-list table: expected a table whose header row names "
            "'Recommendation' and 'Position'",
        )
    return state.result()


def open_docx(data: bytes, filename: str) -> Any:
    """A python-docx ``Document``, or ``ImportFormatError`` saying what the file is instead."""
    if not data.strip():
        raise ImportFormatError(filename, "the file is empty")
    if not data.startswith(b"PK"):
        kind = binary_kind(data) or "not a Word .docx file"
        raise ImportFormatError(
            filename, f"this is {kind}; expected an OHCHR thematic list (.docx)"
        )
    _check_package(data, filename)
    try:
        return docx.Document(io.BytesIO(data))
    except _DOCX_ERRORS as exc:
        raise ImportFormatError(filename, f"the .docx file cannot be read ({exc})") from exc


def _check_package(data: bytes, filename: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise ImportFormatError(
            filename, f"the .docx file is damaged or truncated ({exc})"
        ) from exc
    if "word/document.xml" not in names:
        what = "an Excel workbook" if "xl/workbook.xml" in names else "a zip archive"
        raise ImportFormatError(filename, f"this is {what}, not a Word .docx document")


def _unique_cell_texts(row: Any) -> list[str]:
    """Cell texts, a merged cell counted once (python-docx repeats spanned cells)."""
    seen: set[int] = set()
    texts = []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            texts.append(cell.text)
    return texts


# --- headings --------------------------------------------------------------

_STATE_END = r"\s*(?:\(|\t|\n|\s[-–—]\s|:|$)"
_STATE_PATTERNS = (
    re.compile(r"\bUPR\s+of\s+(?:the\s+)?(?P<state>[A-Z][^\t\n(]*?)" + _STATE_END, re.M),
    re.compile(
        r"Universal Periodic Review\s+(?:of\s+(?:the\s+)?|[-–—:]\s*)(?P<state>[A-Z][^\t\n(]*?)"
        + _STATE_END,
        re.M,
    ),
    re.compile(r"State under review\s*:\s*(?P<state>[^\t\n(]+)", re.I),
)
# Words that show a heading fragment is not a State's name ("Fourth cycle").
_NOT_A_STATE = re.compile(r"\b(cycle|session|review|recommendations?|thematic|list)\b", re.I)
_SESSION = re.compile(
    r"(?P<n>\d{1,2})(?:st|nd|rd|th)?\s+session\b|\bsession\s+(?P<m>\d{1,2})\b", re.I
)
_CYCLE = re.compile(r"(?P<n>\d)(?:st|nd|rd|th)?\s+cycle\b|\bcycle\s+(?P<m>\d)\b", re.I)
_TITLE_SESSION = re.compile(r"(?<![A-Za-z])UPR\s*(?P<n>\d{1,2})(?!\d)", re.I)


def heading_facts(document: Any) -> dict[str, str]:
    """State under review, session, cycle and symbol from headers and heading paragraphs."""
    texts = _heading_texts(document)
    joined = "\n".join(texts)
    facts: dict[str, str] = {"mechanism": "UPR"}
    state = _state_under_review(joined)
    if state:
        facts["state_under_review"] = state
    for key, pattern in (("session", _SESSION), ("cycle", _CYCLE)):
        match = pattern.search(joined)
        if match:
            facts[key] = str(int(match["n"] or match["m"]))
    title = document.core_properties.title or ""
    title_session = _TITLE_SESSION.search(title)
    if "session" not in facts and title_session:
        facts["session"] = str(int(title_session["n"]))
    symbol = _SYMBOL.search(joined)
    if symbol:
        facts["symbol"] = symbol.group()
    return facts


def _state_under_review(text: str) -> str:
    for pattern in _STATE_PATTERNS:
        for match in pattern.finditer(text):
            name = clean_name(match["state"])
            if name and not _NOT_A_STATE.search(name):
                return name
    return ""


def _heading_texts(document: Any) -> list[str]:
    """Body paragraphs (the headings come before the table) and page-header paragraphs."""
    texts = [p.text for p in document.paragraphs[:40] if p.text.strip()]
    for section in document.sections:
        for header in (section.first_page_header, section.header, section.even_page_header):
            if not header.is_linked_to_previous:
                texts.extend(p.text for p in header.paragraphs if p.text.strip())
    return texts


# --- the list --------------------------------------------------------------


@dataclass
class _Columns:
    """Which cell holds what, by the words of the header row."""

    width: int
    names: list[str]
    recommendation: int
    position: int
    themes: int | None
    sdgs: int | None

    @property
    def layout(self) -> str:
        return "2024" if self.sdgs is not None else "cycle-2/3"


def columns_from_header(cells: list[str]) -> _Columns | None:
    """``_Columns`` if ``cells`` is a thematic-list header row, else ``None``."""
    keys = [" ".join(c.lower().split()) for c in cells]
    if any(len(key) > _MAX_HEADER_CELL for key in keys) or _NUMBER.match(keys[0] if keys else ""):
        return None  # a recommendation row that happens to say "position"

    def find(word: str) -> int | None:
        return next((i for i, key in enumerate(keys) if word in key), None)

    recommendation, position = find("recommendation"), find("position")
    if recommendation is None or position is None or recommendation == position:
        return None
    names = [" ".join(c.split()) for c in cells]
    return _Columns(len(cells), names, recommendation, position, find("theme"), find("sdg"))


@dataclass
class _ListState:
    """Walks the table rows in order, keeping the header and the current cluster."""

    filename: str
    facts: dict[str, str]
    columns: _Columns | None = None
    in_list_table: bool = False
    found_table: bool = False
    cluster: str = ""
    records: list[ParsedRecommendation] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    theme_codes: dict[str, str] = field(default_factory=dict)
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)

    def take_row(self, number: int, cells: list[str]) -> None:
        header = columns_from_header(cells)
        if header is not None:
            self.columns, self.in_list_table, self.found_table = header, True, True
            return
        if not self._continues_list(cells) or not any(c.strip() for c in cells):
            return
        theme = _THEME_ROW.match(cells[0])
        if theme and all(not c.strip() or c == cells[0] for c in cells[1:]):
            self.cluster = self._theme_name(theme["name"])
        elif len(cells) > 1:
            self._take_recommendation(number, cells)

    def take_paragraph(self, text: str) -> None:
        theme = _THEME_ROW.match(text)
        if theme:
            self.cluster = self._theme_name(theme["name"])

    def _continues_list(self, cells: list[str]) -> bool:
        if self.columns is None:
            return False
        if not self.in_list_table:
            # A new table without a header continues the list if it has its shape.
            self.in_list_table = len(cells) in (1, self.columns.width)
        return self.in_list_table

    def end_table(self) -> None:
        self.in_list_table = False

    def _theme_name(self, raw: str) -> str:
        name = clean_name(raw)
        match = _THEME_CODE.match(name)
        if match:
            self.theme_codes.setdefault(match["code"], match["name"])
            return match["name"]
        return name

    def _take_recommendation(self, number: int, cells: list[str]) -> None:
        assert self.columns is not None
        parsed = _RowParser(self.columns, cells, self._theme_name)
        record = parsed.record(number, self.cluster, self.facts)
        problems = parsed.problems + self._duplicate(number, record)
        for column, message in problems:
            self.problems.append(RowProblem(self.filename, number, column, message))
        if not problems:
            self.records.append(record)

    def _duplicate(self, number: int, record: ParsedRecommendation) -> list[tuple[str, str]]:
        if record.number:
            key: tuple[str, ...] = ("number", record.number)
        else:
            key = ("text", record.text.casefold(), *record.recommending_states)
        assert self.columns is not None
        if key in self.seen:
            column = self.columns.names[self.columns.recommendation]
            return [(column, f"duplicate of row {self.seen[key]}")]
        self.seen[key] = number
        return []

    def result(self) -> ParseResult:
        facts = dict(self.facts)
        if self.columns is not None:
            facts["layout"] = self.columns.layout
        if "symbol" not in facts:
            symbols = Counter(r.document_symbol for r in self.records if r.document_symbol)
            if symbols:
                facts["symbol"] = symbols.most_common(1)[0][0]
        if self.theme_codes:
            facts["theme_codes"] = json.dumps(self.theme_codes, ensure_ascii=False)
        for record in self.records:
            record.document_symbol = record.document_symbol or facts.get("symbol", "")
        return ParseResult(self.records, self.problems, facts)


class _RowParser:
    """One recommendation row: its cells in, a record and (column, message) problems out."""

    def __init__(
        self, columns: _Columns, cells: list[str], theme_name: Callable[[str], str]
    ) -> None:
        self.columns = columns
        self.cells = cells + [""] * (columns.width - len(cells))
        self.theme_name = theme_name
        self.problems: list[tuple[str, str]] = []

    def cell(self, index: int | None) -> str:
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def problem(self, index: int | None, message: str) -> None:
        name = self.columns.names[index] if index is not None else "?"
        self.problems.append((name, message))

    def record(self, number: int, cluster: str, facts: dict[str, str]) -> ParsedRecommendation:
        columns = self.columns
        lines, source = _split_source(self.cell(columns.recommendation))
        paragraph, text, states = _recommendation_parts(" ".join(lines))
        if not text:
            self.problem(columns.recommendation, "the recommendation text is empty")
        position_lines, position_source = _split_source(self.cell(columns.position))
        response, response_text = self._response(position_lines)
        source = source or position_source
        symbol = _SYMBOL.search(source)
        return ParsedRecommendation(
            row=number,
            text=text,
            number=paragraph,
            response=response,
            response_text=response_text,
            recommending_states=states,
            labels=self._labels(),
            state_under_review=facts.get("state_under_review", ""),
            mechanism="UPR",
            session=facts.get("session", ""),
            document_symbol=symbol.group() if symbol else "",
            cluster=cluster,
            source_of_position=source,
        )

    def _response(self, lines: list[str]) -> tuple[str, str]:
        position = lines[0] if lines else ""
        response = normalise_response(position)
        if response is None:
            self.problem(self.columns.position, allowed_responses_message(position))
        return response or "", " ".join(lines[1:])

    def _labels(self) -> list[LabelRef]:
        sections = _sections(self.cell(self.columns.themes), default="themes")
        sdg_items = sections["sdgs"] + _sections(self.cell(self.columns.sdgs), "sdgs")["sdgs"]
        labels = [
            LabelRef("ohchr-theme", self.theme_name(name), SOURCE) for name in sections["themes"]
        ]
        labels += [LabelRef("ohchr-group", name, SOURCE) for name in sections["groups"]]
        codes = []
        for item in sdg_items:
            parsed = parse_sdg(item)
            if parsed is None:
                where = self.columns.sdgs if self.columns.sdgs is not None else self.columns.themes
                self.problem(where, sdg_problem(item))
            else:
                codes.append(parsed)
        return list(dict.fromkeys(labels + sdg_labels(codes, SOURCE)))


def _split_source(cell: str) -> tuple[list[str], str]:
    """Non-blank lines of a cell, and the value of its "Source of position" line."""
    lines, source = [], ""
    for line in cell.splitlines():
        match = _SOURCE_OF_POSITION.match(line)
        if match:
            source = source or clean_name(match["value"])
        elif line.strip():
            lines.append(clean_name(line))
    return lines, source


def _recommendation_parts(cell_text: str) -> tuple[str, str, list[str]]:
    """Number, text and recommending States of "121.1 Ratify X (France) (Lithuania);"."""
    text = clean_name(cell_text)
    match = _NUMBER.match(text)
    number = match["number"] if match else ""
    body, states = split_recommendation(text[match.end() :] if match else text)
    return number, body, states


def _sections(cell: str, default: str) -> dict[str, list[str]]:
    """Items of a themes/groups/SDGs cell, by section; a wrapped bullet item is rejoined."""
    sections: dict[str, list[str]] = {"themes": [], "groups": [], "sdgs": []}
    current, bulleted = default, False
    for raw in cell.splitlines():
        line = clean_name(raw)
        heading = _SECTION.match(line)
        if heading:
            current, bulleted = _section_key(heading["name"]), False
            line = heading["rest"].strip()
        if not line:
            continue
        is_bullet = line.startswith(_BULLETS)
        items = sections[current]
        if bulleted and not is_bullet and items:
            items[-1] = f"{items[-1]} {line}"
        else:
            items.append(strip_bullet(line))
            bulleted = is_bullet
    return {key: list(dict.fromkeys(v for v in values if v)) for key, values in sections.items()}


def _section_key(name: str) -> str:
    name = name.lower()
    if "sdg" in name or "sustainable" in name:
        return "sdgs"
    if "theme" in name:
        return "themes"
    return "groups"
