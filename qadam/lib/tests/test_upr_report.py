"""Tests of the UPR Working Group report extractor and of the text matching.

The fixtures are small made-up reports in the real layout: title block, table of
contents, first paragraph with the session, the "Conclusions and/or
recommendations" section with its lead-ins, and the closing paragraph. They are
encoded the way real extractions arrive: Mac Roman or cp1252 with CR line ends.
"""

import csv
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

from qadam.lib.records import ImportFormatError
from qadam.lib.text import normalise_for_match
from qadam.lib.upr_match import match_records, match_score
from qadam.lib.upr_report import (
    classify_response,
    is_state_name,
    ordinal_to_int,
    parse_paragraph_references,
    parse_state_group,
    parse_upr_report,
    split_recommendations,
    split_states,
)

DATA_DIR = Path(os.environ.get("QADAM_DATA_DIR", "/work/shared/data"))
REPORTS = DATA_DIR / "upr-wg-reports"
UPR_INFO = DATA_DIR / "upr-info" / "recommendations.csv"

CLOSING = (
    "All conclusions and/or recommendations contained in the present report reflect "
    "the position of the submitting State(s) and/or the State under review. They should "
    "not be construed as endorsed by the Working Group as a whole."
)


def report(section: str, state: str = "Kazakhstan", body: str = "", closing: bool = True) -> str:
    """A made-up Working Group report around ``section`` (lines joined with LF)."""
    head = f"""
 United Nations
 A/HRC/28/10
 General Assembly
 Distr.: General
10 December 2014
Original: English
Human Rights Council
Twenty-eighth session
  Report of the Working Group on the Universal Periodic Review*
 * The annex to the present report is circulated as received.
  {state}
Contents
 Paragraphs Page
 II. Conclusions and/or recommendations .....................................  124–127 14
  Introduction
1. The Working Group on the Universal Periodic Review, established in accordance
with Human Rights Council resolution 5/1, held its twentieth session from 27 October
to 7 November 2014. The review of {state} was held at the 7th meeting.
{body}
 II. Conclusions and/or recommendations**
 ** The conclusions and recommendations have not been edited.
{section}
"""
    tail = f"127. {CLOSING}\n\nAnnex\nComposition of the delegation\n" if closing else ""
    return head + tail


def encode(text: str, codec: str = "mac_roman", newline: str = "\r") -> bytes:
    return text.replace("\n", newline).encode(codec)


CYCLE2_SECTION = """\
124. The following recommendations enjoy the support of Kazakhstan, which considers
that they have already been implemented:
124.1 Adopt legislative measures to criminalize torture (Mexico);
124.2 Ratify the Optional Protocol to the Convention against Torture (Maldives) (Portugal);
124.3 Consider ratifying the International Convention on the Protection of the Rights of
All Migrant Workers and Members of Their Families (Brazil, Chile);
A/HRC/28/10
GE.14-24579
12
124.4 Revise the Criminal Procedure Code to allow for a more equal distribution of
powers between prosecutors and defence (United Kingdom of Great Britain and Northern Ireland);
124.5 Grant to “non-traditional” religious groups the same rights in practice as
those enjoyed by other groups (Bolivarian Republic of Venezuela)2;
 2 The recommendation as read during the interactive dialogue: “Grant rights”.
124.6 Strengthen Kazakhstan’s cooperation with the special procedures (Iran (Islamic Republic of));
125. The following recommendations will be examined by Kazakhstan, which will provide
responses in due time, but no later than the twenty-eighth session of the Human Rights
Council:
125.1 Ratify the Rome Statute of the International Criminal Court (Latvia);
126. The following recommendations did not enjoy the support of Kazakhstan and would
thus be noted:
126.1 Abolish the death penalty for all crimes (Slovenia).
"""


@pytest.fixture(scope="module")
def cycle2():
    return parse_upr_report(encode(report(CYCLE2_SECTION)), "kazakhstan2014.txt")


def by_number(result):
    return {record.number: record for record in result.records}


# --- cycle 2 ------------------------------------------------------------------


def test_cycle2_numbers_and_texts(cycle2):
    records = by_number(cycle2)
    assert list(records) == ["124.1", "124.2", "124.3", "124.4", "124.5", "124.6", "125.1", "126.1"]
    assert records["124.1"].text == "Adopt legislative measures to criminalize torture"
    assert records["124.3"].text == (
        "Consider ratifying the International Convention on the Protection of the Rights "
        "of All Migrant Workers and Members of Their Families"
    )
    assert records["126.1"].text == "Abolish the death penalty for all crimes"


def test_cycle2_page_furniture_and_footnotes_are_dropped(cycle2):
    records = by_number(cycle2)
    assert "GE." not in records["124.3"].text and "A/HRC" not in records["124.3"].text
    assert records["124.5"].text == (
        "Grant to “non-traditional” religious groups the same rights in practice as "
        "those enjoyed by other groups"
    )
    assert records["124.5"].recommending_states == ["Bolivarian Republic of Venezuela"]
    assert "interactive dialogue" not in records["124.6"].text


def test_cycle2_recommending_states(cycle2):
    records = by_number(cycle2)
    assert records["124.1"].recommending_states == ["Mexico"]
    assert records["124.2"].recommending_states == ["Maldives", "Portugal"]
    assert records["124.3"].recommending_states == ["Brazil", "Chile"]
    assert records["124.4"].recommending_states == [
        "United Kingdom of Great Britain and Northern Ireland"
    ]
    assert records["124.6"].recommending_states == ["Iran (Islamic Republic of)"]
    assert (
        records["124.6"].text == "Strengthen Kazakhstan’s cooperation with the special procedures"
    )


def test_cycle2_responses_come_from_the_lead_ins(cycle2):
    records = by_number(cycle2)
    assert records["124.1"].response == "supported"
    assert records["125.1"].response == "pending"
    assert records["126.1"].response == "noted"
    assert records["126.1"].response_text == (
        "The following recommendations did not enjoy the support of Kazakhstan and would "
        "thus be noted:"
    )


def test_cycle2_document_facts_on_every_record(cycle2):
    assert cycle2.document == {
        "symbol": "A/HRC/28/10",
        "state_under_review": "Kazakhstan",
        "session": "20",
        "date": "2014-12-10",
    }
    for record in cycle2.records:
        assert record.mechanism == "UPR"
        assert record.session == "20"
        assert record.document_symbol == "A/HRC/28/10"
        assert record.state_under_review == "Kazakhstan"
        assert record.labels == []
    assert cycle2.problems == []


def test_rows_point_at_the_item_line(cycle2):
    lines = report(CYCLE2_SECTION).split("\n")
    for record in cycle2.records:
        assert lines[record.row - 1].startswith(record.number + " ")


@pytest.mark.parametrize(("codec", "newline"), [("cp1252", "\r\n"), ("utf-8", "\n")])
def test_same_result_in_other_encodings_and_line_ends(cycle2, codec, newline):
    other = parse_upr_report(encode(report(CYCLE2_SECTION), codec, newline), "k.txt")
    assert [r.to_json() for r in other.records] == [r.to_json() for r in cycle2.records]


def test_dotted_numbers_with_a_final_dot():
    section = (
        "70. The following recommendations enjoy the support of Guyana:\n"
        "70.1. Adopt national legislation on refugees (Argentina);\n"
        "70.2. Consider ratifying ILO Convention No. 169 (Norway).\n"
    )
    result = parse_upr_report(encode(report(section, "Guyana")), "guyana.txt")
    assert [(r.number, r.text) for r in result.records] == [
        ("70.1", "Adopt national legislation on refugees"),
        ("70.2", "Consider ratifying ILO Convention No. 169"),
    ]


def test_heading_in_capitals_and_paragraph_number_on_its_own_line():
    text = report("").replace(
        "Conclusions and/or recommendations**", "CONCLUSIONS AND/OR RECOMMENDATIONS"
    )
    text = text.replace(
        "127. All",
        "86. \nThe following recommendations enjoy the support of Kazakhstan:\n"
        "86.1 Combat domestic violence (Turkey);\n127. \nAll",
    )
    result = parse_upr_report(encode(text), "x.txt")
    assert [(r.number, r.text, r.response) for r in result.records] == [
        ("86.1", "Combat domestic violence", "supported")
    ]


def test_number_typo_that_continues_the_sequence_is_read_as_the_next_item():
    section = (
        "129. The following recommendations will be examined by Algeria:\n"
        "129.1 Ratify CED (Uruguay);\n"
        "128.2 \nReview its legislation on freedom of assembly (Mexico);\n"
        "129.3 Ratify OP-CAT (Slovenia);\n"
    )
    result = parse_upr_report(encode(report(section, "Algeria")), "x.txt")
    assert [(r.number, r.text) for r in result.records] == [
        ("129.1", "Ratify CED"),
        ("129.2", "Review its legislation on freedom of assembly"),
        ("129.3", "Ratify OP-CAT"),
    ]
    assert result.problems == []


def test_lead_in_without_the_word_recommendations_and_displaced_items():
    section = (
        "114. The following enjoy the support of Bolivia which considers that they are\n"
        "already implemented.\n"
        "114.1 Continue to ratify human rights instruments (Romania);\n"
        "114.3 Cooperate with treaty bodies (Israel);\n"
        "115. The recommendations below did not enjoy the support of Bolivia:\n"
        "114.2 Pursue its cooperation with human rights mechanisms (Benin);\n"
        "115.1 Provide a legislative framework on child labour (Germany);\n"
    )
    result = parse_upr_report(encode(report(section, "Bolivia")), "bolivia.txt")
    assert [(r.number, r.response) for r in result.records] == [
        ("114.1", "supported"),
        ("114.2", "supported"),
        ("114.3", "supported"),
        ("115.1", "noted"),
    ]
    assert result.problems == []
    assert "Pursue" not in result.records[-1].response_text


def test_table_of_contents_line_without_dot_leaders_is_not_the_heading(cycle2):
    text = re.sub(
        r"^ II\. Conclusions and/or recommendations \.+.*$",
        " II. Conclusions and/or recommendations 14",
        report(CYCLE2_SECTION),
        flags=re.M,
    )
    assert "....." not in text
    result = parse_upr_report(encode(text), "k.txt")
    assert [r.to_json() for r in result.records] == [r.to_json() for r in cycle2.records]


# --- cycle 1 ------------------------------------------------------------------

CYCLE1_SECTION = """\
11. The recommendations formulated during the interactive dialogue have been examined
by Kazakhstan and the recommendations listed below enjoy the support of Kazakhstan:
1.
Consider acceding to core international human rights instruments (Pakistan); Favourably
consider ratification of all core international human rights instruments (Norway);
2.
To strengthen efforts to combat discrimination against women (Brazil); to repeal
without delay all legislation that discriminates against women (Netherlands);
3. Abolish the death penalty (Azerbaijan, Spain, Sweden);
4. Consider (Slovenia, Latvia) issuing a standing invitation to the special procedures
(Uruguay, Hungary);
5. Ratify the OP-CAT (Chile); Ratify the OP-CAT (Togo);
6. Continue efforts to eradicate poverty (Cuba); and ensure that the benefits reach all
regions (Mali);
7. Take measures to protect journalists (Sweden, Ireland) and of the media (Canada);
8. Continue to support media initiatives on self-regulation (United Kingdom). COMMENTS:
The Government recognizes the right to freedom of expression.
9. Protect the rights of the child (Egypt);
10. Promote human rights education (Chile);
11. Strengthen the national human rights institution (Qatar);
12. Establish an inclusive process to follow up on the review (Norway).
13. The following recommendations will be examined by Kazakhstan, which will provide
responses in due course:
1. Ratify the Rome Statute (Latvia);
14. The recommendations below did not enjoy the support of Kazakhstan:
1. Decriminalize defamation (United States of America).
"""


@pytest.fixture(scope="module")
def cycle1():
    return parse_upr_report(encode(report(CYCLE1_SECTION)), "kazakhstan2010.txt")


def test_cycle1_numbers_are_paragraph_dot_item(cycle1):
    numbers = [record.number for record in cycle1.records]
    assert numbers[0] == "11.1" and numbers[-2:] == ["13.1", "14.1"]
    records = by_number(cycle1)
    assert records["13.1"].response == "pending"
    assert records["14.1"].response == "noted"
    assert records["11.12"].text == "Establish an inclusive process to follow up on the review"


def test_cycle1_item_number_equal_to_next_paragraph_number_is_resolved_by_text(cycle1):
    # Item 12 of paragraph 11 and paragraph 13 follow each other: "13." is a lead-in.
    assert by_number(cycle1)["13.1"].text == "Ratify the Rome Statute"


def test_cycle1_clusters_split_into_one_record_per_state_group(cycle1):
    parts = [(r.text, r.recommending_states) for r in cycle1.records if r.number == "11.1"]
    assert parts == [
        ("Consider acceding to core international human rights instruments", ["Pakistan"]),
        (
            "Favourably consider ratification of all core international human rights instruments",
            ["Norway"],
        ),
    ]
    parts = [(r.text, r.recommending_states) for r in cycle1.records if r.number == "11.2"]
    assert parts == [
        ("To strengthen efforts to combat discrimination against women", ["Brazil"]),
        (
            "To repeal without delay all legislation that discriminates against women",
            ["Netherlands"],
        ),
    ]
    parts = [(r.text, r.recommending_states) for r in cycle1.records if r.number == "11.6"]
    assert parts == [
        ("Continue efforts to eradicate poverty", ["Cuba"]),
        ("Ensure that the benefits reach all regions", ["Mali"]),
    ]


def test_cycle1_inline_attributions_stay_one_recommendation(cycle1):
    records = by_number(cycle1)
    assert records["11.3"].recommending_states == ["Azerbaijan", "Spain", "Sweden"]
    assert (
        records["11.4"].text == "Consider issuing a standing invitation to the special procedures"
    )
    assert records["11.4"].recommending_states == ["Slovenia", "Latvia", "Uruguay", "Hungary"]
    assert records["11.7"].text == "Take measures to protect journalists and of the media"
    assert records["11.7"].recommending_states == ["Sweden", "Ireland", "Canada"]


def test_cycle1_repeated_text_is_one_recommendation_of_several_states(cycle1):
    parts = [r for r in cycle1.records if r.number == "11.5"]
    assert [(r.text, r.recommending_states) for r in parts] == [
        ("Ratify the OP-CAT", ["Chile", "Togo"])
    ]


def test_cycle1_comment_after_the_last_recommendation_goes_to_response_text(cycle1):
    parts = [r for r in cycle1.records if r.number == "11.8"]
    assert [r.text for r in parts] == ["Continue to support media initiatives on self-regulation"]
    assert parts[0].response_text.endswith(
        "COMMENTS: The Government recognizes the right to freedom of expression."
    )


def test_early_report_response_from_the_paragraph_after_the_list():
    section = (
        "60. In the course of the discussion, the following recommendations were made to Gabon:\n"
        "1. To take the necessary measures to follow up on the recommendations of CEDAW (Canada);\n"
        "61. The response of Gabon to these recommendations will be included in the outcome "
        "report adopted by the Human Rights Council at its eighth session.\n"
        "62. During the first session, Gabon announced the following voluntary commitments:\n"
        "1. To establish a national human rights institution.\n"
    )
    result = parse_upr_report(encode(report(section, "Gabon")), "gabon2008.txt")
    assert len(result.records) == 1  # the voluntary commitments are not recommendations
    record = result.records[0]
    assert record.response == "pending"
    assert record.response_text.startswith("In the course of the discussion")
    assert "will be included in the outcome report" in record.response_text


def test_recommendations_cited_by_dialogue_paragraph():
    body = (
        "35. France congratulated Zambia on the progress made. France recommended that Zambia\n"
        "(a) adopt legislation abolishing the death penalty. It noted concerns and recommended\n"
        "that (b) polygamy be eliminated.\n"
        "36. The Russian Federation noted the situation and recommended that Zambia ratify "
        "the Convention on the Rights of Persons with Disabilities.\n"
        "37. Canada welcomed the report.\n"
    )
    section = (
        "58. The following recommendations enjoy the support of Zambia:\n"
        "1. To continue improving the living conditions of detainees (Algeria).\n"
        "59. The recommendations noted in paragraphs 35 (a) and (b) and 36 above did not enjoy "
        "the support of Zambia.\n"
    )
    result = parse_upr_report(encode(report(section, "Zambia", body)), "zambia2008.txt")
    cited = [(r.number, r.text, r.recommending_states, r.response) for r in result.records[1:]]
    assert cited == [
        ("35 (a)", "Adopt legislation abolishing the death penalty", ["France"], "noted"),
        ("35 (b)", "Recommended that polygamy be eliminated", ["France"], "noted"),
        (
            "36",
            "Ratify the Convention on the Rights of Persons with Disabilities",
            ["Russian Federation"],
            "noted",
        ),
    ]


def test_lone_recommendation_moved_after_the_closing_paragraph_is_recovered():
    section = (
        "101. The following recommendation will be examined by Kazakhstan, which will provide "
        "responses in due time:\n"
    )
    text = report(section).replace(
        "\n\nAnnex", "\nAbolish the death penalty by law (Albania).\n\nAnnex"
    )
    result = parse_upr_report(encode(text), "x.txt")
    assert [(r.text, r.recommending_states, r.response) for r in result.records] == [
        ("Abolish the death penalty by law", ["Albania"], "pending")
    ]


def test_numbering_gap_is_reported():
    section = (
        "124. The following recommendations enjoy the support of Kazakhstan:\n"
        "124.1 Combat domestic violence (Turkey);\n"
        "124.3 Ratify CED (Uruguay);\n"
    )
    result = parse_upr_report(encode(report(section)), "x.txt")
    row = report(section).split("\n").index("124.3 Ratify CED (Uruguay);") + 1
    assert [str(problem) for problem in result.problems] == [
        f"x.txt, row {row}, field number: no recommendation 124.2"
    ]


# --- bad input ----------------------------------------------------------------


def test_empty_file():
    with pytest.raises(ImportFormatError, match="empty file") as error:
        parse_upr_report(b"", "empty.txt")
    assert error.value.file == "empty.txt"
    with pytest.raises(ImportFormatError, match="empty file"):
        parse_upr_report(b" \r\r \r", "blank.txt")


def test_pdf_renamed_to_txt():
    with pytest.raises(ImportFormatError, match="PDF") as error:
        parse_upr_report(b"%PDF-1.5\n%\xb5\xb5\xb5\xb5\n1 0 obj\n<</Type/Catalog>>", "report.txt")
    assert str(error.value).startswith("report.txt: ")


def test_file_without_recommendations_section():
    text = "Report of the Working Group\nKazakhstan\n1. Some text about something else.\n"
    with pytest.raises(ImportFormatError, match='no "Conclusions and/or recommendations"'):
        parse_upr_report(text.encode(), "notes.txt")


def test_table_of_contents_line_alone_is_not_the_section():
    text = report("").split(" II. Conclusions and/or recommendations**")[0]
    with pytest.raises(ImportFormatError, match='no "Conclusions'):
        parse_upr_report(encode(text), "toc-only.txt")


def test_truncated_report_names_the_last_row_and_recommendation():
    with pytest.raises(ImportFormatError, match="truncated") as error:
        parse_upr_report(encode(report(CYCLE2_SECTION, closing=False)), "cut.txt")
    lines = report(CYCLE2_SECTION, closing=False).split("\n")
    assert error.value.field == "section"
    assert lines[error.value.row - 1].startswith("126.1 Abolish the death penalty")
    assert "126.1" in str(error.value)


def test_section_without_any_recommendation():
    section = "124. The Working Group thanked the delegation.\n"
    with pytest.raises(ImportFormatError, match="lists no recommendations"):
        parse_upr_report(encode(report(section)), "x.txt")


# --- helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "number"),
    [("first", 1), ("seventh", 7), ("twentieth", 20), ("twenty-first", 21), ("thirty second", 32),
     ("12th", 12), ("session", 0)],
)  # fmt: skip
def test_ordinal_to_int(word, number):
    assert ordinal_to_int(word) == number


@pytest.mark.parametrize(
    ("lead_in", "response"),
    [
        ("The following recommendations enjoy the support of Peru:", "supported"),
        ("The recommendations below did not enjoy the support of Kenya:", "noted"),
        ("The following recommendations did not enjoy the support of X and would thus be noted:",
         "noted"),
        ("The following recommendation is rejected by Morocco:", "noted"),
        ("The following recommendations will be examined by Japan, which will provide responses "
         "in due time:", "pending"),
        ("In the course of the discussion, the following recommendations were made to X:", ""),
        ("The following recommendations are partially supported by X:", "supported-in-part"),
    ],
)  # fmt: skip
def test_classify_response(lead_in, response):
    assert classify_response(lead_in) == response


@pytest.mark.parametrize(
    ("content", "states"),
    [
        ("Brazil, Chile", ["Brazil", "Chile"]),
        ("Slovenia, Mexico, United Kingdom and the Netherlands",
         ["Slovenia", "Mexico", "United Kingdom", "the Netherlands"]),
        ("Trinidad and Tobago", ["Trinidad and Tobago"]),
        ("Brazil/Spain", ["Brazil", "Spain"]),
        ("Venezuela (Bolivarian Republic of)", ["Venezuela (Bolivarian Republic of)"]),
        ("Democratic People’s Republic of Korea 1", ["Democratic People’s Republic of Korea"]),
        ("Newlandia", ["Newlandia"]),  # unknown name: fine as the last group
        ("CEDAW", []),
        ("see paragraph 6 above", []),
    ],
)  # fmt: skip
def test_parse_state_group(content, states):
    assert parse_state_group(content) == states


def test_known_state_names_in_un_and_iso_spellings():
    names = (
        "Bolivarian Republic of Venezuela",
        "Iran (Islamic Republic of)",
        "Türkiye",
        "Côte d’Ivoire",
        "the former Yugoslav Republic of Macedonia",
        "Viet Nam",
    )
    for name in names:
        assert is_state_name(name), name
    assert not is_state_name("Hague Convention")
    assert not is_state_name("ILO")


def test_split_states():
    assert split_states("140.7 Ratify X (Maldives) (Portugal);") == (
        "140.7 Ratify X",
        ["Maldives", "Portugal"],
    )
    assert split_states("Ratify the Convention (CRPD) (Italy).") == (
        "Ratify the Convention (CRPD)",
        ["Italy"],
    )
    assert split_states("No States here.") == ("No States here", [])


def test_split_recommendations_keeps_non_state_parentheses():
    assert split_recommendations(
        "Ratify the 1980 Hague Convention (Hague Convention). Canada acknowledges "
        "progress (Canada);"
    ) == [("Ratify the 1980 Hague Convention (Hague Convention). Canada acknowledges progress",
           ["Canada"])]  # fmt: skip


def test_parse_paragraph_references():
    text = "paragraphs 35 (b), 38 (a), (b) and (d), 80, 82 (b) and paragraph 103.1 above"
    assert parse_paragraph_references(text) == [
        (35, "b"), (38, "a"), (38, "b"), (38, "d"), (80, ""), (82, "b")
    ]  # fmt: skip


# --- matching -----------------------------------------------------------------


def test_match_is_many_to_one_and_reports_both_sides():
    report_texts = [
        "Abolish the death penalty for all crimes",
        "Ratify the Optional Protocol to the Convention against Torture",
        "Something only the report has, about fisheries and forestry",
    ]
    upr_info = [
        "Abolish the death penalty for all crimes.",  # made by State A
        "abolish the death penalty for all crimes",  # the same text, State B
        "To ratify the Optional Protocol to the Convention against Torture",
        "Introduce a gender quota in parliament",
    ]
    matching = match_records(report_texts, upr_info, threshold=0.8)
    assert sorted((p.report, p.upr_info) for p in matching.pairs) == [(0, 0), (0, 1), (1, 2)]
    assert matching.unmatched_report == [2]
    assert matching.unmatched_upr_info == [3]
    assert matching.upr_info_for(0) == [0, 1]
    assert matching.report_for(2) == [1]


def test_match_tolerates_a_recommendation_split_in_two():
    whole = (
        "Ratify the Optional Protocol to the Convention against Torture and establish "
        "a national preventive mechanism in line with the Protocol"
    )
    halves = [
        "Ratify the Optional Protocol to the Convention against Torture",
        "Establish a national preventive mechanism in line with the Protocol",
    ]
    matching = match_records([whole], halves, threshold=0.8)
    assert matching.unmatched_upr_info == [] and matching.unmatched_report == []


def test_match_score_bounds_and_empty_input():
    assert match_score("ratify ced", "ratify ced") == 1.0
    assert match_score("", "ratify ced") == 0.0
    empty = match_records([], ["x"], 0.8)
    assert empty.pairs == [] and empty.unmatched_upr_info == [0]


# --- the real reports -----------------------------------------------------------


def _upr_info_by_session():
    by_session = defaultdict(list)
    with UPR_INFO.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            by_session[row["Session"].strip()].append(row)
    return by_session


def _name_words(name):
    words = normalise_for_match(name).replace("(", " ").replace(")", " ").split()
    return {word for word in words if word not in {"the", "of", "and", "republic", "state"}}


@pytest.mark.skipif(not REPORTS.is_dir() or not UPR_INFO.is_file(), reason="no real data")
def test_real_reports_recall_and_precision_against_upr_info():
    """All 42 reports parse; where UPR Info covers the session, >= 98% both ways."""
    by_session = _upr_info_by_session()
    totals = [0, 0, 0, 0]  # matched truth, truth, matched extracted, extracted
    paths = sorted(REPORTS.glob("*.txt"))
    assert len(paths) == 42
    for path in paths:
        result = parse_upr_report(path.read_bytes(), path.name)
        assert result.records, path.name
        wanted = _name_words(result.document["state_under_review"])
        rows = [
            row
            for row in by_session.get(result.document["session"], [])
            if _name_words(row["To"]) and _name_words(row["To"]) <= wanted
        ]
        if not rows:
            continue  # UPR Info stops at session 18 (plus Kazakhstan's session 20)
        truth = list({normalise_for_match(row["Text"]): row["Text"] for row in rows}.values())
        extracted = [record.text for record in result.records]
        matching = match_records(extracted, truth, 0.8)
        totals[0] += len(truth) - len(matching.unmatched_upr_info)
        totals[1] += len(truth)
        totals[2] += len(extracted) - len(matching.unmatched_report)
        totals[3] += len(extracted)
    recall, precision = totals[0] / totals[1], totals[2] / totals[3]
    assert totals[1] > 3500
    assert recall >= 0.98, recall
    assert precision >= 0.98, precision


@pytest.mark.skipif(not REPORTS.is_dir(), reason="no real data")
@pytest.mark.parametrize(
    ("name", "symbol", "session", "count"),
    [
        ("kazakhstan2010.txt", "A/HRC/14/10", "7", 129),
        ("kazakhstan2014.txt", "A/HRC/28/10", "20", 194),
    ],
)
def test_real_kazakhstan_reports(name, symbol, session, count):
    result = parse_upr_report((REPORTS / name).read_bytes(), name)
    assert result.document["symbol"] == symbol
    assert result.document["session"] == session
    assert result.document["state_under_review"] == "Kazakhstan"
    assert len(result.records) == count
    assert all(record.recommending_states for record in result.records)
    assert {record.response for record in result.records} <= {"supported", "noted", "pending"}
