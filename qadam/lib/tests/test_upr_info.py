import csv
import io
import os
from collections import Counter
from pathlib import Path

import pytest

from qadam.lib.records import ImportFormatError, LabelRef
from qadam.lib.upr_info import COLUMNS, parse_upr_info, regional_groups

DATA_DIR = Path(os.environ.get("QADAM_DATA_DIR", "/work/shared/data"))
REAL_CSV = DATA_DIR / "upr-info" / "recommendations.csv"

# Synthetic rows in the UPR Info layout; the states are real names, the texts are not.
SYNTHETIC_ROWS = [
    [
        "Kazakhstan",
        "Asia",
        "OIC, CIS",
        "Synthetic text one.",
        "Austria",
        "WEOG",
        "EU",
        "Accepted",
        "4",
        "Rights of the Child,Women's rights",
        "7",
    ],
    [
        "Kazakhstan",
        "Asia",
        "OIC, CIS",
        "Synthetic text two.",
        "Bosnia &amp; Herzegovina",
        "EEG",
        "",
        "Noted",
        "5",
        "Asylum-seekers - refugees,HIV - Aids",
        "20",
    ],
    [
        "Indonesia",
        "Asia",
        "ASEAN, OIC",
        "Synthetic text three.",
        "&#40;Unknown&#41;",
        "&#40;Unknown&#41;",
        "&#40;Unknown&#41;",
        "Accepted",
        "2",
        "Human rights education and training",
        "1",
    ],
    [
        "Holy See",
        "Observer",
        "",
        "Synthetic text four.",
        "Kazakhstan",
        "Asia",
        "OIC, CIS",
        "Accepted",
        "3",
        "Freedom of religion and belief",
        "7",
    ],
]


def synthetic_csv(rows=SYNTHETIC_ROWS, header=COLUMNS):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_rows_become_records():
    result = parse_upr_info(synthetic_csv(), "synthetic.csv")
    assert result.problems == []
    first, second, third, _ = result.records
    assert first.to_json() == {
        "number": "",
        "text": "Synthetic text one.",
        "response": "supported",
        "recommending_states": ["Austria"],
        "labels": [
            {"taxonomy": "upr-info-issue", "term": "Rights of the Child", "source": "upr-info"},
            {"taxonomy": "upr-info-issue", "term": "Women's rights", "source": "upr-info"},
        ],
        "state_under_review": "Kazakhstan",
        "mechanism": "UPR",
        "session": "7",
        "action_category": "4",
        "language": "en",
        "row": 2,
    }
    assert second.response == "noted"
    assert second.recommending_states == ["Bosnia & Herzegovina"]
    assert [label.term for label in second.labels] == ["Asylum-seekers - refugees", "HIV - Aids"]
    assert third.recommending_states == []  # UPR Info does not know who recommended it


def test_a_comma_followed_by_a_space_does_not_split_an_issue():
    row = [*SYNTHETIC_ROWS[0][:9], "Issue, with a comma,Other", "7"]
    [record] = parse_upr_info(synthetic_csv([row]), "synthetic.csv").records
    assert record.labels == [
        LabelRef("upr-info-issue", "Issue, with a comma", "upr-info"),
        LabelRef("upr-info-issue", "Other", "upr-info"),
    ]


def test_filter_by_state_and_sessions():
    data = synthetic_csv()
    assert len(parse_upr_info(data, "s.csv", state="kazakhstan").records) == 2
    only_20 = parse_upr_info(data, "s.csv", state="Kazakhstan", sessions={"20"})
    assert [r.session for r in only_20.records] == ["20"]
    assert only_20.document["state_under_review"] == "Kazakhstan"
    assert only_20.document["session"] == "20"
    assert len(parse_upr_info(data, "s.csv", sessions={"7", "1"}).records) == 3


def test_bad_rows_are_reported_with_file_row_and_field():
    rows = [
        [*SYNTHETIC_ROWS[0][:7], "Maybe", "4", "Other", "7"],
        [*SYNTHETIC_ROWS[0][:7], "Accepted", "9", "Other", "7"],
        [*SYNTHETIC_ROWS[0][:3], "  ", *SYNTHETIC_ROWS[0][4:]],
        [*SYNTHETIC_ROWS[0][:10], "seven"],
        SYNTHETIC_ROWS[0],
    ]
    result = parse_upr_info(synthetic_csv(rows), "synthetic.csv")
    assert [(p.file, p.row, p.field) for p in result.problems] == [
        ("synthetic.csv", 2, "Response"),
        ("synthetic.csv", 3, "Action"),
        ("synthetic.csv", 4, "Text"),
        ("synthetic.csv", 5, "Session"),
    ]
    assert "allowed: supported, supported-in-part, noted, pending" in result.problems[0].message
    assert [r.row for r in result.records] == [6]


def test_identical_rows_are_kept_and_listed():
    rows = [SYNTHETIC_ROWS[0], SYNTHETIC_ROWS[1], SYNTHETIC_ROWS[0]]
    result = parse_upr_info(synthetic_csv(rows), "synthetic.csv")
    assert len(result.records) == 3
    assert result.problems == []
    assert result.document["duplicate_rows"] == "4 (same as 2)"


def test_wrong_header():
    header = [*COLUMNS[:3], "Recommendation", *COLUMNS[4:]]
    with pytest.raises(ImportFormatError) as caught:
        parse_upr_info(synthetic_csv(header=header), "synthetic.csv")
    assert (caught.value.file, caught.value.row, caught.value.field) == ("synthetic.csv", 1, "Text")


def test_wrong_encoding():
    data = synthetic_csv().replace(b"Austria", "Österreich".encode("cp1252"))
    with pytest.raises(ImportFormatError, match="not UTF-8") as caught:
        parse_upr_info(data, "synthetic.csv")
    assert (caught.value.row, caught.value.field) == (2, "From")


def test_truncated_file_reports_the_cut_row():
    data = synthetic_csv()
    result = parse_upr_info(data[: data.index(b"Synthetic text four") + 9], "synthetic.csv")
    assert len(result.records) == 3
    [problem] = result.problems
    assert (problem.row, problem.field) == (5, "Session")


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"%PDF-1.4 renamed", "PDF"), (b"PK\x03\x04zip", "zip")],
)
def test_unreadable_files(data, message):
    with pytest.raises(ImportFormatError, match=message):
        parse_upr_info(data, "synthetic.csv")


def test_regional_groups():
    groups = regional_groups(synthetic_csv())
    assert groups == {
        "Kazakhstan": "Asia",
        "Austria": "WEOG",
        "Bosnia & Herzegovina": "EEG",
        "Indonesia": "Asia",
        "Holy See": "Observer",
    }


# --- the real export -------------------------------------------------------

needs_real_data = pytest.mark.skipif(not REAL_CSV.exists(), reason="real UPR Info CSV missing")


@pytest.fixture(scope="module")
def real_result():
    return parse_upr_info(REAL_CSV.read_bytes(), REAL_CSV.name)


@needs_real_data
def test_real_export_counts(real_result):
    records = real_result.records
    assert len(records) == 35_667
    assert real_result.problems == []
    assert all(r.text and r.response in ("supported", "noted") for r in records)
    issues = {label.term for r in records for label in r.labels}
    assert len(issues) == 54
    assert {"Asylum-seekers - refugees", "HIV - Aids", "CP rights - general"} <= issues
    kazakhstan = [r for r in records if r.state_under_review == "Kazakhstan"]
    assert len(kazakhstan) == 327
    assert Counter(r.session for r in kazakhstan) == {"7": 129, "20": 198}


@needs_real_data
def test_real_export_filters_by_state_and_session():
    # Speed is measured in bench/, not asserted here: the machine is noisy.
    result = parse_upr_info(
        REAL_CSV.read_bytes(), REAL_CSV.name, state="Kazakhstan", sessions={"20"}
    )
    assert len(result.records) == 198


@needs_real_data
def test_real_regional_groups():
    groups = regional_groups(REAL_CSV.read_bytes())
    assert groups["Kazakhstan"] == "Asia"
    assert groups["Holy See"] == "Observer"
    assert "(Unknown)" not in groups
    assert set(groups.values()) == {"Africa", "Asia", "EEG", "GRULAC", "WEOG", "Observer"}
