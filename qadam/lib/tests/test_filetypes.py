import io
import zipfile

from qadam.lib.filetypes import extension_matches, sniff


def _zip(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, "<x/>")
    return buf.getvalue()


def test_sniff_knows_pdf_png_jpeg_and_text():
    assert sniff(b"%PDF-1.7 ...") == "pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff(b"\xff\xd8\xff\xe0....") == "jpeg"
    assert sniff("Отчёт о ходе работы".encode()) == "txt"


def test_sniff_tells_office_files_apart_by_their_contents():
    assert sniff(_zip("word/document.xml")) == "docx"
    assert sniff(_zip("xl/workbook.xml")) == "xlsx"


def test_sniff_refuses_executables_broken_zips_and_binary_junk():
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00") is None
    assert sniff(b"PK\x03\x04 truncated") is None
    assert sniff(_zip("payload.exe")) is None


def test_a_pdf_renamed_docx_does_not_match_its_extension():
    assert sniff(b"%PDF-1.4") == "pdf"
    assert not extension_matches("pdf", "report.docx")
    assert extension_matches("jpeg", "PHOTO.JPG")
