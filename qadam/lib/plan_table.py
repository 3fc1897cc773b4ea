"""Read a plan of action (XLSX or CSV) into records, one per activity.

Two layouts are read:

* **the government's own layout**, as in the 2022 Follow-up Plan for Human Rights
  and the Rule of Law: No. · Name · Outcome · Implementation timeframe · Agencies
  in charge, with headers in English, Russian or Kazakh. Title rows may sit above
  the header, the header may span two rows (merged cells, e.g. "Agencies in
  charge" over "Lead" and "Co-executors"), a row of column numbers (1 2 3 4 5) may
  follow it, and section headings (a row with one merged cell) may split the
  activities. The header is the top row that names the most known columns.
* **Qadam's plan template** (``PLAN_COLUMNS``; ``build_plan_template_xlsx``),
  which adds translations, an exact deadline, budgets, recommendation and cluster
  links and a status.

Nothing here resolves names: agencies stay text (with the "(as agreed)" remark
turned into a flag), timeframes stay text, recommendation references stay
``SYMBOL NUMBER`` pairs. ``qadam.tracking.importing`` resolves them.

Missing cells are not errors: an activity without outcome, agencies or timeframe
is kept and flagged (``FLAGS``), so that a plan can be imported as published and
completed later. Problems that make a row unusable (no name, no number, a bad
date in the template) are ``PlanProblem``s; problems with the whole file raise
``PlanTableError``. Both carry a ``code`` and ``params`` so that the Django side
can show them translated; ``message`` is the English text.

Pure Python (openpyxl for XLSX): no Django here.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from qadam.lib.records import ImportFormatError
from qadam.lib.tabular import _cell_text as cell_text
from qadam.lib.tabular import (
    _check_zip,
    _load_sheet_values,
    binary_kind,
    decode_utf8,
    header_key,
    split_multi,
)

LAYOUT_FOLLOW_UP = "follow-up"
LAYOUT_TEMPLATE = "template"
DATA_SHEET = "Plan"
INSTRUCTIONS_SHEET = "Instructions"
HEADER_SEARCH_ROWS = 20

# Flags an accepted activity may carry (stored on the action until resolved).
FLAGS = ("missing-outcome", "missing-agencies", "missing-timeframe", "recurring-timeframe")

# Statuses of the template, and the spellings read as each.
STATUSES = {
    "not-started": ("not started", "not-started", "не начато", "басталған жоқ"),
    "in-progress": ("in progress", "in-progress", "ongoing", "в процессе", "в работе",
                    "орындалуда"),
    "partial": ("partial", "partially implemented", "частично исполнено", "ішінара орындалды"),
    "done": ("done", "fully implemented", "implemented", "исполнено", "орындалды"),
    "obsolete": ("obsolete", "no longer relevant", "утратило актуальность",
                 "өзектілігін жоғалтты"),
}  # fmt: skip
_STATUS_KEYS = {header_key(s): code for code, spellings in STATUSES.items() for s in spellings}

# English messages; the Django side translates the same codes with the same names.
MESSAGES = {
    "empty": "the file is empty",
    "not-a-table": "this is {kind}, not an XLSX or CSV file; save the plan as .xlsx or .csv",
    "unreadable": "the file cannot be read as a table ({detail})",
    "truncated-csv": "the CSV file ends inside a quoted cell: it looks truncated",
    "no-header": (
        "no header row found in the first {rows} rows; the plan needs the columns No., Name, "
        "Outcome, Implementation timeframe and Agencies in charge (or the Qadam template's)"
    ),
    "missing-columns": "the header row has no column {columns}; it has {found}",
    "unknown-columns": (
        "unknown column(s) {columns}: this does not look like the Qadam plan template, whose "
        "columns are {expected}"
    ),
    "duplicate-column": "the column {column} appears twice",
    "no-activities": "the file has a header but no activity below it",
    "missing-name": "the activity has no name",
    "missing-number": "the activity has no number; numbers identify activities on re-import",
    "duplicate-number": "number {number} is already used on row {first_row}",
    "bad-deadline": "{value} is not a date; write it as YYYY-MM-DD",
    "bad-amount": "{value} is not an amount; write digits, e.g. 1500000.00",
    "bad-currency": "{value} is not a three-letter currency code such as KZT or USD",
    "bad-status": "{value} is not a status; use one of {allowed}",
    "bad-recommendation": (
        "{value} is not a recommendation reference; write the document symbol and the "
        "number, e.g. A/HRC/28/10 124.15"
    ),
    "lead-several": "the lead column names {count} agencies; put the others in co_executors",
}


@dataclass(frozen=True)
class PlanProblem:
    """A row the importer must reject, with the field at fault."""

    file: str
    row: int
    field: str
    code: str
    # "field" is a column name here; the dataclass helper goes by its module name.
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, field {self.field}: {self.message}"


class PlanTableError(ImportFormatError):
    """The file as a whole cannot be read as a plan."""

    def __init__(self, file: str, code: str, row: int = 0, field: str = "", **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(file, MESSAGES[code].format(**params), row=row, field=field)


@dataclass(frozen=True)
class AgencyRef:
    """One agency as the plan names it: "GPO (as agreed)" → name "GPO", as_agreed."""

    name: str
    text: str
    role: str  # "lead" or "co"
    as_agreed: bool = False
    column: str = "agencies"  # where the file names it: agencies, lead or co_executors


@dataclass(frozen=True)
class RecommendationRef:
    symbol: str
    number: str

    def __str__(self) -> str:
        return f"{self.symbol} {self.number}"


@dataclass(frozen=True)
class ClusterRef:
    """A cluster by name, with the symbol of its document when the file gives one."""

    name: str
    symbol: str = ""

    def __str__(self) -> str:
        return f"{self.symbol}: {self.name}" if self.symbol else self.name


@dataclass
class PlanRecord:
    """One activity, before any lookup. ``row`` is the sheet's row number."""

    row: int
    number: str
    title: dict[str, str]
    outcome: str = ""
    timeframe: str = ""
    deadline: date | None = None
    agencies: list[AgencyRef] = field(default_factory=list)
    budget_planned: Decimal | None = None
    budget_currency: str = ""
    budget_source: str = ""
    recommendations: list[RecommendationRef] = field(default_factory=list)
    clusters: list[ClusterRef] = field(default_factory=list)
    status: str = ""
    section: str = ""  # the section heading above the activity, if the plan has them
    flags: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "number": self.number,
            "title": dict(self.title),
            "outcome": self.outcome,
            "timeframe": self.timeframe,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "agencies": [
                {"name": a.name, "role": a.role, "as_agreed": a.as_agreed} for a in self.agencies
            ],
            "budget_planned": str(self.budget_planned) if self.budget_planned is not None else None,
            "budget_currency": self.budget_currency,
            "budget_source": self.budget_source,
            "recommendations": [str(r) for r in self.recommendations],
            "clusters": [str(c) for c in self.clusters],
            "status": self.status,
            "section": self.section,
            "flags": list(self.flags),
        }


@dataclass
class PlanTable:
    """What a plan file holds: its activities, the rows rejected, and its title."""

    filename: str
    layout: str
    header_row: int
    records: list[PlanRecord] = field(default_factory=list)
    problems: list[PlanProblem] = field(default_factory=list)
    title: str = ""  # the title rows above the header, joined
    sections: list[tuple[int, str]] = field(default_factory=list)


# --- columns ------------------------------------------------------------------------

# Template columns: name, help, example, required.
_TEMPLATE = (
    ("number", "Number of the action in the plan, unique in the plan. Required: a re-import "
     "finds the action by it.", "1.2", True),
    ("title", "Name of the action in English. One of title, title_ru, title_kk is required.",
     "Developing mechanisms to prevent violence against women and children", False),
    ("title_ru", "Name of the action in Russian.", "Разработка механизмов ...", False),
    ("title_kk", "Name of the action in Kazakh.", "Әйелдер мен балаларға ...", False),
    ("outcome", "What the action produces (its outcome type), in words or as the code of an "
     "existing outcome type.", "Proposal to the Presidential Administration", False),
    ("timeframe", "The timeframe as the plan writes it; read into a period.",
     "By the end of 2023", False),
    ("deadline", "An exact deadline as a date, YYYY-MM-DD; it overrides the end of the "
     "timeframe.", "2023-12-31", False),
    ("lead", "The lead agency: acronym or name; add '(as agreed)' for a body that takes part "
     "by consent.", "MIA", False),
    ("co_executors", "Co-executing agencies, separated by ',' or ';'.",
     "GPO (as agreed), MEAS, MLSP", False),
    ("budget_planned", "Planned amount, in digits.", "15000000.00", False),
    ("budget_currency", "Currency code (ISO 4217). Blank means KZT.", "KZT", False),
    ("budget_source", "Source of funds.", "Republican budget", False),
    ("recommendations", "Recommendations the action implements: document symbol and number, "
     "separated by ';'.", "A/HRC/28/10 124.15; A/HRC/28/10 124.16", False),
    ("clusters", "Whole clusters of recommendations the action implements, separated by ';'. "
     "Write 'SYMBOL: name' when several documents have a cluster of that name.",
     "A/HRC/28/10: Women's rights", False),
    ("status", "not-started, in-progress, partial, done or obsolete. Blank: not started for a "
     "new action, unchanged for an existing one.", "in-progress", False),
)  # fmt: skip
PLAN_COLUMNS: tuple[str, ...] = tuple(c[0] for c in _TEMPLATE)
_TEMPLATE_KEYS = {header_key(name): name for name in PLAN_COLUMNS}
_TITLE_COLUMNS = {"title": "en", "title_ru": "ru", "title_kk": "kk"}

# Government layout: header spellings in en/ru/kk. Exact keys first, then parts of
# a key, checked in this order (a timeframe header mentions execution too).
_EXACT = {
    "number": {"no", "number", "nr", "n", "noпп", "пп", "рс", "рсno", "noрс", "номер",
               "нөмірі", "нөмір"},
    "lead": {"lead", "leadagency", "головнойисполнитель", "основнойисполнитель",
             "жауаптыорындаушы"},
    "co_executors": {"coexecutors", "coexecutor", "соисполнители", "соисполнитель",
                     "теңорындаушылар", "қосорындаушылар"},
}  # fmt: skip
_PARTS = (
    ("timeframe", ("timeframe", "deadline", "termofexecution", "implementationterm",
                   "implementationperiod", "срок", "мерзім")),
    ("agencies", ("agenc", "responsib", "incharge", "executor", "исполнител", "ответствен",
                  "орындаушы", "жауапты")),
    ("outcome", ("outcome", "completion", "result", "форма", "результат", "нәтиже",
                 "нысаны")),
    ("name", ("name", "activit", "measure", "наименование", "мероприят", "атауы", "ісшара")),
)  # fmt: skip
_REQUIRED = ("number", "name", "outcome", "timeframe", "agencies")
_DISPLAY = {
    "number": "No.",
    "name": "Name",
    "outcome": "Outcome",
    "timeframe": "Implementation timeframe",
    "agencies": "Agencies in charge",
}


def _key(text: str) -> str:
    return header_key(text.replace("№", "no").replace("#", "no"))


def follow_up_column(text: str) -> str | None:
    """The column a header cell of the government's layout names, or None."""
    key = _key(text)
    if not key:
        return None
    for column, keys in _EXACT.items():
        if key in keys:
            return column
    for column, parts in _PARTS:
        if any(part in key for part in parts):
            return column
    return None


# --- reading the grid ---------------------------------------------------------------

Grid = list[tuple[int, list[str]]]


def read_grid(data: bytes, filename: str) -> Grid:
    """Every non-blank row of the first sheet (or the "Plan" sheet), with its row number."""
    if not data.strip():
        raise PlanTableError(filename, "empty")
    if data.startswith(b"PK"):
        return _read_xlsx_grid(data, filename)
    kind = binary_kind(data)
    if kind or b"\x00" in data[:65536]:
        raise PlanTableError(filename, "not-a-table", kind=kind or "a binary file")
    return _read_csv_grid(data, filename)


def _read_xlsx_grid(data: bytes, filename: str) -> Grid:
    try:
        _check_zip(data, filename)
        values = _load_sheet_values(data, filename, DATA_SHEET)
    except ImportFormatError as exc:
        raise PlanTableError(filename, "unreadable", detail=exc.message) from exc
    grid: Grid = []
    for number, raw in enumerate(values, start=1):
        cells = [_clean_cell(cell_text(v)) for v in raw]
        if any(cells):
            grid.append((number, cells))
    return grid


def _read_csv_grid(data: bytes, filename: str) -> Grid:
    try:
        text = decode_utf8(data, filename)
    except ImportFormatError as exc:
        raise PlanTableError(filename, "unreadable", row=exc.row, detail=exc.message) from exc
    # strict: a file cut inside a quoted cell is an error, not a short last cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    grid: Grid = []
    number = 0
    try:
        for number, raw in enumerate(reader, start=1):
            cells = [_clean_cell(c) for c in raw]
            if any(cells):
                grid.append((number, cells))
    except csv.Error as exc:
        raise PlanTableError(filename, "truncated-csv", row=number + 1) from exc
    return grid


def _clean_cell(text: str) -> str:
    """Spaces collapsed, line breaks kept: they separate agencies and list items."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _delimiter(text: str) -> str:
    """The delimiter that splits some top line most: title rows have none."""
    lines = re.sub(r'"[^"]*"', "", text.lstrip("\ufeff")).splitlines()[:HEADER_SEARCH_ROWS]
    best = max(",;\t|", key=lambda d: max((line.count(d) for line in lines), default=0))
    return best if any(best in line for line in lines) else ","


# --- the header ---------------------------------------------------------------------


@dataclass
class _Header:
    layout: str
    row: int  # the sheet row of the (first) header row
    index: int  # its position in the grid
    columns: dict[str, int]  # column → cell index
    skip: int  # grid rows the header takes, with a row of column numbers


def find_header(grid: Grid, filename: str) -> _Header:
    best: tuple[int, int] | None = None  # (score, grid index)
    for i, (_, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if _is_template_header(cells):
            return _template_header(grid, i, filename)
        score = len({c for c in map(follow_up_column, cells) if c})
        if score >= 2 and (best is None or score > best[0]):
            best = (score, i)
    if best is None:
        raise PlanTableError(
            filename, "no-header", row=grid[0][0] if grid else 1, rows=HEADER_SEARCH_ROWS
        )
    return _follow_up_header(grid, best[1], filename)


def _is_template_header(cells: Sequence[str]) -> bool:
    keys = {header_key(c) for c in cells} & set(_TEMPLATE_KEYS)
    return bool(keys & {"title", "titleru", "titlekk"}) and len(keys) >= 3


def _template_header(grid: Grid, index: int, filename: str) -> _Header:
    row, cells = grid[index]
    columns: dict[str, int] = {}
    unknown = []
    for i, cell in enumerate(cells):
        name = _TEMPLATE_KEYS.get(header_key(cell))
        if name in columns:
            raise PlanTableError(filename, "duplicate-column", row=row, field=cell, column=cell)
        if name:
            columns[name] = i
        elif header_key(cell):
            unknown.append(cell)
    if unknown:
        raise PlanTableError(
            filename, "unknown-columns", row=row, field=unknown[0],
            columns=", ".join(unknown), expected=", ".join(PLAN_COLUMNS),
        )  # fmt: skip
    if "number" not in columns:
        raise PlanTableError(
            filename, "missing-columns", row=row, field="number", columns="number",
            found=_found(cells),
        )  # fmt: skip
    return _Header(LAYOUT_TEMPLATE, row, index, columns, 1)


def _follow_up_header(grid: Grid, index: int, filename: str) -> _Header:
    row, cells = grid[index]
    labels = [follow_up_column(c) for c in cells]
    skip = 1
    below = grid[index + 1][1] if index + 1 < len(grid) else []
    if _is_sub_header(below):
        # Merged cells: "Agencies in charge" above "Lead" | "Co-executors".
        labels = _merge_labels(labels, [follow_up_column(c) for c in below])
        skip = 2
    if index + skip < len(grid) and _is_column_numbers(grid[index + skip][1]):
        skip += 1
    columns: dict[str, int] = {}
    for i, label in enumerate(labels):
        if label and label not in columns:
            columns[label] = i
    if "lead" in columns or "co_executors" in columns:
        columns.setdefault("agencies", columns.get("lead", columns.get("co_executors", -1)))
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise PlanTableError(
            filename, "missing-columns", row=row, field=missing[0],
            columns=", ".join(_DISPLAY[c] for c in missing), found=_found(cells),
        )  # fmt: skip
    return _Header(LAYOUT_FOLLOW_UP, row, index, columns, skip)


def _is_sub_header(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and all(follow_up_column(c) for c in filled)


def _merge_labels(top: list[str | None], below: list[str | None]) -> list[str | None]:
    width = max(len(top), len(below))
    top = top + [None] * (width - len(top))
    below = below + [None] * (width - len(below))
    return [b or t for t, b in zip(top, below, strict=True)]


def _is_column_numbers(cells: Sequence[str]) -> bool:
    """A row "1 | 2 | 3 | 4 | 5" under the header, as Kazakh official tables have."""
    filled = [c for c in cells if c]
    return len(filled) >= 3 and filled == [str(n) for n in range(1, len(filled) + 1)]


def _found(cells: Sequence[str]) -> str:
    return ", ".join(repr(c) for c in cells if c) or "nothing"


# --- rows -------------------------------------------------------------------------


def parse_plan_table(data: bytes, filename: str) -> PlanTable:
    """The activities of a plan file; rows that cannot be activities go to ``problems``."""
    grid = read_grid(data, filename)
    header = find_header(grid, filename)
    table = PlanTable(filename, header.layout, header.row)
    table.title = " — ".join(" ".join(c for c in cells if c) for _, cells in grid[: header.index])
    rows = grid[header.index + header.skip :]
    if header.layout == LAYOUT_TEMPLATE:
        _template_rows(table, rows, header.columns)
    else:
        _follow_up_rows(table, rows, header.columns)
    if not table.records and not table.problems:
        raise PlanTableError(filename, "no-activities", row=header.row)
    _check_duplicates(table)
    return table


def _cells(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {name: cells[i].strip() if 0 <= i < len(cells) else "" for name, i in columns.items()}


def _follow_up_rows(table: PlanTable, rows: Grid, columns: dict[str, int]) -> None:
    section = ""
    for number, cells in rows:
        row = _cells(cells, columns)
        heading = _section_heading(cells, row)
        if heading:
            section = heading
            table.sections.append((number, heading))
            continue
        record = PlanRecord(
            number,
            _number(row["number"]),
            _titles([row["name"]]),
            outcome=" ".join(row["outcome"].split()),
            timeframe=row["timeframe"],
            section=section,
        )
        record.agencies = _follow_up_agencies(row, columns)
        _finish(table, record)


_NUMBER_ONLY = re.compile(r"^\d+(\.\d+)*[.)]?$")
_NUMBERED_HEADING = re.compile(r"^(\d+|[IVX]+)(\.\d+)*[.)]?\s+\S")


def _section_heading(cells: list[str], row: dict[str, str]) -> str:
    """A heading row ("1. Rights of women" merged across the table): one filled cell.

    A lone number is an activity without a name, and a lone name in the name column
    an activity without a number (both reported), unless it reads "2. Heading".
    """
    filled = [c for c in cells if c]
    if len(filled) != 1 or _NUMBER_ONLY.match(filled[0]):
        return ""
    if row.get("name") == filled[0] and not _NUMBERED_HEADING.match(filled[0]):
        return ""
    return filled[0]


def _follow_up_agencies(row: dict[str, str], columns: dict[str, int]) -> list[AgencyRef]:
    if "lead" in columns or "co_executors" in columns:
        lead = split_agencies(row.get("lead", ""), "lead", "lead")
        return lead + split_agencies(row.get("co_executors", ""), "co", "co_executors")
    return split_agencies(row.get("agencies", ""))


def _template_rows(table: PlanTable, rows: Grid, columns: dict[str, int]) -> None:
    for number, cells in rows:
        row = _cells(cells, columns)
        titles = {lang: row.get(col, "") for col, lang in _TITLE_COLUMNS.items()}
        record = PlanRecord(
            number,
            _number(row.get("number", "")),
            {lang: " ".join(text.split()) for lang, text in titles.items() if text.strip()},
            outcome=" ".join(row.get("outcome", "").split()),
            timeframe=row.get("timeframe", ""),
            budget_currency=row.get("budget_currency", "").upper(),
            budget_source=row.get("budget_source", ""),
        )
        problems = _template_values(table.filename, record, row)
        table.problems.extend(problems)
        _finish(table, record, rejected=bool(problems))


def _template_values(filename: str, record: PlanRecord, row: dict[str, str]) -> list[PlanProblem]:
    """Fill the template-only fields; one problem per value that breaks the rules."""
    problems: list[PlanProblem] = []

    def problem(column: str, code: str, **params: Any) -> None:
        problems.append(PlanProblem(filename, record.row, column, code, params))

    if row.get("deadline"):
        record.deadline = _iso_date(row["deadline"])
        if record.deadline is None:
            problem("deadline", "bad-deadline", value=row["deadline"])
    if row.get("budget_planned"):
        record.budget_planned = parse_amount(row["budget_planned"])
        if record.budget_planned is None:
            problem("budget_planned", "bad-amount", value=row["budget_planned"])
    if record.budget_currency and not re.fullmatch(r"[A-Z]{3}", record.budget_currency):
        problem("budget_currency", "bad-currency", value=row["budget_currency"])
    if row.get("status"):
        record.status = _STATUS_KEYS.get(header_key(row["status"]), "")
        if not record.status:
            problem("status", "bad-status", value=row["status"], allowed=", ".join(STATUSES))
    lead = split_agencies(row.get("lead", ""), "lead", "lead")
    if len(lead) > 1:
        problem("lead", "lead-several", count=len(lead))
    record.agencies = lead + split_agencies(row.get("co_executors", ""), "co", "co_executors")
    for item in split_multi(row.get("recommendations", "")):
        ref = parse_recommendation_ref(item)
        if ref is None:
            problem("recommendations", "bad-recommendation", value=item)
        else:
            record.recommendations.append(ref)
    record.clusters = [parse_cluster_ref(item) for item in split_multi(row.get("clusters", ""))]
    return problems


def _finish(table: PlanTable, record: PlanRecord, rejected: bool = False) -> None:
    """Check number and name, flag missing cells, and keep the record or its problems."""
    problems = []
    if not record.title:
        field_name = "title" if table.layout == LAYOUT_TEMPLATE else "name"
        problems.append(PlanProblem(table.filename, record.row, field_name, "missing-name"))
    if not record.number:
        problems.append(PlanProblem(table.filename, record.row, "number", "missing-number"))
    table.problems.extend(problems)
    if problems or rejected:
        return
    if not record.outcome:
        record.flags.append("missing-outcome")
    if not record.agencies:
        record.flags.append("missing-agencies")
    if not record.timeframe and record.deadline is None:
        record.flags.append("missing-timeframe")
    table.records.append(record)


def _check_duplicates(table: PlanTable) -> None:
    """A number used twice would make the second row overwrite the first on import."""
    seen: dict[str, int] = {}
    kept = []
    for record in table.records:
        first = seen.setdefault(record.number.casefold(), record.row)
        if first != record.row:
            table.problems.append(
                PlanProblem(
                    table.filename,
                    record.row,
                    "number",
                    "duplicate-number",
                    {"number": record.number, "first_row": first},
                )
            )
        else:
            kept.append(record)
    table.records = kept
    table.problems.sort(key=lambda p: p.row)


# --- cells ---------------------------------------------------------------------------


def _number(text: str) -> str:
    """ "1." and "1)" are "1"; "1.2" stays."""
    return re.sub(r"[.)]+$", "", text.strip()).strip()


_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def text_language(text: str) -> str:
    """ "kk" if the text has letters only Kazakh uses, "ru" if Cyrillic, else "en"."""
    if _KAZAKH_LETTERS.search(text):
        return "kk"
    return "ru" if _CYRILLIC.search(text) else "en"


def _titles(texts: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in texts:
        text = " ".join(text.split())
        if text:
            out.setdefault(text_language(text), text)
    return out


# Remarks that make a body a co-executor by consent: "(as agreed)", "(по согласованию)".
_AS_AGREED = re.compile(
    r"as agreed|by agreement|upon agreement|if agreed|subject to agreement|with (?:their )?"
    r"consent|по согласованию|келісім бойынша|келісу бойынша",
    re.IGNORECASE,
)
_REMARK = re.compile(r"\(([^)]*)\)")


def split_agencies(cell: str, first_role: str = "", column: str = "agencies") -> list[AgencyRef]:
    """ "MIA, GPO (as agreed), MEAS, MLSP" → MIA (lead), GPO (co, as agreed), ...

    ``first_role`` "" means the government's layout: the first is the lead, the
    rest co-executors; "lead" or "co" gives every agency of the cell that role.
    Commas inside parentheses do not split.
    """
    refs = []
    for i, piece in enumerate(_split_outside_parentheses(cell)):
        as_agreed = bool(_AS_AGREED.search(piece))
        name = _REMARK.sub(" ", piece)
        name = _AS_AGREED.sub(" ", name) if as_agreed else name
        name = " ".join(name.strip(" .-–—•").split())
        if not name:
            continue
        role = first_role or ("lead" if i == 0 else "co")
        refs.append(AgencyRef(name, piece, role, as_agreed, column))
    return refs


def _split_outside_parentheses(cell: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    for char in cell:
        depth += (char == "(") - (char == ")")
        if char in ",;\n" and depth <= 0:
            pieces.append("".join(current))
            current, depth = [], 0
        else:
            current.append(char)
    pieces.append("".join(current))
    return [" ".join(p.split()) for p in pieces if p.strip()]


def parse_recommendation_ref(text: str) -> RecommendationRef | None:
    """ "A/HRC/28/10 124.15" → (A/HRC/28/10, 124.15); the number is the last word."""
    parts = text.strip().rsplit(None, 1)
    if len(parts) != 2 or not re.search(r"\d", parts[1]):
        return None
    return RecommendationRef(symbol=parts[0].strip(), number=parts[1].strip())


def parse_cluster_ref(text: str) -> ClusterRef:
    """ "A/HRC/28/10: Women's rights" → that document's cluster; "Women's rights" → any."""
    symbol, sep, name = text.partition(": ")
    if sep and "/" in symbol and " " not in symbol.strip():
        return ClusterRef(name=name.strip(), symbol=symbol.strip())
    return ClusterRef(name=text.strip())


def parse_amount(text: str) -> Decimal | None:
    """ "15 000 000,50", "15,000,000.50" and "15000000.5" are amounts; "a lot" is not."""
    value = re.sub(r"[\s\u00a0']", "", text)
    if "," in value and "." in value:
        value = value.replace(",", "")
    elif value.count(",") == 1 and len(value.split(",")[1]) <= 2:
        value = value.replace(",", ".")
    else:
        value = value.replace(",", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


# --- building the template ------------------------------------------------------------


def build_plan_template_xlsx() -> bytes:
    """The XLSX plan template: an empty "Plan" sheet and an "Instructions" sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    _data_sheet(workbook.active)
    _instructions_sheet(workbook.create_sheet(INSTRUCTIONS_SHEET))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_plan_template_csv() -> bytes:
    """The CSV plan template: the header row, UTF-8 with a BOM so that Excel opens it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(PLAN_COLUMNS)
    return out.getvalue().encode("utf-8-sig")


def _data_sheet(ws: Any) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.title = DATA_SHEET
    ws.append(list(PLAN_COLUMNS))
    wide = {"title", "title_ru", "title_kk", "outcome", "recommendations", "clusters"}
    for i, name in enumerate(PLAN_COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[letter].width = 50 if name in wide else max(14, len(name) + 4)
        # Text cells: Excel would turn "1.10" into 1.1 and a date into a serial number.
        ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    choices = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True)
    column = get_column_letter(PLAN_COLUMNS.index("status") + 1)
    choices.add(f"{column}2:{column}5000")
    ws.add_data_validation(choices)


def _instructions_sheet(ws: Any) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append(["Column", "Required", "What to put in it", "Example"])
    for name, help_text, example, required in _TEMPLATE:
        ws.append([name, "yes" if required else "", help_text, example])
    ws.append([])
    for line in _NOTES:
        ws.append([line])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for width, letter in zip((20, 10, 70, 40), "ABCD", strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, max_col=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


_NOTES = (
    "Fill in the 'Plan' sheet: one action per row, the header in row 1.",
    "A plan laid out like the government's (No., Name, Outcome, Implementation timeframe, "
    "Agencies in charge; in English, Russian or Kazakh) can be imported as it is.",
    "Timeframes are read in English, Russian and Kazakh: 'By the end of 2023', 'Q3 2024', "
    "'IV квартал 2023 года', '2023 жылдың соңына дейін', 'annually'. The text is kept.",
    "Agencies: the acronyms of the plan (MIA, GPO, MLSP...) or full names. Unknown agencies "
    "stop the import: add them to the reference data first.",
    "Missing outcome, agencies or timeframe are allowed and flagged on the action.",
    "Re-importing the file updates the actions with the same number and leaves the others.",
    "Saving as CSV: choose 'CSV UTF-8'.",
)
