import codecs

import pytest

from qadam.lib.encoding import decode_legacy, detect_encoding, normalise_newlines
from qadam.lib.records import ImportFormatError

# Typical UN-report punctuation: curly apostrophe and quotes, en dash, an accent.
TEXT = (
    "Kazakhstan’s delegation welcomed the “non-traditional” groups – and Côte d’Ivoire.\n"
    "Ensure the rights of persons with disabilities (Bolivarian Republic of Venezuela);\n"
)


@pytest.mark.parametrize("codec", ["cp1252", "mac_roman"])
def test_legacy_code_pages_round_trip(codec):
    data = TEXT.encode(codec)
    assert detect_encoding(data) == codec
    assert decode_legacy(data, "report.txt") == TEXT


def test_mac_roman_curly_quotes_are_not_read_as_cp1252_capitals():
    # 0xD5 0xD2 0xD3 0xD0 are ’ “ ” – in Mac Roman but Õ Ò Ó Ð in cp1252.
    data = b"Kazakhstan\xd5s \xd2non-traditional\xd3 groups \xd0 religious"
    assert decode_legacy(data, "x.txt") == "Kazakhstan’s “non-traditional” groups – religious"


def test_cp1252_curly_quotes_are_not_read_as_mac_roman_letters():
    # 0x92 0x93 0x94 0x96 are ’ “ ” – in cp1252 but í ì î ñ in Mac Roman.
    data = b"Kazakhstan\x92s \x93non-traditional\x94 groups \x96 religious"
    assert decode_legacy(data, "x.txt") == "Kazakhstan’s “non-traditional” groups – religious"


def test_latin1_accents_decode_as_written():
    text = "La délégation a souligné le rôle de la société civile à Genève.\n"
    assert decode_legacy(text.encode("latin-1"), "x.txt") == text


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r", "utf-8"])
def test_russian_text(codec):
    text = "Рекомендация Казахстану: обеспечить свободу выражения мнений (Германия);\n"
    assert decode_legacy(text.encode(codec), "ru.txt") == text


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-32"), "utf-32"),
    ],
)
def test_unicode_with_and_without_byte_order_mark(data, codec):
    assert detect_encoding(data) == codec
    assert decode_legacy(data, "x.txt") == TEXT


def test_bom_is_not_part_of_the_text():
    assert decode_legacy(codecs.BOM_UTF8 + b"Text", "x.txt") == "Text"


@pytest.mark.parametrize("newline", [b"\r", b"\r\n", b"\n"])
def test_line_endings_become_lf(newline):
    data = newline.join([b"124.1 Adopt", b"legislation (Mexico);", b""])
    assert decode_legacy(data, "x.txt") == "124.1 Adopt\nlegislation (Mexico);\n"


def test_mixed_line_endings():
    assert normalise_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_ascii_and_empty():
    assert decode_legacy(b"plain ASCII\r", "x.txt") == "plain ASCII\n"
    assert decode_legacy(b"", "x.txt") == ""


def test_pdf_renamed_to_txt_is_refused_by_name():
    data = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\x00\x01\x02"
    with pytest.raises(ImportFormatError) as error:
        decode_legacy(data, "kazakhstan2014.txt")
    assert error.value.file == "kazakhstan2014.txt"
    assert "PDF" in str(error.value)


def test_nul_bytes_mean_binary():
    with pytest.raises(ImportFormatError, match="binary"):
        decode_legacy(b"some text\x00\x00\x07\x00more", "x.txt")


def test_control_bytes_mean_binary():
    with pytest.raises(ImportFormatError, match="binary"):
        decode_legacy(bytes(range(1, 8)) * 20 + b"text", "x.txt")


def test_docx_is_refused():
    with pytest.raises(ImportFormatError, match="ZIP"):
        decode_legacy(b"PK\x03\x04\x14\x00\x06\x00", "list.txt")


def test_invalid_bytes_after_a_utf16_bom():
    with pytest.raises(ImportFormatError) as error:
        decode_legacy(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "x.txt")  # lone surrogate
    assert error.value.field == "encoding"


def test_bytes_no_code_page_makes_plausible_are_refused():
    with pytest.raises(ImportFormatError, match="undecodable"):
        decode_legacy(bytes(range(0x80, 0x100)) * 4, "x.txt")
