import csv
import io
from datetime import datetime

import openpyxl
import pytest

from qadam.lib.records import ImportFormatError
from qadam.lib.uhri import DEFAULT_MAPPING, excel_date, parse_uhri

# A synthetic export in UHRI's "Export to Excel" shape: its column names (typo
# included), "- " bullets, one value per line, dates as Excel serials.
UHRI_HEADER = [
    "Text",
    "Countries Concerned",
    "Reccomending Body",
    "Document Symbol",
    "Themes",
    "Affected Persons",
    "Sdgs",
    "Document Publication Date",
    "UPR Reccomending States",
    "UPR Position",
    "Type",
    "OHCHR Annotation Id",
    "UPR Session",
    "Regions Concerned",
]


def uhri_row(**values):
    base = {
        "Text": "Synthetic: ratify the convention",
        "Countries Concerned": "- Synthetica",
        "Reccomending Body": "- UPR",
        "Document Symbol": "A/HRC/43/15",
        "Themes": "- Acceptance of international norms\n- Enforced disappearances",
        "Affected Persons": "- Disappeared persons",
        "Sdgs": "- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS\n- 16.3 - Promote the rule of law",
        "Document Publication Date": 43867,
        "UPR Reccomending States": "- France\n- Lithuania",
        "UPR Position": "- Supported",
        "Type": "- Recommendations",
        "OHCHR Annotation Id": "synthetic-0001",
        "UPR Session": "- 34th session",
        "Regions Concerned": "- Eastern European States",
    }
    base.update(values)
    return base


def synthetic_xlsx(rows, header=UHRI_HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def synthetic_csv(rows, header=UHRI_HEADER):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("build", [synthetic_xlsx, synthetic_csv])
def test_an_upr_annotation(build):
    result = parse_uhri(build([uhri_row()]), "synthetic-uhri")
    assert result.problems == []
    [record] = result.records
    assert record.to_json() == {
        "number": "",
        "text": "Synthetic: ratify the convention",
        "response": "supported",
        "recommending_states": ["France", "Lithuania"],
        "labels": [
            {
                "taxonomy": "ohchr-theme",
                "term": "Acceptance of international norms",
                "source": "uhri",
            },
            {"taxonomy": "ohchr-theme", "term": "Enforced disappearances", "source": "uhri"},
            {"taxonomy": "ohchr-group", "term": "Disappeared persons", "source": "uhri"},
            {"taxonomy": "sdg-goal", "term": "16", "source": "uhri"},
            {"taxonomy": "sdg-target", "term": "16.3", "source": "uhri"},
        ],
        "state_under_review": "Synthetica",
        "mechanism": "UPR",
        "session": "34",
        "document_symbol": "A/HRC/43/15",
        "language": "en",
        "row": 2,
    }
    assert result.document["date"] == "2020-02-06"
    assert result.document["symbol"] == "A/HRC/43/15"


def test_a_treaty_body_annotation_and_a_date_cell():
    stamp = datetime(2019, 3, 29)  # noqa: DTZ001 - Excel cells carry no time zone
    row = uhri_row(
        **{
            "Text": "The Committee recommends that the State party adopt a synthetic law.",
            "Reccomending Body": "- CEDAW",
            "Document Symbol": "CEDAW/C/SYN/CO/5",
            "UPR Reccomending States": None,
            "UPR Position": None,
            "UPR Session": None,
            "Document Publication Date": stamp,
        }
    )
    result = parse_uhri(synthetic_xlsx([row]), "synthetic.xlsx")
    [record] = result.records
    assert (record.mechanism, record.response, record.session) == ("CEDAW", "", "")
    assert record.recommending_states == []
    assert result.document["date"] == "2019-03-29"


def test_upr_text_with_number_and_states_and_no_states_column():
    row = uhri_row(
        **{
            "Text": "121.7 Ratify the synthetic protocol (Maldives) (Portugal);",
            "UPR Reccomending States": None,
        }
    )
    [record] = parse_uhri(synthetic_xlsx([row]), "synthetic.xlsx").records
    assert (record.number, record.text) == ("121.7", "Ratify the synthetic protocol")
    assert record.recommending_states == ["Maldives", "Portugal"]


def test_other_annotation_types_are_skipped_and_counted():
    rows = [uhri_row(), uhri_row(**{"Type": "- Concerns/Observations", "OHCHR Annotation Id": "b"})]
    result = parse_uhri(synthetic_xlsx(rows), "synthetic.xlsx")
    assert len(result.records) == 1
    assert result.document["skipped_not_recommendations"] == "1"


def test_alias_headers_and_semicolon_lists_in_csv():
    header = ["Recommendation", "Countries", "Recommending Body", "SDGs", "Affected persons"]
    row = {
        "Recommendation": "Synthetic text",
        "Countries": "Synthetica",
        "Recommending Body": "UPR",
        "SDGs": "5; 10.2",
        "Affected persons": "Women; Girls",
    }
    [record] = parse_uhri(synthetic_csv([row], header), "synthetic.csv").records
    assert record.state_under_review == "Synthetica"
    assert [(label.taxonomy, label.term) for label in record.labels] == [
        ("ohchr-group", "Women"),
        ("ohchr-group", "Girls"),
        ("sdg-goal", "5"),
        ("sdg-goal", "10"),
        ("sdg-target", "10.2"),
    ]


def test_a_custom_mapping():
    header = ["Recommendation text (EN)", "Country", "Themes", "Position"]
    row = {
        "Recommendation text (EN)": "Synthetic text",
        "Country": "Synthetica",
        "Themes": "- Right to education",
        "Position": "Noted",
    }
    data = synthetic_xlsx([row], header)
    mapping = {"text": "Recommendation text (EN)", "themes": ""}
    [record] = parse_uhri(data, "synthetic.xlsx", mapping=mapping).records
    assert record.text == "Synthetic text"
    assert record.response == "noted"
    assert record.labels == []  # themes switched off by the mapping


def test_a_mapped_column_that_is_missing_is_named():
    with pytest.raises(ImportFormatError) as caught:
        parse_uhri(synthetic_xlsx([uhri_row()]), "synthetic.xlsx", mapping={"themes": "Topics"})
    assert (caught.value.row, caught.value.field) == (1, "Topics")


def test_an_unknown_mapping_field_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown UHRI field"):
        parse_uhri(synthetic_xlsx([uhri_row()]), "synthetic.xlsx", mapping={"colour": "Text"})


def test_missing_text_column():
    header = [h for h in UHRI_HEADER if h != "Text"]
    with pytest.raises(ImportFormatError) as caught:
        parse_uhri(synthetic_xlsx([uhri_row()], header), "synthetic.xlsx")
    assert caught.value.field == "Text"
    assert "missing column" in caught.value.message


def test_row_problems_name_file_row_and_column():
    rows = [
        uhri_row(),
        uhri_row(**{"OHCHR Annotation Id": "b", "Sdgs": "- 99 - NOT A GOAL"}),
        uhri_row(**{"OHCHR Annotation Id": "c", "Countries Concerned": "- Synthetica\n- Other"}),
        uhri_row(**{"OHCHR Annotation Id": "d", "UPR Position": "- Perhaps"}),
        uhri_row(**{"OHCHR Annotation Id": "e", "Text": " "}),
        uhri_row(),  # same annotation id as row 2
    ]
    result = parse_uhri(synthetic_xlsx(rows), "synthetic.xlsx")
    assert [r.row for r in result.records] == [2]
    assert [(p.file, p.row, p.field) for p in result.problems] == [
        ("synthetic.xlsx", 3, "Sdgs"),
        ("synthetic.xlsx", 4, "Countries Concerned"),
        ("synthetic.xlsx", 5, "UPR Position"),
        ("synthetic.xlsx", 6, "Text"),
        ("synthetic.xlsx", 7, "OHCHR Annotation Id"),
    ]
    assert result.problems[-1].message == "duplicate of row 2"


def test_duplicates_without_annotation_id():
    header = ["Text", "Document Symbol"]
    rows = [
        {"Text": "Same  text", "Document Symbol": "X/1"},
        {"Text": "Same text", "Document Symbol": "X/1"},
    ]
    result = parse_uhri(synthetic_csv(rows, header), "synthetic.csv")
    assert [(p.row, p.field, p.message) for p in result.problems] == [
        (3, "Text", "duplicate of row 2")
    ]


def test_wrong_encoding():
    data = synthetic_csv([uhri_row()]).replace(b"Synthetica", "Côte d’Ivoire".encode("cp1252"), 1)
    with pytest.raises(ImportFormatError, match="not UTF-8") as caught:
        parse_uhri(data, "synthetic.csv")
    assert (caught.value.row, caught.value.field) == (2, "Countries Concerned")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.5\n% renamed to .xlsx", "PDF"),
        (synthetic_xlsx([uhri_row()])[:3000], "truncated"),
        (b"Countries Concerned,Type\nSynthetica,Recommendations\n", "missing column 'Text'"),
    ],
)
def test_unreadable(data, message):
    with pytest.raises(ImportFormatError, match=message) as caught:
        parse_uhri(data, "synthetic.xlsx")
    assert caught.value.file == "synthetic.xlsx"


def test_excel_date():
    assert excel_date("43867") == "2020-02-06"
    assert excel_date("46125.4996282407") == "2026-04-13"
    assert excel_date("2019-03-29T00:00:00") == "2019-03-29"
    assert excel_date("") == ""


def test_default_mapping_covers_the_export_columns():
    assert set(DEFAULT_MAPPING.values()) >= set(UHRI_HEADER) - {"Regions Concerned"}
