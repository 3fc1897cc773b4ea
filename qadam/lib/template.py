"""Qadam's own import template (CSV or XLSX) and its parser.

One row is one recommendation. Only ``text`` is required; every other column
may be left out of the header or left blank. List columns hold several items
separated by ";" on one line, or one item per line inside the cell (line breaks
win, so names that contain ";" such as "Children: definition; general
principles; protection" go on their own line).

A row with any problem is rejected as a whole, with one ``RowProblem`` per
problem. Duplicates: a row with the same ``document_symbol`` and ``number`` as
an earlier row, or (when it has no number) the same ``state_under_review``,
text and recommending States, is rejected as "duplicate of row N". Text is
compared ignoring case and runs of spaces; States ignoring order.

The XLSX template holds a "Recommendations" sheet (header only; no example row
that could be imported by mistake) and an "Instructions" sheet that explains
each column with an example. All cells are formatted as text, so that Excel
keeps "16.10" and does not turn it into the number 16.1.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from qadam.lib.records import (
    RESPONSES,
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
)
from qadam.lib.tabular import Table, header_key, read_table, split_multi

SOURCE = "template"
DATA_SHEET = "Recommendations"
INSTRUCTIONS_SHEET = "Instructions"


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    help: str
    example: str
    required: bool = False


_COLUMNS = (
    TemplateColumn("mechanism", "Who made the recommendation: UPR, CESCR, CEDAW, ...", "UPR"),
    TemplateColumn("session", "UPR session number (or the body's session).", "34"),
    TemplateColumn("document_symbol", "Symbol of the report it comes from.", "A/HRC/43/15"),
    TemplateColumn("state_under_review", "State the recommendation is addressed to.", "Kazakhstan"),
    TemplateColumn("number", "Number in the report, e.g. the UPR paragraph number.", "121.7"),
    TemplateColumn("text", "The recommendation, as in the report. Required.", "Ratify ...", True),
    TemplateColumn("language", "Language of the text: en, ru or kk. Blank means en.", "en"),
    TemplateColumn(
        "response",
        "The State's position: " + ", ".join(RESPONSES) + " (blank if not known).",
        "supported",
    ),
    TemplateColumn("response_text", "The State's own words on its position, if any.", ""),
    TemplateColumn(
        "recommending_states", "Recommending States, separated by ';'.", "France; Lithuania"
    ),
    TemplateColumn("cluster", "A heading that groups recommendations (free text).", "Ratification"),
    TemplateColumn("sdg_goals", "SDG goal numbers 1–17, separated by ';'.", "16; 5"),
    TemplateColumn("sdg_targets", "SDG target codes, separated by ';'.", "16.3; 5.2"),
    TemplateColumn(
        "ohchr_themes", "OHCHR human-rights themes, as OHCHR names them.", "Right to education"
    ),
    TemplateColumn("ohchr_groups", "OHCHR groups of persons (affected persons).", "Children"),
    TemplateColumn("upr_info_issues", "UPR Info issues.", "Rights of the Child"),
    TemplateColumn("action_category", "UPR Info action category 1–5 (blank if none).", "4"),
)
TEMPLATE_COLUMNS: tuple[str, ...] = tuple(c.name for c in _COLUMNS)
COLUMN_HELP: dict[str, str] = {c.name: c.help for c in _COLUMNS}
LIST_LABELS = {
    "ohchr_themes": "ohchr-theme",
    "ohchr_groups": "ohchr-group",
    "upr_info_issues": "upr-info-issue",
}
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
_KEYS = {header_key(name): name for name in TEMPLATE_COLUMNS}


def parse_template(data: bytes, filename: str) -> ParseResult:
    """Records from a filled-in template; rejected rows go to ``problems``."""
    table = read_table(data, filename, sheet=DATA_SHEET, header_hint=TEMPLATE_COLUMNS)
    columns = _columns(table)
    result = ParseResult(problems=list(table.problems))
    seen: dict[tuple[str, ...], int] = {}
    for number, cells in table.rows:
        row = {name: cells[i].strip() for name, i in columns.items()}
        record, problems = _record(number, row, filename)
        duplicate = _duplicate_problem(number, row, seen, filename)
        problems += [duplicate] if duplicate else []
        if problems:
            result.problems.extend(problems)
        else:
            result.records.append(record)
    return result


def _columns(table: Table) -> dict[str, int]:
    """Template column → index; unknown columns are an error (a different file)."""
    columns: dict[str, int] = {}
    unknown = []
    for i, name in enumerate(table.header):
        key = header_key(name)
        if key in _KEYS:
            columns[_KEYS[key]] = i
        elif key:
            unknown.append(name)
    table.require("text")
    if unknown:
        raise ImportFormatError(
            table.filename,
            f"unknown column(s) {', '.join(map(repr, unknown))}: this does not look like the "
            f"Qadam template, whose columns are {', '.join(TEMPLATE_COLUMNS)}",
            row=table.header_row,
            field=unknown[0],
        )
    return columns


def _record(
    number: int, row: dict[str, str], filename: str
) -> tuple[ParsedRecommendation, list[RowProblem]]:
    problems = _value_problems(row)
    labels = _sdg_labels(row, problems) + _list_labels(row)
    record = ParsedRecommendation(
        row=number,
        text=" ".join(row.get("text", "").split()),
        number=row.get("number", ""),
        response=normalise_response(row.get("response", "")) or "",
        response_text=row.get("response_text", ""),
        recommending_states=[
            clean_name(s) for s in split_multi(row.get("recommending_states", ""))
        ],
        labels=labels,
        state_under_review=clean_name(row.get("state_under_review", "")),
        mechanism=row.get("mechanism", ""),
        session=row.get("session", ""),
        document_symbol=row.get("document_symbol", ""),
        cluster=row.get("cluster", ""),
        action_category=row.get("action_category", ""),
        language=row.get("language", "").lower() or "en",
    )
    return record, [RowProblem(filename, number, f, m) for f, m in problems]


def _value_problems(row: dict[str, str]) -> list[tuple[str, str]]:
    """(column, message) for each value that breaks the template's rules (SDGs aside)."""
    problems: list[tuple[str, str]] = []
    if not row.get("text", "").strip():
        problems.append(("text", "the recommendation text is empty"))
    if normalise_response(row.get("response", "")) is None:
        problems.append(("response", allowed_responses_message(row.get("response", ""))))
    language = row.get("language", "").lower()
    if language and not _LANGUAGE_RE.match(language):
        problems.append(("language", f"{language!r} is not a language code such as en, ru, kk"))
    action = row.get("action_category", "")
    if action and action not in ("1", "2", "3", "4", "5"):
        problems.append(("action_category", f"{action!r} is not one of 1–5"))
    return problems


def _sdg_labels(row: dict[str, str], problems: list[tuple[str, str]]) -> list[LabelRef]:
    codes: list[tuple[str, str]] = []
    for column, expected in (("sdg_goals", "sdg-goal"), ("sdg_targets", "sdg-target")):
        for item in split_multi(row.get(column, "")):
            parsed = parse_sdg(item)
            if parsed is None:
                problems.append((column, sdg_problem(item)))
            elif parsed[0] != expected:
                other = "sdg_targets" if expected == "sdg-goal" else "sdg_goals"
                problems.append((column, f"{item!r} is a {parsed[0][4:]}: put it in {other}"))
            else:
                codes.append(parsed)
    return sdg_labels(codes, SOURCE)


def _list_labels(row: dict[str, str]) -> list[LabelRef]:
    return [
        LabelRef(taxonomy, term, SOURCE)
        for column, taxonomy in LIST_LABELS.items()
        for term in split_multi(row.get(column, ""))
    ]


def _duplicate_problem(
    number: int, row: dict[str, str], seen: dict[tuple[str, ...], int], filename: str
) -> RowProblem | None:
    key = _duplicate_key(row)
    if key is None:
        return None
    if key in seen:
        field = "number" if key[0] == "number" else "text"
        return RowProblem(filename, number, field, f"duplicate of row {seen[key]}")
    seen[key] = number
    return None


def _duplicate_key(row: dict[str, str]) -> tuple[str, ...] | None:
    if row.get("number"):
        return ("number", row.get("document_symbol", "").casefold(), row["number"])
    text = " ".join(row.get("text", "").split()).casefold()
    if not text:
        return None
    states = sorted(s.casefold() for s in split_multi(row.get("recommending_states", "")))
    return ("text", row.get("state_under_review", "").casefold(), text, *states)


# --- building the template -------------------------------------------------


def build_template_csv() -> bytes:
    """The CSV template: the header row only, UTF-8 with a BOM so Excel opens it right."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(TEMPLATE_COLUMNS)
    return out.getvalue().encode("utf-8-sig")


def build_template_xlsx() -> bytes:
    """The XLSX template: an empty "Recommendations" sheet and an "Instructions" sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    _data_sheet(workbook.active)
    _instructions_sheet(workbook.create_sheet(INSTRUCTIONS_SHEET))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _data_sheet(ws: Any) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws.title = DATA_SHEET
    ws.append(list(TEMPLATE_COLUMNS))
    for i, name in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[letter].width = 60 if name == "text" else max(14, len(name) + 4)
        ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    choices = DataValidation(
        type="list", formula1='"' + ",".join(RESPONSES) + '"', allow_blank=True
    )
    column = get_column_letter(TEMPLATE_COLUMNS.index("response") + 1)
    choices.add(f"{column}2:{column}5000")
    ws.add_data_validation(choices)


def _instructions_sheet(ws: Any) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append(["Column", "Required", "What to put in it", "Example"])
    for column in _COLUMNS:
        ws.append([column.name, "yes" if column.required else "", column.help, column.example])
    ws.append([])
    for line in _GENERAL_NOTES:
        ws.append([line])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for width, letter in zip((22, 10, 70, 30), "ABCD", strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, max_col=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


_GENERAL_NOTES = (
    "Fill in the 'Recommendations' sheet: one recommendation per row, header in row 1.",
    "Only 'text' is required. Columns you do not need may be left blank or deleted.",
    "Lists: separate items with ';', or put one item per line in the cell (Alt+Enter).",
    "Names that contain ';' (e.g. 'Children: definition; general principles; protection') "
    "must be on a line of their own.",
    "Responses: " + ", ".join(RESPONSES) + ". 'Accepted' is read as supported.",
    "A row with the same document_symbol and number as an earlier row is rejected as a "
    "duplicate; so is a row without number with the same state, text and recommending States.",
    "Saving as CSV: choose 'CSV UTF-8'.",
)
