import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from qadam.lib.records import ImportFormatError
from qadam.lib.tabular import read_csv, read_table, read_xlsx, sniff_delimiter, split_multi


def synthetic_xlsx(rows, title_rows=(), sheet="Sheet", extra_sheets=()):
    """A workbook with optional title rows above the header (synthetic test data)."""
    workbook = openpyxl.Workbook()
    for name in extra_sheets:
        workbook.create_sheet(name).append(["not", "this", "one"])
    ws = workbook.active
    ws.title = sheet
    for row in (*title_rows, *rows):
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- CSV -------------------------------------------------------------------


def test_csv_rows_are_numbered_like_a_spreadsheet():
    data = b'text,states\n"two\nlines",France\n\n"third",Chile\n'
    table = read_csv(data, "synthetic.csv")
    assert table.header == ["text", "states"]
    # The quoted line break stays in one row; the blank row keeps its number.
    assert table.rows == [(2, ["two\nlines", "France"]), (4, ["third", "Chile"])]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_detected_from_the_header(delimiter):
    data = delimiter.join(["text", "response", "number"]).encode() + b"\nA,B;C\n"
    assert read_csv(data, "synthetic.csv").delimiter == delimiter


def test_delimiter_inside_quotes_is_ignored():
    assert sniff_delimiter('"a;b;c";"d, e";f\n') == ";"
    assert sniff_delimiter('"a;b;c",d\n') == ","


def test_csv_utf8_bom_is_accepted():
    table = read_csv("\ufefftext\nҚазақстан\n".encode(), "synthetic.csv")
    assert table.header == ["text"]
    assert table.rows == [(2, ["Қазақстан"])]


def test_csv_short_rows_are_padded_and_long_rows_are_reported():
    table = read_csv(b"a,b,c\n1\n1,2,3,4\n1,2,3,\n", "synthetic.csv")
    assert table.rows == [(2, ["1", "", ""]), (4, ["1", "2", "3"])]
    [problem] = table.problems
    assert (problem.file, problem.row, problem.field) == ("synthetic.csv", 3, "column 4")
    assert "4 cells" in problem.message


def test_csv_in_cp1252_names_row_and_column_and_says_how_to_fix_it():
    data = "text,state\nfine,France\nRatify,Côte d’Ivoire\n".encode("cp1252")
    with pytest.raises(ImportFormatError) as caught:
        read_csv(data, "synthetic.csv")
    error = caught.value
    assert (error.file, error.row, error.field) == ("synthetic.csv", 3, "state")
    assert "not UTF-8" in error.message
    assert "save it as UTF-8" in error.message


def test_csv_cut_inside_a_character_is_reported_as_truncated():
    data = "text\nҚазақстан\n".encode()[:-2]  # drops "\n" and half of "н"
    with pytest.raises(ImportFormatError, match="truncated") as caught:
        read_csv(data, "synthetic.csv")
    assert caught.value.row == 2


def test_utf16_csv_is_refused_with_advice():
    with pytest.raises(ImportFormatError, match="UTF-16"):
        read_csv("text\nx\n".encode("utf-16"), "synthetic.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"%PDF-1.7\n%binary", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office"),
        (b"text\x00\x01\x02", "binary"),
    ],
)
def test_unreadable_csv(data, message):
    with pytest.raises(ImportFormatError, match=message) as caught:
        read_csv(data, "synthetic.csv")
    assert caught.value.file == "synthetic.csv"


def test_missing_column_names_the_column_and_the_header_row():
    table = read_csv(b"To,From\nA,B\n", "synthetic.csv")
    with pytest.raises(ImportFormatError) as caught:
        table.require("Text")
    assert (caught.value.row, caught.value.field) == (1, "Text")
    assert "'To', 'From'" in caught.value.message


def test_header_matching_ignores_case_spaces_and_underscores():
    table = read_csv(b"Document Symbol,STATE_under_review\n", "synthetic.csv")
    assert table.find("document_symbol") == 0
    assert table.require("state under review") == 1


def test_duplicate_header_is_an_error():
    with pytest.raises(ImportFormatError, match="appears twice") as caught:
        read_csv(b"text,Text\n", "synthetic.csv")
    assert caught.value.field == "Text"


# --- XLSX ------------------------------------------------------------------


def test_xlsx_values_become_text():
    stamp = datetime(2014, 12, 12, 10, 30)  # noqa: DTZ001 - Excel cells carry no time zone
    data = synthetic_xlsx(
        [
            ("text", "session", "sdg", "date", "stamp"),
            ("Ratify", 20.0, 16.3, date(2014, 12, 12), stamp),
        ]
    )
    table = read_xlsx(data, "synthetic.xlsx")
    assert table.rows == [(2, ["Ratify", "20", "16.3", "2014-12-12", "2014-12-12T10:30:00"])]


def test_xlsx_header_below_title_rows_is_found_and_rows_keep_sheet_numbers():
    data = synthetic_xlsx(
        [("Text", "Themes"), ("A", "B"), (None, None), ("C", "D")],
        title_rows=[("Synthetic UHRI export",), ()],
    )
    table = read_xlsx(data, "synthetic.xlsx", header_hint=["Text"])
    assert table.header_row == 3
    assert table.rows == [(4, ["A", "B"]), (6, ["C", "D"])]


def test_xlsx_named_sheet_is_chosen():
    workbook = openpyxl.Workbook()
    workbook.active.append(["Instructions first"])
    workbook.create_sheet("Data").append(["text"])
    workbook["Data"].append(["hello"])
    out = io.BytesIO()
    workbook.save(out)
    table = read_xlsx(out.getvalue(), "synthetic.xlsx", sheet="data")
    assert table.rows == [(2, ["hello"])]


def test_read_table_tells_xlsx_from_csv_by_content_not_name():
    data = synthetic_xlsx([("text",), ("hello",)])
    assert read_table(data, "misnamed.csv").rows == [(2, ["hello"])]
    assert read_table(b"text\nhello\n", "misnamed.xlsx").rows == [(2, ["hello"])]


def test_truncated_xlsx():
    data = synthetic_xlsx([("text",), ("hello",)])
    with pytest.raises(ImportFormatError, match="damaged or truncated") as caught:
        read_xlsx(data[: len(data) // 2], "synthetic.xlsx")
    assert caught.value.file == "synthetic.xlsx"


def test_xlsx_with_a_corrupt_sheet():
    source = zipfile.ZipFile(io.BytesIO(synthetic_xlsx([("text",), ("hello",)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)
    with pytest.raises(ImportFormatError, match="cannot be read"):
        read_xlsx(out.getvalue(), "synthetic.xlsx")


def test_a_word_document_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFormatError, match="Word document"):
        read_xlsx(out.getvalue(), "synthetic.xlsx")


def test_pdf_renamed_xlsx():
    with pytest.raises(ImportFormatError, match="PDF"):
        read_table(b"%PDF-1.4\n...", "synthetic.xlsx")


def test_empty_sheet_has_no_header():
    with pytest.raises(ImportFormatError, match="no header"):
        read_xlsx(synthetic_xlsx([]), "synthetic.xlsx")


# --- cells -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("France; Lithuania", ["France", "Lithuania"]),
        ("France;;Lithuania;", ["France", "Lithuania"]),
        ("- Women & girls\n- Children\n", ["Women & girls", "Children"]),
        (
            "- Children: definition; general principles; protection",
            ["Children: definition; general principles; protection"],
        ),
        (
            "Children: definition; general principles; protection\nRight to education",
            [
                "Children: definition; general principles; protection",
                "Right to education",
            ],
        ),
        ("France; France", ["France"]),
        ("", []),
    ],
)
def test_split_multi(value, items):
    assert split_multi(value) == items
