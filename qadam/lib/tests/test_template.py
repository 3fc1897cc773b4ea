import csv
import io

import openpyxl
import pytest

from qadam.lib.records import RESPONSES, ImportFormatError, LabelRef
from qadam.lib.template import (
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    TEMPLATE_COLUMNS,
    build_template_csv,
    build_template_xlsx,
    parse_template,
)


def filled_csv(rows, header=TEMPLATE_COLUMNS):
    """A synthetic filled-in CSV template; ``rows`` are dicts column → value."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def filled_xlsx(rows):
    """The real XLSX template with synthetic rows typed into its data sheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(build_template_xlsx()))
    sheet = workbook[DATA_SHEET]
    for row in rows:
        sheet.append([row.get(column, None) for column in TEMPLATE_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FULL_ROW = {
    "mechanism": "UPR",
    "session": "34",
    "document_symbol": "A/HRC/43/15",
    "state_under_review": "Synthetica",
    "number": "121.1",
    "text": "Ratify the synthetic convention",
    "language": "en",
    "response": "Supported",
    "response_text": "Synthetic explanation",
    "recommending_states": "France; Lithuania",
    "cluster": "Acceptance of international norms",
    "sdg_goals": "16",
    "sdg_targets": "16.3; 5.2",
    "ohchr_themes": "Children: definition; general principles; protection\nRight to education",
    "ohchr_groups": "Children",
    "upr_info_issues": "Rights of the Child; Women's rights",
    "action_category": "4",
}


# --- the template itself ---------------------------------------------------


def test_xlsx_template_has_an_empty_data_sheet_and_instructions():
    workbook = openpyxl.load_workbook(io.BytesIO(build_template_xlsx()))
    assert workbook.sheetnames == [DATA_SHEET, INSTRUCTIONS_SHEET]
    data = workbook[DATA_SHEET]
    assert [c.value for c in data[1]] == list(TEMPLATE_COLUMNS)
    assert data.max_row == 1  # no example row that could be imported by mistake
    explained = [row[0] for row in workbook[INSTRUCTIONS_SHEET].iter_rows(values_only=True)]
    assert set(TEMPLATE_COLUMNS) <= set(explained)
    validations = data.data_validations.dataValidation
    assert any(",".join(RESPONSES) in (v.formula1 or "") for v in validations)


def test_csv_template_is_a_utf8_header():
    data = build_template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == ",".join(TEMPLATE_COLUMNS)


@pytest.mark.parametrize("build", [build_template_xlsx, build_template_csv])
def test_the_empty_template_parses_to_nothing(build):
    result = parse_template(build(), "template")
    assert (result.records, result.problems) == ([], [])


# --- parsing ---------------------------------------------------------------


@pytest.mark.parametrize("build", [filled_csv, filled_xlsx])
def test_a_full_row(build):
    [record] = parse_template(build([FULL_ROW]), "synthetic").records
    assert record.row == 2
    assert record.text == "Ratify the synthetic convention"
    assert record.response == "supported"
    assert record.recommending_states == ["France", "Lithuania"]
    assert (record.mechanism, record.session, record.number) == ("UPR", "34", "121.1")
    assert record.document_symbol == "A/HRC/43/15"
    assert record.state_under_review == "Synthetica"
    assert record.cluster == "Acceptance of international norms"
    assert record.response_text == "Synthetic explanation"
    assert record.action_category == "4"
    assert record.labels == [
        LabelRef("sdg-goal", "16", "template"),
        LabelRef("sdg-target", "16.3", "template"),
        LabelRef("sdg-goal", "5", "template"),
        LabelRef("sdg-target", "5.2", "template"),
        LabelRef("ohchr-theme", "Children: definition; general principles; protection", "template"),
        LabelRef("ohchr-theme", "Right to education", "template"),
        LabelRef("ohchr-group", "Children", "template"),
        LabelRef("upr-info-issue", "Rights of the Child", "template"),
        LabelRef("upr-info-issue", "Women's rights", "template"),
    ]


def test_only_text_is_required_and_columns_may_be_missing():
    result = parse_template(b"Text\nRatify it\n", "synthetic.csv")
    [record] = result.records
    assert (record.text, record.response, record.language) == ("Ratify it", "", "en")


def test_a_targets_sdg_10_keeps_its_zero_in_xlsx():
    [record] = parse_template(filled_xlsx([{"text": "x", "sdg_targets": "16.10"}]), "s").records
    assert LabelRef("sdg-target", "16.10", "template") in record.labels


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"text": ""}, "text", "empty"),
        ({"response": "maybe"}, "response", "supported, supported-in-part, noted, pending"),
        ({"sdg_goals": "99"}, "sdg_goals", "'99' is not an SDG code"),
        ({"sdg_targets": "x.y"}, "sdg_targets", "'x.y' is not an SDG code"),
        ({"sdg_goals": "16.3"}, "sdg_goals", "put it in sdg_targets"),
        ({"sdg_targets": "16"}, "sdg_targets", "put it in sdg_goals"),
        ({"language": "English"}, "language", "language code"),
        ({"action_category": "7"}, "action_category", "1–5"),
    ],
)
def test_row_problems_name_file_row_and_field(row, field, message):
    good = {"text": "A synthetic recommendation", "number": "1.1"}
    data = filled_csv([good, {**good, "number": "1.2", **row}])
    result = parse_template(data, "synthetic.csv")
    assert [r.row for r in result.records] == [2]
    [problem] = result.problems
    assert (problem.file, problem.row, problem.field) == ("synthetic.csv", 3, field)
    assert message in problem.message


def test_duplicates():
    rows = [
        {"document_symbol": "A/HRC/1/1", "number": "1.1", "text": "First"},
        {"document_symbol": "A/HRC/1/1", "number": "1.1", "text": "Same number"},
        {"document_symbol": "A/HRC/2/2", "number": "1.1", "text": "Other report"},
        {"text": "No number", "recommending_states": "France; Chile"},
        {"text": "no  NUMBER", "recommending_states": "Chile;France"},
        {"text": "No number", "recommending_states": "Peru"},
    ]
    result = parse_template(filled_csv(rows), "synthetic.csv")
    assert [r.row for r in result.records] == [2, 4, 5, 7]
    assert [(p.row, p.field, p.message) for p in result.problems] == [
        (3, "number", "duplicate of row 2"),
        (6, "text", "duplicate of row 5"),
    ]


def test_unknown_column_means_another_kind_of_file():
    with pytest.raises(ImportFormatError) as caught:
        parse_template(b"To,Text,From\nA,B,C\n", "upr-info.csv")
    error = caught.value
    assert (error.file, error.row, error.field) == ("upr-info.csv", 1, "To")
    assert "does not look like the Qadam template" in error.message


def test_wrong_header_without_text():
    with pytest.raises(ImportFormatError) as caught:
        parse_template(b"mechanism,session\nUPR,34\n", "synthetic.csv")
    assert (caught.value.row, caught.value.field) == (1, "text")


def test_wrong_encoding():
    data = "text,state_under_review\nRatify,Côte d’Ivoire\n".encode("cp1252")
    with pytest.raises(ImportFormatError, match="not UTF-8") as caught:
        parse_template(data, "synthetic.csv")
    assert (caught.value.row, caught.value.field) == (2, "state_under_review")


def test_truncated_xlsx():
    data = filled_xlsx([FULL_ROW])
    with pytest.raises(ImportFormatError, match="truncated"):
        parse_template(data[:-200], "synthetic.xlsx")


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"%PDF-1.4\n", "PDF"), (b"\x00\x00\x00", "binary")],
)
def test_unreadable(data, message):
    with pytest.raises(ImportFormatError, match=message):
        parse_template(data, "synthetic.xlsx")
