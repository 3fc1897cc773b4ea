"""Build synthetic OHCHR thematic lists (DOCX) in memory for the parser tests.

No real list in the current (2024+) four-column layout is at hand, so this
builds one the way the data README describes it: a header row *Recommendation
and recommending State* | *Position of the State under review* | *Human rights
themes and groups of persons* | *Relevant SDGs*; merged "Theme:" rows; first
cells "140.7 Ratify ... (Maldives) (Portugal);" then "Source of Position: ...";
"- " theme items, "Groups of Persons:" and "- " group items; "- 16 - PEACE,
JUSTICE AND STRONG INSTITUTIONS" SDG items. Each line of a cell is its own
paragraph, as in the real lists. Everything is made up and labelled
"synthetic": the State under review is "Synthetica".
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx

FOUR_COLUMN_HEADER = (
    "Recommendation and recommending State",
    "Position of the State under review",
    "Human rights themes and groups of persons",
    "Relevant SDGs",
)
CYCLE3_HEADER = (
    "Recommendation",
    "Position",
    "Full list of themes",
    "Assessment/comments on level of implementation",
)
SYNTHETIC_HEADING = (
    "Synthetic thematic list of recommendations (test fixture)",
    "Universal Periodic Review of Synthetica",
    "4th cycle – 48th session",
)
SOURCE = "Source of Position: A/HRC/59/15/Add.1 - Para.3"

# A row is ("Theme: ...",) for a cluster heading, or one text per column.
Row = tuple[str, ...]

SYNTHETIC_ROWS: tuple[Row, ...] = (
    ("Theme: Acceptance of international norms",),
    (
        "140.7 Ratify the Optional Protocol to the Convention against Torture "
        f"(Maldives) (Portugal);\n{SOURCE}",
        "Supported",
        "- Acceptance of international norms\n"
        "- Prohibition of torture & cruel, inhuman or degrading treatment\n"
        "Groups of Persons:\n- Persons deprived of their liberty & detainees",
        "- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS",
    ),
    (
        "140.8 Consider ratifying the International Convention on the Protection of the "
        "Rights of All Migrant Workers and Members of Their Families (Brazil, Chile);\n"
        "Source of Position: A/HRC/59/15/Add.1 - Para.4",
        "Noted",
        "- Acceptance of international norms\n- Migrants\nGroups of Persons:\n- Migrants",
        "- 8 - DECENT WORK AND ECONOMIC GROWTH\n- 10 - REDUCED INEQUALITIES",
    ),
    ("Theme: Right to education",),
    (
        "140.52 Ensure inclusive education for children with disabilities "
        "(Iran (Islamic Republic of));\nSource of Position: A/HRC/59/15/Add.1 - Para.3",
        "Supported",
        "- Right to education\n- Persons with disabilities: definition, general principles\n"
        "Groups of Persons:\n- Children\n- Persons with disabilities",
        "- 4 - QUALITY EDUCATION\n- 4.5 - Eliminate all discrimination in education",
    ),
    (
        "140.53 Increase the budget for pre-school education, including in rural areas, "
        "and ensure its quality (Republic of Korea); Strengthen pre-school education in "
        "rural areas (Türkiye);\nSource of Position: A/HRC/59/15 - Para 140",
        "Supported",
        "- Right to education\nGroups of Persons:\n- Children\n- Persons living in rural areas",
        "- 4 - QUALITY EDUCATION",
    ),
)


def build_synthetic_ohchr_list(
    rows: Sequence[Row] = SYNTHETIC_ROWS,
    header: Sequence[str] = FOUR_COLUMN_HEADER,
    heading: Sequence[str] = SYNTHETIC_HEADING,
    page_header: str = "",
    split_at: int | None = None,
) -> bytes:
    """A DOCX thematic list; ``split_at`` starts a second, header-less table at that row."""
    document = docx.Document()
    document.core_properties.title = "Synthetic thematic list (test fixture)"
    for line in heading:
        document.add_paragraph(line)
    if page_header:
        document.sections[0].header.paragraphs[0].text = page_header
    first, second = (rows, ()) if split_at is None else (rows[:split_at], rows[split_at:])
    table = _new_table(document, len(header))
    _fill_row(table.rows[0], header)
    _add_rows(table, first)
    if second:
        document.add_paragraph("")
        _add_rows(_new_table(document, len(header), with_header_row=False), second)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _new_table(document: docx.document.Document, width: int, with_header_row: bool = True):
    table = document.add_table(rows=1 if with_header_row else 0, cols=width)
    table.style = "Table Grid"
    return table


def _add_rows(table, rows: Sequence[Row]) -> None:
    for row in rows:
        cells = table.add_row().cells
        if len(row) == 1:
            merged = cells[0].merge(cells[-1])
            _set_cell(merged, row[0])
        else:
            _fill_row_cells(cells, row)


def _fill_row(row, texts: Sequence[str]) -> None:
    _fill_row_cells(row.cells, texts)


def _fill_row_cells(cells, texts: Sequence[str]) -> None:
    for cell, text in zip(cells, texts, strict=False):
        _set_cell(cell, text)


def _set_cell(cell, text: str) -> None:
    """One paragraph per line, like the real lists (not line breaks in one paragraph)."""
    lines = text.split("\n")
    for paragraph in cell.paragraphs[1:]:
        paragraph._element.getparent().remove(paragraph._element)
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def with_rows(*extra: Row) -> tuple[Row, ...]:
    """The synthetic rows followed by ``extra`` rows (for problem cases)."""
    return (*SYNTHETIC_ROWS, *extra)
