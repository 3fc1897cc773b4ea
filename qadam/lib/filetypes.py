"""Tell a file's real type from its first bytes, not from its name."""

from __future__ import annotations

import zipfile
from io import BytesIO

# type → (MIME type, extensions a user may give it)
KNOWN = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "txt": ("text/plain", (".txt",)),
}


def sniff(data: bytes) -> str | None:
    """The type key in KNOWN, or None when the bytes are none of them."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if b"\x00" not in data[:4096]:
        try:
            data[:4096].decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "txt"
    return None


def _sniff_zip(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except zipfile.BadZipFile:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        return "odt"
    return None


def extension_matches(kind: str, filename: str) -> bool:
    return filename.lower().endswith(KNOWN[kind][1])
