"""What a file is, judged by its content (magic bytes and structure), not by the name it was sent with.

Allowed: PDF, PNG, JPEG, Excel (.xlsx), Word (.docx), plain text and CSV (UTF-8 or GB18030). The name's
extension must agree with the content, so a renamed executable or a PDF sent as ``.png`` is refused.
Pure: takes the name and the bytes, returns the type or raises :class:`FileTypeRejected`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TEXT = "PDF、PNG、JPEG、Excel（.xlsx）、Word（.docx）、TXT、CSV"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


class FileTypeRejected(ValueError):
    """The content is not one of the allowed types, or does not match the name's extension."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class FileType:
    kind: str
    media_type: str
    extensions: tuple[str, ...]


_TYPES = {
    "pdf": FileType("pdf", "application/pdf", (".pdf",)),
    "png": FileType("png", "image/png", (".png",)),
    "jpeg": FileType("jpeg", "image/jpeg", (".jpg", ".jpeg")),
    "xlsx": FileType("xlsx", XLSX, (".xlsx",)),
    "docx": FileType("docx", DOCX, (".docx",)),
    "txt": FileType("txt", "text/plain", (".txt",)),
    "csv": FileType("csv", "text/csv", (".csv",)),
}


def clean_name(name: str) -> str:
    """The last path component, without control characters, at most 200 characters (keeping the extension)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _CONTROL.sub("", base).replace("\n", "").replace("\r", "").strip()
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return None


def _text_charset(content: bytes) -> str | None:
    if b"\x00" in content:
        return None
    for charset in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(charset)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            return None
        return "utf-8" if charset == "utf-8-sig" else charset
    return None


def sniff(content: bytes) -> tuple[str, str | None] | None:
    """The kind of the bytes (``pdf``/``png``/``jpeg``/``xlsx``/``docx``/``text``) and a text charset."""
    if content.startswith(b"%PDF-"):
        return "pdf", None
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", None
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg", None
    if content.startswith(b"PK\x03\x04"):
        kind = _zip_kind(content)
        return (kind, None) if kind else None
    charset = _text_charset(content)
    return ("text", charset) if charset else None


def detect(name: str, content: bytes) -> tuple[FileType, str]:
    """The allowed type of this upload and its media type (with charset for text), or raise."""
    ext = _extension(name)
    sniffed = sniff(content)
    if sniffed is None:
        raise FileTypeRejected(f"不支持的文件类型：仅允许上传 {ALLOWED_TEXT}", "file_type_not_allowed")
    kind, charset = sniffed
    if kind == "text":
        kind = "csv" if ext == ".csv" else "txt"
    file_type = _TYPES[kind]
    if ext not in file_type.extensions:
        if not any(ext in t.extensions for t in _TYPES.values()):
            raise FileTypeRejected(f"不支持的文件类型：仅允许上传 {ALLOWED_TEXT}", "file_type_not_allowed")
        raise FileTypeRejected(
            f"文件内容与扩展名不符：内容为 {kind.upper()}，扩展名为 {ext or '（无）'}", "file_type_mismatch"
        )
    media_type = f"{file_type.media_type}; charset={charset}" if charset else file_type.media_type
    return file_type, media_type
