"""Decode legacy text files whose encoding nobody wrote down.

UN documents reach us as text extracted years ago on Windows and classic Mac OS
machines: UTF-8 with or without a BOM, UTF-16, Windows-1252, Latin-1 or Mac Roman
(Russian files: Windows-1251 or KOI8-R), with LF, CRLF or bare CR line ends.
Byte-order marks and strict UTF-8 are decisive. For 8-bit files every candidate
decodes *something*, so each candidate is scored by how plausible its non-ASCII
characters look in context, and the best one wins.

Why a scorer and not charset-normalizer: these files are English with a handful of
non-ASCII bytes, nearly all typographic punctuation, and the same byte is a curly
quote in one code page and an accented capital in the other: 0xD5 is ``’`` in Mac
Roman but ``Õ`` in cp1252, 0xD2/0xD3 are ``“ ”`` in Mac Roman but ``Ò Ó`` in cp1252,
0xD0 is ``–`` but ``Ð``; the other way round, cp1252's 0x92/0x93/0x94/0x96 read as
``í ì î ñ`` in Mac Roman. A statistical detector has too little signal to choose.
Context does:

* an apostrophe between letters, a quote opening before a word or closing after
  one, a dash next to a space or digit: plausible (+2, +1.5);
* an accented letter inside a word of one script with a sane case pattern
  (``café``, ``Côte``): mildly plausible (+0.5), since English text has few;
* a capital glued into a lower-case word (``KazakhstanÕs``, ``ÒquoteÓ``), a word
  mixing scripts, or a "Latin" word made mostly of accented letters (Cyrillic read
  in the wrong code page): implausible (-2 per letter);
* C1 control characters (Latin-1 reading of 0x80-0x9F) and stray symbols such as
  ``¥ ∂ √``: implausible (-5, -1.5).

Mac Roman text read as cp1252 thus loses on every apostrophe and quote, and cp1252
text read as Mac Roman gains only +0.5 per ``í`` where cp1252 gains +2 per ``’``.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from qadam.lib.records import ImportFormatError

# Tried in this order; on a tie the earlier one wins. cp1252 before latin-1 because
# they agree except on 0x80-0x9F, where latin-1 yields control characters. cp1251 and
# KOI8-R are here because Kazakhstan's own legacy files are often Russian; the case
# pattern of words tells them apart (their upper and lower halves are swapped).
CANDIDATES = ("cp1252", "mac_roman", "latin-1", "cp1251", "koi8_r")

# Formats that are clearly not text, by their first bytes, to name them in the error.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (DOCX/XLSX?)"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (DOC/XLS?)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
)

_APOSTROPHES = "’‘‛′"
_OPEN_QUOTES = "“„«‹"
_CLOSE_QUOTES = "”»›″"
_DASHES = "–—‐‑‒―−"
_BULLETS = "•·◦▪"
# Symbols that do turn up in real documents; anything else in categories S* is odd.
_HARMLESS_SYMBOLS = "©®°§€£™¶"
# Control bytes that text never contains (tab, LF, VT, FF, CR and ESC excluded).
_CONTROL_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1B)) | {0x1C, 0x1D}


def decode_legacy(data: bytes, filename: str) -> str:
    """Decode ``data`` to text with LF line ends, or raise ImportFormatError.

    Raises for binary data (NUL or control bytes, known binary signatures) and for
    bytes that no candidate encoding turns into plausible text.
    """
    encoding = detect_encoding(data, filename)
    try:
        # utf-8-sig, utf-16 and utf-32 consume their own BOM.
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:  # only possible for the BOM-declared encodings
        raise ImportFormatError(
            filename, f"not valid {encoding} text at byte {exc.start}", field="encoding"
        ) from exc
    return normalise_newlines(text)


def normalise_newlines(text: str) -> str:
    """CRLF and bare CR (classic Mac OS) become LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect_encoding(data: bytes, filename: str = "<bytes>") -> str:
    """The Python codec name that best decodes ``data``; raises for binary data."""
    declared = _bom_encoding(data)
    if declared:
        return declared
    _reject_binary(data, filename)
    bomless_utf16 = _guess_bomless_utf16(data)
    if bomless_utf16:
        return bomless_utf16
    if b"\x00" in data:
        raise ImportFormatError(filename, "binary data (NUL bytes), not a text file")
    controls = sum(1 for byte in data if byte in _CONTROL_BYTES)
    if controls > max(2, len(data) // 200):
        raise ImportFormatError(filename, "binary data (control bytes), not a text file")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    return _best_8bit(data, filename)


def _bom_encoding(data: bytes) -> str:
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return ""


def _reject_binary(data: bytes, filename: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFormatError(filename, f"binary data ({what}), not a text file")


def _guess_bomless_utf16(data: bytes) -> str:
    """UTF-16 without BOM: NULs on one byte parity only (mostly-ASCII text)."""
    if len(data) < 4 or len(data) % 2:
        return ""
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    for nuls, other, codec in (
        (odd_nuls, even_nuls, "utf-16-le"),
        (even_nuls, odd_nuls, "utf-16-be"),
    ):
        if nuls > 0.6 * half and other == 0:
            try:
                data.decode(codec)
            except UnicodeDecodeError:
                return ""
            return codec
    return ""


def _best_8bit(data: bytes, filename: str) -> str:
    best_codec, best_score = "", float("-inf")
    high = sum(1 for byte in data if byte >= 0x80)
    for codec in CANDIDATES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if score > best_score:
            best_codec, best_score = codec, score
    # Every non-ASCII character implausible on average: not text we can read.
    if not best_codec or best_score < -1.0 * high:
        raise ImportFormatError(
            filename, "undecodable text: no known encoding gives plausible characters"
        )
    return best_codec


_FOREIGN_CHAR = re.compile(r"[^\x00-\x7f]")


def plausibility(text: str) -> float:
    """Higher is more plausible: the sum of per-character scores of non-ASCII text.

    Punctuation is scored by its neighbours, letters by the word they sit in.
    Only non-ASCII characters are visited: they are all that differs between
    the candidate decodings.
    """
    score = 0.0
    scored_words: set[int] = set()
    for match in _FOREIGN_CHAR.finditer(text):
        char, index = match.group(), match.start()
        if char.isalpha():
            start, end = _word_span(text, index)
            if start not in scored_words:
                scored_words.add(start)
                score += _word_score(text[start:end])
            continue
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        score += _char_score(before, char, after)
    return score


def _word_span(text: str, index: int) -> tuple[int, int]:
    start, end = index, index + 1
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return start, end


def _word_score(word: str) -> float:
    """Accented letters are fine inside a word of one script with a sane case pattern."""
    foreign = sum(1 for char in word if ord(char) >= 0x80)
    scripts = {_script(char) for char in word}
    sane_case = word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())
    if len(scripts) > 1 or not sane_case:
        return -2.0 * foreign
    # Latin words carry mostly plain ASCII letters; a run of accented ones is a
    # Cyrillic (or other) text read in the wrong code page.
    if scripts == {"LATIN"} and len(word) >= 3 and foreign * 2 > len(word):
        return -2.0 * foreign
    return 0.5 * foreign


def _script(char: str) -> str:
    name = unicodedata.name(char, "UNKNOWN")
    return name.split(" ", 1)[0]


def _char_score(before: str, char: str, after: str) -> float:
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Co", "Cn"):
        return -5.0
    if char in _APOSTROPHES:
        return 2.0 if before.isalpha() or after.isalpha() else -0.5
    if char in _OPEN_QUOTES:
        return 2.0 if not before.isalnum() and not after.isspace() else -0.5
    if char in _CLOSE_QUOTES:
        return 2.0 if not after.isalnum() and not before.isspace() else -0.5
    if char in _DASHES:
        return 1.5 if before.isspace() or after.isspace() or before.isdigit() else 0.5
    if char in _BULLETS:
        return 1.0 if after.isspace() else -0.5
    if char == "…" or category == "Zs":
        return 1.0
    if category.startswith("S"):
        return 0.0 if char in _HARMLESS_SYMBOLS else -1.5
    return 0.0
