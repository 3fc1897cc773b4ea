"""Plan files, as the government lays them out and as Qadam's template does, read into
records; every unreadable file and row named with its file, row and field."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from qadam.lib.plan_table import (
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    LAYOUT_FOLLOW_UP,
    LAYOUT_TEMPLATE,
    MESSAGES,
    PLAN_COLUMNS,
    AgencyRef,
    ClusterRef,
    PlanTableError,
    RecommendationRef,
    build_plan_template_csv,
    build_plan_template_xlsx,
    follow_up_column,
    parse_amount,
    parse_cluster_ref,
    parse_plan_table,
    parse_recommendation_ref,
    split_agencies,
    text_language,
)

HEADER_EN = ["No.", "Name", "Outcome", "Implementation timeframe", "Agencies in charge"]
HEADER_RU = ["№ п/п", "Наименование мероприятия", "Форма завершения", "Срок исполнения",
             "Ответственные за исполнение"]  # fmt: skip
HEADER_KK = ["Р/с №", "Іс-шараның атауы", "Аяқтау нысаны", "Орындау мерзімі",
             "Орындауға жауаптылар"]  # fmt: skip

# Four real activities of the 2022 Follow-up Plan (decree No. 258 of 28 April 2022),
# as issue 3 quotes them; the fourth's outcome and agencies are not known to us.
ACTIVITIES: list[list[Any]] = [
    [1, "Developing mechanisms to prevent violence against women and children",
     "Proposal to the Presidential Administration", "By the end of 2022",
     "MIA, GPO (as agreed), MEAS, MLSP"],
    [2, "Proposal for accession to the International Labour Organization Convention No. 190 "
        "on the Elimination of Violence and Harassment in the Workplace",
     "Submitting proposals to the IMC on humanitarian law and human rights",
     "By the end of 2023", "MLSP, MIA, GPO (as agreed), MJ"],
    [3, "Promote the commitments made to improve gender policy at the local government level",
     "Proposal to the Presidential Administration", "August 2022",
     "MIPD, MNE, APS (as agreed), NCHR (as agreed), LEB"],
    [4, "Elaboration of the issue of increasing women's representation in public and business "
        "councils, as well as in consultative and advisory bodies", None, None, None],
]  # fmt: skip


def xlsx(rows: list[list[Any]], merges: tuple[str, ...] = (), title: str = "Sheet") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def follow_up_plan(activities: list[list[Any]] = ACTIVITIES) -> bytes:
    """Laid out like the 2022 plan: title rows, header, column numbers, a section."""
    return xlsx(
        [
            ["Follow-up Plan for Human Rights and the Rule of Law"],
            ["Approved by Government decree No. 258 of 28 April 2022"],
            [],
            HEADER_EN,
            [1, 2, 3, 4, 5],
            ["1. Protection of the rights of women and children"],
            *activities,
        ],
        merges=("A1:E1", "A2:E2", "A6:E6"),
    )


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    lines = [delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# --- the government's layout -------------------------------------------------------------


def test_the_2022_layout_gives_four_activities_with_row_numbers_and_flags() -> None:
    table = parse_plan_table(follow_up_plan(), "follow-up-2022.xlsx")
    assert table.layout == LAYOUT_FOLLOW_UP
    assert table.header_row == 4
    assert table.title.startswith("Follow-up Plan for Human Rights and the Rule of Law")
    assert table.sections == [(6, "1. Protection of the rights of women and children")]
    assert table.problems == []
    assert [(r.row, r.number) for r in table.records] == [(7, "1"), (8, "2"), (9, "3"), (10, "4")]
    first, _, third, fourth = table.records
    assert first.title == {"en": ACTIVITIES[0][1]}
    assert first.outcome == "Proposal to the Presidential Administration"
    assert first.timeframe == "By the end of 2022"
    assert first.agencies == [
        AgencyRef("MIA", "MIA", "lead", False),
        AgencyRef("GPO", "GPO (as agreed)", "co", True),
        AgencyRef("MEAS", "MEAS", "co", False),
        AgencyRef("MLSP", "MLSP", "co", False),
    ]
    assert first.flags == [] and first.section.startswith("1. Protection")
    assert [(a.name, a.as_agreed) for a in third.agencies] == [
        ("MIPD", False), ("MNE", False), ("APS", True), ("NCHR", True), ("LEB", False),
    ]  # fmt: skip
    # Activity 4: no outcome, agencies or timeframe: accepted and flagged.
    assert fourth.outcome == "" and fourth.agencies == [] and fourth.timeframe == ""
    assert fourth.flags == ["missing-outcome", "missing-agencies", "missing-timeframe"]
    assert fourth.to_json()["flags"] == fourth.flags


@pytest.mark.parametrize(("header", "language"), [(HEADER_RU, "ru"), (HEADER_KK, "kk")])
def test_russian_and_kazakh_headers_are_read(header: list[str], language: str) -> None:
    name = {
        "ru": "Разработка механизмов профилактики насилия в отношении женщин и детей",
        "kk": "Әйелдер мен балаларға қатысты зорлық-зомбылықтың алдын алу тетіктерін әзірлеу",
    }
    timeframe = {"ru": "до конца 2022 года", "kk": "2022 жылдың соңына дейін"}
    agencies = {"ru": "МВД, ГП (по согласованию), МОН, МТСЗН",
                "kk": "ІІМ, ГП (келісім бойынша), БҒМ, ЕХӘҚМ"}  # fmt: skip
    data = csv_bytes(
        [["План"], header, ["1.", name[language], "Предложение", timeframe[language],
                            agencies[language]]],
        delimiter=";",
    )  # fmt: skip
    table = parse_plan_table(data, "plan.csv")
    assert table.header_row == 2
    (record,) = table.records
    assert record.number == "1"
    assert record.title == {language: name[language]}
    assert [a.as_agreed for a in record.agencies] == [False, True, False, False]
    assert record.agencies[1].name == "ГП"


def test_a_two_row_header_with_lead_and_co_executors_under_one_merged_cell() -> None:
    data = xlsx(
        [
            ["No.", "Name", "Outcome", "Implementation timeframe", "Agencies in charge", None],
            [None, None, None, None, "Lead", "Co-executors"],
            [1, "Developing mechanisms", "Proposal", "2023", "MIA", "GPO (as agreed); MLSP"],
        ],
        merges=("E1:F1", "A1:A2", "B1:B2", "C1:C2", "D1:D2"),
    )
    (record,) = parse_plan_table(data, "plan.xlsx").records
    assert [(a.name, a.role, a.as_agreed, a.column) for a in record.agencies] == [
        ("MIA", "lead", False, "lead"),
        ("GPO", "co", True, "co_executors"),
        ("MLSP", "co", False, "co_executors"),
    ]


def test_rows_without_name_or_number_are_problems_and_numbers_are_unique() -> None:
    data = follow_up_plan(
        [
            [1, "First", "Report", "2023", "MIA"],
            [2, None, "Report", "2023", "MIA"],
            [None, "No number", "Report", "2023", "MIA"],
            ["1.", "Same number again", "Report", "2023", "MIA"],
            [7],  # a lone number: an activity without a name
        ]
    )
    table = parse_plan_table(data, "plan.xlsx")
    assert [r.number for r in table.records] == ["1"]
    assert [(p.row, p.field, p.code) for p in table.problems] == [
        (8, "name", "missing-name"),
        (9, "number", "missing-number"),
        (10, "number", "duplicate-number"),
        (11, "name", "missing-name"),
    ]
    assert str(table.problems[2]) == (
        "plan.xlsx, row 10, field number: number 1 is already used on row 7"
    )


def test_a_cell_with_line_breaks_splits_agencies() -> None:
    data = follow_up_plan([[1, "Act", "Report", "2023", "MIA\nGPO (as agreed)\nMLSP"]])
    (record,) = parse_plan_table(data, "plan.xlsx").records
    assert [a.name for a in record.agencies] == ["MIA", "GPO", "MLSP"]


# --- Qadam's template -------------------------------------------------------------------


def fill_template(rows: list[dict[str, str]]) -> bytes:
    workbook = load_workbook(io.BytesIO(build_plan_template_xlsx()))
    sheet = workbook[DATA_SHEET]
    for row in rows:
        sheet.append([row.get(column, "") for column in PLAN_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_template_has_its_columns_and_instructions() -> None:
    workbook = load_workbook(io.BytesIO(build_plan_template_xlsx()))
    assert workbook.sheetnames == [DATA_SHEET, INSTRUCTIONS_SHEET]
    header = [c.value for c in workbook[DATA_SHEET][1]]
    assert header == list(PLAN_COLUMNS)
    documented = [row[0].value for row in workbook[INSTRUCTIONS_SHEET].iter_rows(min_row=2)]
    assert documented[: len(PLAN_COLUMNS)] == list(PLAN_COLUMNS)
    assert build_plan_template_csv().decode("utf-8-sig").strip() == ",".join(PLAN_COLUMNS)
    with pytest.raises(PlanTableError) as exc:  # an empty template holds no activity
        parse_plan_table(build_plan_template_xlsx(), "template.xlsx")
    assert exc.value.code == "no-activities"


def test_a_filled_template_gives_every_field() -> None:
    data = fill_template(
        [
            {
                "number": "1.2",
                "title": "Developing mechanisms",
                "title_ru": "Разработка механизмов",
                "title_kk": "Тетіктерді әзірлеу",
                "outcome": "Proposal to the Presidential Administration",
                "timeframe": "IV квартал 2023 года",
                "deadline": "2023-12-15",
                "lead": "MIA",
                "co_executors": "GPO (as agreed), MLSP",
                "budget_planned": "15 000 000,50",
                "budget_currency": "kzt",
                "budget_source": "Republican budget",
                "recommendations": "A/HRC/28/10 124.15; A/HRC/28/10 124.16",
                "clusters": "A/HRC/28/10: Women's rights\nTorture and other CID treatment",
                "status": "In progress",
            }
        ]
    )
    table = parse_plan_table(data, "template.xlsx")
    assert table.layout == LAYOUT_TEMPLATE and table.problems == []
    (record,) = table.records
    assert record.row == 2 and record.number == "1.2"
    assert record.title == {"en": "Developing mechanisms", "ru": "Разработка механизмов",
                            "kk": "Тетіктерді әзірлеу"}  # fmt: skip
    assert record.deadline == date(2023, 12, 15)
    assert [(a.name, a.role, a.as_agreed, a.column) for a in record.agencies] == [
        ("MIA", "lead", False, "lead"),
        ("GPO", "co", True, "co_executors"),
        ("MLSP", "co", False, "co_executors"),
    ]
    assert record.budget_planned == Decimal("15000000.50") and record.budget_currency == "KZT"
    assert record.recommendations == [
        RecommendationRef("A/HRC/28/10", "124.15"), RecommendationRef("A/HRC/28/10", "124.16"),
    ]  # fmt: skip
    assert record.clusters == [
        ClusterRef("Women's rights", "A/HRC/28/10"), ClusterRef("Torture and other CID treatment"),
    ]  # fmt: skip
    assert record.status == "in-progress" and record.flags == []


def test_template_values_that_break_the_rules_are_named() -> None:
    data = fill_template(
        [
            {"number": "1", "title": "Ok", "timeframe": "2023", "lead": "MIA"},
            {"number": "2", "title": "Bad", "deadline": "31/12/2023", "budget_planned": "a lot",
             "budget_currency": "tenge", "status": "finished", "recommendations": "124.15",
             "lead": "MIA, MJ"},
            {"number": "3", "title_ru": "Без срока"},
        ]
    )  # fmt: skip
    table = parse_plan_table(data, "template.xlsx")
    assert [r.number for r in table.records] == ["1", "3"]
    assert table.records[1].title == {"ru": "Без срока"}
    assert table.records[1].flags == ["missing-outcome", "missing-agencies", "missing-timeframe"]
    assert [(p.row, p.field, p.code) for p in table.problems] == [
        (3, "deadline", "bad-deadline"),
        (3, "budget_planned", "bad-amount"),
        (3, "budget_currency", "bad-currency"),
        (3, "status", "bad-status"),
        (3, "lead", "lead-several"),
        (3, "recommendations", "bad-recommendation"),
    ]
    assert all(p.file == "template.xlsx" for p in table.problems)


def test_unknown_template_columns_are_a_file_error() -> None:
    data = csv_bytes([["number", "title", "lead", "priority"], ["1", "A", "MIA", "high"]])
    with pytest.raises(PlanTableError) as exc:
        parse_plan_table(data, "template.csv")
    assert (exc.value.code, exc.value.row, exc.value.field) == ("unknown-columns", 1, "priority")


# --- files that cannot be read ---------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


@pytest.mark.parametrize(
    ("data", "name", "code", "row"),
    [
        (b"", "plan.xlsx", "empty", 0),
        (b"  \n\n", "plan.csv", "empty", 0),
        (PDF, "plan.xlsx", "not-a-table", 0),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "plan.xls", "not-a-table", 0),
        (b"PK\x03\x04 not really a zip", "plan.xlsx", "unreadable", 0),
        ("No.;Name\n1;Å".encode("cp1252"), "plan.csv", "unreadable", 2),
        (csv_bytes([["a", "b"], ["1", "2"]]), "plan.csv", "no-header", 1),
        (csv_bytes([["No.", "Name", "Implementation timeframe"], ["1", "A", "2023"]]),
         "plan.csv", "missing-columns", 1),
        (b'No.,Name,Outcome,Implementation timeframe,Agencies in charge\r\n1,"Developing mech',
         "plan.csv", "truncated-csv", 2),
        (csv_bytes([HEADER_EN]), "plan.csv", "no-activities", 1),
    ],
)  # fmt: skip
def test_unreadable_files_raise_one_named_error(
    data: bytes, name: str, code: str, row: int
) -> None:
    with pytest.raises(PlanTableError) as exc:
        parse_plan_table(data, name)
    assert exc.value.code == code
    assert exc.value.file == name and exc.value.row == row
    assert str(exc.value).startswith(name)


def test_a_truncated_workbook_is_named_as_damaged() -> None:
    data = follow_up_plan()
    with pytest.raises(PlanTableError) as exc:
        parse_plan_table(data[: len(data) // 2], "plan.xlsx")
    assert exc.value.code == "unreadable"
    assert "damaged or truncated" in str(exc.value)


def test_a_word_document_is_not_a_plan() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(PlanTableError) as exc:
        parse_plan_table(out.getvalue(), "plan.xlsx")
    assert exc.value.code == "unreadable" and "Word document" in str(exc.value)


def test_the_missing_columns_error_names_them() -> None:
    data = csv_bytes([["No.", "Name", "Implementation timeframe"], ["1", "A", "2023"]])
    with pytest.raises(PlanTableError) as exc:
        parse_plan_table(data, "plan.csv")
    assert exc.value.field == "outcome"
    assert exc.value.params["columns"] == "Outcome, Agencies in charge"


# --- cells -----------------------------------------------------------------------------


def test_agency_cells() -> None:
    assert split_agencies("") == []
    assert split_agencies("MIA, GPO (as agreed), MEAS, MLSP")[1] == AgencyRef(
        "GPO", "GPO (as agreed)", "co", True
    )
    refs = split_agencies("Акиматы (областей, городов), ГП по согласованию; NCHR (by agreement)")
    assert [(r.name, r.as_agreed) for r in refs] == [
        ("Акиматы", False), ("ГП", True), ("NCHR", True),
    ]  # fmt: skip
    assert [r.role for r in split_agencies("MIA, MJ", "co", "co_executors")] == ["co", "co"]


def test_references_amounts_and_languages() -> None:
    assert parse_recommendation_ref("A/HRC/28/10 124.15") == RecommendationRef(
        "A/HRC/28/10", "124.15"
    )
    assert parse_recommendation_ref("124.15") is None
    assert parse_recommendation_ref("A/HRC/28/10 paragraph") is None
    assert parse_cluster_ref("A/HRC/28/10: Women's rights") == ClusterRef(
        "Women's rights", "A/HRC/28/10"
    )
    assert parse_cluster_ref("Justice: access") == ClusterRef("Justice: access")
    assert parse_amount("15,000,000.50") == Decimal("15000000.50")
    assert parse_amount("1 500 000") == Decimal("1500000")
    assert parse_amount("12,5") == Decimal("12.5")
    assert parse_amount("-3") is None and parse_amount("NaN") is None
    assert text_language("Developing") == "en"
    assert text_language("Разработка") == "ru"
    assert text_language("Әзірлеу") == "kk"


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("No.", "number"),
        ("№", "number"),
        ("Name of the activity", "name"),
        ("Form of completion", "outcome"),
        ("Deadline", "timeframe"),
        ("Срок исполнения", "timeframe"),
        ("Ответственные исполнители", "agencies"),
        ("Responsible for execution", "agencies"),
        ("Орындау мерзімі", "timeframe"),
        ("Follow-up Plan for Human Rights and the Rule of Law", None),
    ],
)
def test_header_spellings(header: str, column: str | None) -> None:
    assert follow_up_column(header) == column


def test_every_message_formats_with_its_parameters() -> None:
    params = {
        "kind": "a PDF document", "detail": "x", "rows": 20, "columns": "Name", "found": "'a'",
        "expected": "number", "column": "title", "number": "1", "first_row": 2, "value": "v",
        "allowed": "done", "count": 2,
    }  # fmt: skip
    for code, message in MESSAGES.items():
        assert "{" not in message.format(**params), code
