import io
import json
import os
import zipfile
from pathlib import Path

import docx
import pytest

from qadam.lib.ohchr_docx import parse_ohchr_list
from qadam.lib.records import ImportFormatError, LabelRef
from qadam.lib.tests.ohchr_fixtures import (
    CYCLE3_HEADER,
    FOUR_COLUMN_HEADER,
    SOURCE,
    build_synthetic_ohchr_list,
    with_rows,
)

DATA_DIR = Path(os.environ.get("QADAM_DATA_DIR", "/work/shared/data"))
LISTS = DATA_DIR / "ohchr-thematic-lists"


def labels_of(record, taxonomy):
    return [label.term for label in record.labels if label.taxonomy == taxonomy]


# --- the current (2024+) four-column layout, synthetic ---------------------


@pytest.fixture(scope="module")
def synthetic():
    return parse_ohchr_list(build_synthetic_ohchr_list(), "synthetic.docx")


def test_four_column_records(synthetic):
    assert synthetic.problems == []
    assert [r.number for r in synthetic.records] == ["140.7", "140.8", "140.52", "140.53"]
    first = synthetic.records[0]
    assert first.text == "Ratify the Optional Protocol to the Convention against Torture"
    assert first.recommending_states == ["Maldives", "Portugal"]
    assert first.response == "supported"
    assert first.source_of_position == "A/HRC/59/15/Add.1 - Para.3"
    assert first.document_symbol == "A/HRC/59/15"
    assert first.cluster == "Acceptance of international norms"
    assert (first.mechanism, first.state_under_review, first.session) == (
        "UPR",
        "Synthetica",
        "48",
    )
    assert first.row == 3  # header is row 1, the "Theme:" row is row 2
    assert all(label.source == "ohchr" for label in first.labels)
    assert labels_of(first, "ohchr-theme") == [
        "Acceptance of international norms",
        "Prohibition of torture & cruel, inhuman or degrading treatment",
    ]
    assert labels_of(first, "ohchr-group") == ["Persons deprived of their liberty & detainees"]
    assert labels_of(first, "sdg-goal") == ["16"]


def test_four_column_positions_states_and_sdgs(synthetic):
    noted, targeted, merged = synthetic.records[1:]
    assert noted.response == "noted"
    assert noted.recommending_states == ["Brazil", "Chile"]
    assert labels_of(noted, "sdg-goal") == ["8", "10"]
    assert labels_of(targeted, "sdg-target") == ["4.5"]
    assert labels_of(targeted, "sdg-goal") == ["4"]
    assert targeted.recommending_states == ["Iran (Islamic Republic of)"]
    assert targeted.cluster == "Right to education"
    assert merged.recommending_states == ["Republic of Korea", "Türkiye"]
    assert merged.source_of_position == "A/HRC/59/15 - Para 140"


def test_four_column_document_facts(synthetic):
    assert synthetic.document == {
        "mechanism": "UPR",
        "state_under_review": "Synthetica",
        "session": "48",
        "cycle": "4",
        "layout": "2024",
        "symbol": "A/HRC/59/15",
    }


def test_a_list_split_over_two_tables(synthetic):
    split = parse_ohchr_list(build_synthetic_ohchr_list(split_at=3), "synthetic.docx")
    assert [r.to_json() for r in split.records] == [r.to_json() for r in synthetic.records]


def test_theme_headings_as_paragraphs_between_tables():
    document = docx.Document()
    for theme, number in (("Right to education", "140.1"), ("Right to health", "140.2")):
        document.add_paragraph(f"Theme: {theme}")
        table = document.add_table(rows=2, cols=4)
        for cell, text in zip(table.rows[0].cells, FOUR_COLUMN_HEADER, strict=True):
            cell.text = text
        row = (f"{number} Do a synthetic thing (Chile);", "Supported", "- Right to health", "")
        for cell, text in zip(table.rows[1].cells, row, strict=True):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    result = parse_ohchr_list(out.getvalue(), "synthetic.docx")
    assert [(r.number, r.cluster, r.row) for r in result.records] == [
        ("140.1", "Right to education", 2),
        ("140.2", "Right to health", 4),
    ]


def test_cycle3_layout_with_codes_and_page_header():
    rows = (
        ("Theme: A12 Acceptance of international norms",),
        (
            f"115.1 Take further steps (Croatia);\n{SOURCE}",
            "Supported",
            "A12 Acceptance of international norms\nB31 Equality & non-discrimination\n"
            "Affected persons:\n- general",
            "",
        ),
        (
            f"121.1 Ratify the Convention (France) (Lithuania);\n{SOURCE}",
            "Noted",
            "- Acceptance of international norms\nSDGs: \n- 16 - PEACE, JUSTICE AND STRONG "
            "INSTITUTIONS\nAffected persons: \n- Disappeared persons",
            "",
        ),
    )
    data = build_synthetic_ohchr_list(
        rows,
        header=CYCLE3_HEADER,
        heading=(),
        page_header="UPR of Synthetica (2nd Cycle – 20th session)\t\tThematic list\t\tPage 1",
    )
    result = parse_ohchr_list(data, "synthetic.docx")
    coded, bulleted = result.records
    assert coded.cluster == "Acceptance of international norms"
    assert labels_of(coded, "ohchr-theme") == [
        "Acceptance of international norms",
        "Equality & non-discrimination",
    ]
    assert labels_of(coded, "ohchr-group") == ["general"]
    assert json.loads(result.document["theme_codes"]) == {
        "A12": "Acceptance of international norms",
        "B31": "Equality & non-discrimination",
    }
    assert labels_of(bulleted, "sdg-goal") == ["16"]
    assert labels_of(bulleted, "ohchr-group") == ["Disappeared persons"]
    assert result.document["state_under_review"] == "Synthetica"
    assert (result.document["session"], result.document["cycle"]) == ("20", "2")
    assert result.document["layout"] == "cycle-2/3"


# --- row problems ----------------------------------------------------------


def problem_row(number, position="Supported", sdgs="- 16 - PEACE", text="Do a synthetic thing"):
    return (f"{number} {text} (Chile);\n{SOURCE}", position, "- Right to education", sdgs)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            problem_row("140.90", position="Perhaps"),
            "Position of the State under review",
            "allowed",
        ),
        (problem_row("140.90", sdgs="- 99 - NO SUCH GOAL"), "Relevant SDGs", "'99 - NO SUCH GOAL'"),
        (problem_row("140.90", sdgs="- x.y"), "Relevant SDGs", "not an SDG code"),
        (problem_row("140.7"), "Recommendation and recommending State", "duplicate of row 3"),
        (
            ("", "Supported", "- Right to education", ""),
            "Recommendation and recommending State",
            "empty",
        ),
    ],
)
def test_row_problems_name_file_row_and_column(row, field, message):
    result = parse_ohchr_list(build_synthetic_ohchr_list(with_rows(row)), "synthetic.docx")
    assert len(result.records) == 4
    [problem] = result.problems
    assert (problem.file, problem.row, problem.field) == ("synthetic.docx", 8, field)
    assert message in problem.message


def test_an_empty_position_is_allowed():
    data = build_synthetic_ohchr_list(with_rows(problem_row("140.90", position="")))
    record = parse_ohchr_list(data, "synthetic.docx").records[-1]
    assert record.response == ""


# --- unreadable files ------------------------------------------------------


def docx_without_table():
    document = docx.Document()
    document.add_paragraph("Synthetic document without a thematic table")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.4\n%synthetic pdf renamed .docx", "PDF"),
        (build_synthetic_ohchr_list()[:4000], "damaged or truncated"),
        (xlsx_bytes(), "Excel workbook"),
        ("Recommendation;Position\nCôte d’Ivoire".encode("cp1252"), "not a Word .docx"),
        (docx_without_table(), "no thematic-list table"),
    ],
)
def test_unreadable(data, message):
    with pytest.raises(ImportFormatError, match=message) as caught:
        parse_ohchr_list(data, "synthetic.docx")
    assert caught.value.file == "synthetic.docx"


# --- the real Slovenia lists -----------------------------------------------


def theme_row_count(path):
    """Counted independently of the parser: rows whose single merged cell says "Theme:"."""
    table = docx.Document(str(path)).tables[0]
    return sum(
        1
        for row in table.rows
        if row.cells[0]._tc is row.cells[-1]._tc and row.cells[0].text.startswith("Theme:")
    )


@pytest.mark.parametrize(
    ("name", "count", "themes", "session", "symbol"),
    [
        ("slovenia-upr20-cycle2.docx", 163, 37, "20", "A/HRC/28/15"),
        ("slovenia-upr34-cycle3.docx", 215, 53, "34", "A/HRC/43/15"),
    ],
)
def test_real_slovenia_lists(name, count, themes, session, symbol):
    path = LISTS / name
    if not path.exists():
        pytest.skip(f"{path} missing")
    result = parse_ohchr_list(path.read_bytes(), name)
    assert result.problems == []
    # Table rows = header + "Theme:" rows + one row per recommendation.
    assert len(docx.Document(str(path)).tables[0].rows) == 1 + themes + count
    assert theme_row_count(path) == themes
    assert len(result.records) == count
    for record in result.records:
        assert record.text and record.number
        assert record.response in ("supported", "noted")
        assert record.recommending_states
        assert labels_of(record, "ohchr-theme"), record.number
        assert record.cluster and record.source_of_position
    assert result.document["state_under_review"] == "Slovenia"
    assert result.document["session"] == session
    assert result.document["symbol"] == symbol


def test_real_cycle2_codes_are_cut_but_kept():
    path = LISTS / "slovenia-upr20-cycle2.docx"
    if not path.exists():
        pytest.skip(f"{path} missing")
    result = parse_ohchr_list(path.read_bytes(), path.name)
    codes = json.loads(result.document["theme_codes"])
    assert codes["A12"] == "Acceptance of international norms"
    themes = {label.term for r in result.records for label in r.labels}
    assert not any(term[:1].isupper() and term.split()[0][1:].isdigit() for term in themes)
    icrmw = next(r for r in result.records if r.number == "115.8")
    assert icrmw.recommending_states == [
        "Senegal",
        "Sierra Leone",
        "Venezuela (Bolivarian Republic of)",
        "Peru",
        "Uruguay",
    ]


def test_real_cycle3_sdgs_and_states():
    path = LISTS / "slovenia-upr34-cycle3.docx"
    if not path.exists():
        pytest.skip(f"{path} missing")
    records = {r.number: r for r in parse_ohchr_list(path.read_bytes(), path.name).records}
    first = records["121.1"]
    assert first.recommending_states == ["France", "Lithuania"]
    assert LabelRef("sdg-goal", "16", "ohchr") in first.labels
    assert labels_of(first, "ohchr-group") == ["Disappeared persons"]
    assert records["121.3"].recommending_states == [
        "United Kingdom of Great Britain and Northern Ireland"
    ]
    assert records["121.3"].text.endswith("(No. 29)")
    assert records["121.2"].recommending_states == ["Ukraine", "Slovakia"]
