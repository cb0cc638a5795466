"""Text files (CSV, JSON Lines): tell text from binary, find the encoding, locate a bad byte.

Encodings, in order: a BOM (UTF-8, UTF-16) decides; else strict UTF-8; else GB18030 (a superset of
GBK and GB2312, what Chinese Excel and WPS write by default); else what charset-normalizer finds,
from a short list of plausible ones. UTF-8 and GB18030 come first because charset-normalizer, on a
short Chinese sample, sometimes names an exotic code page that decodes it to nonsense. (A Big5 file
decodes as GB18030 too, wrongly: Big5 is not expected here.)

A file cut in the middle of its last character (a download or copy interrupted) still reads: the
incomplete bytes at the very end are dropped and a warning says the last row may be incomplete. A
bad byte anywhere else is an error naming its offset and line.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from dataasset.discovery.types import EMPTY_FILE, NOT_TEXT, UNDECODABLE, DiscoveryError

HEAD_BYTES = 64 * 1024
LONG_HEAD_BYTES = 4 * 1024 * 1024
_CHUNK = 1 << 20

_MAGIC: list[tuple[bytes, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", ""),
    (b"%PDF-", "PDF 文档", ""),
    (b"\xff\xd8\xff", "JPEG 图片", ""),
    (b"GIF87a", "GIF 图片", ""),
    (b"GIF89a", "GIF 图片", ""),
    (b"\x1f\x8b", "GZIP 压缩文件", "请先解压"),
    (b"BZh", "BZIP2 压缩文件", "请先解压"),
    (b"\xfd7zXZ\x00", "XZ 压缩文件", "请先解压"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip 压缩文件", "请先解压"),
    (b"Rar!\x1a\x07", "RAR 压缩文件", "请先解压"),
    (b"SQLite format 3\x00", "SQLite 数据库", "请将扩展名改为 .db 或 .sqlite"),
    (b"PAR1", "Parquet 文件", "请将扩展名改为 .parquet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文件（.xls/.doc）", "Excel 文件请将扩展名改为 .xls"),
]
_PLAUSIBLE = {
    "big5",
    "cp950",
    "big5hkscs",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
    "utf_16",
    "utf_32",
}
_PLAUSIBLE |= {"latin_1", "iso8859_1", "cp1252", "iso8859_15"}


def binary_kind(head: bytes) -> tuple[str, str] | None:
    """``(what it is, what to do)`` when the bytes start like a known binary format."""
    for magic, kind, todo in _MAGIC:
        if head.startswith(magic):
            return kind, todo
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(head)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            names = set()
        if any(n.startswith("xl/") for n in names) or b"xl/" in head[:2048]:
            return "Excel 工作簿（.xlsx）", "请将扩展名改为 .xlsx，或在 Excel 中另存为 CSV"
        if any(n.startswith("word/") for n in names) or b"word/" in head[:2048]:
            return "Word 文档（.docx）", ""
        return "ZIP 压缩包", "请先解压"
    return None


@dataclass
class TextInfo:
    """What :func:`sniff_text` learnt from the head of a file."""

    encoding: str  # Python codec name; pyarrow takes the same ("utf8" needs no transcoding)
    bom: int  # bytes of byte-order mark at the start
    text: str  # the decoded head (complete lines only unless the whole file was read)
    complete: bool  # the head is the whole file
    drop_tail: int = 0  # bytes of an incomplete last character to leave out
    warnings: list[str] = field(default_factory=list)

    @property
    def pyarrow_encoding(self) -> str:
        return "utf8" if self.encoding in {"utf-8", "utf-8-sig"} else self.encoding


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _decodes(data: bytes, encoding: str, final: bool) -> tuple[str | None, int | None]:
    """``(text, None)`` when ``data`` decodes (an incomplete last character allowed unless
    ``final``), else ``(None, offset of the first bad byte)``."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        return decoder.decode(data, final=final), None
    except UnicodeDecodeError as exc:
        return None, exc.start


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def sniff_text(
    path: Path, size: int, display: str, what: str = "CSV 文本", encoding: str | None = None
) -> TextInfo:
    """Read the head of a text file and decide its encoding (or check the one given); raise NOT_TEXT
    for a binary file, EMPTY_FILE for a file of only blanks, UNDECODABLE (with the byte offset) when
    no encoding fits."""
    head = read_head(path)
    if len(head) < size and b"\n" not in head and b"\r" not in head:
        head = read_head(path, LONG_HEAD_BYTES)  # a very wide header: read on to its end
    complete = len(head) >= size
    kind = binary_kind(head)
    if kind:
        todo = f"：{kind[1]}" if kind[1] else "：请上传 CSV 文本文件"
        raise DiscoveryError(f"文件“{display}”的内容是{kind[0]}，不是{what}{todo}", code=NOT_TEXT)
    bom, fixed = 0, ""
    if head.startswith(codecs.BOM_UTF8):
        bom, fixed = 3, "utf-8-sig"
    elif head.startswith(codecs.BOM_UTF16_LE):
        bom, fixed = 2, "utf-16-le"
    elif head.startswith(codecs.BOM_UTF16_BE):
        bom, fixed = 2, "utf-16-be"
    if encoding:
        try:
            given = codecs.lookup(encoding).name
        except LookupError:
            raise DiscoveryError(
                f"不认识的编码“{encoding}”：请使用 utf-8、gb18030 等编码名", code=UNDECODABLE
            ) from None
        fixed = "utf-8-sig" if given == "utf-8" and bom == 3 else given
        bom = bom if fixed in {"utf-8-sig", "utf-16-le", "utf-16-be"} else 0
    if not fixed.startswith(("utf-16", "utf-32")) and b"\x00" in head:
        offset = head.index(b"\x00")
        raise DiscoveryError(
            f"文件“{display}”不是{what}：第 {offset} 字节（第 {_line_of(head, offset)} 行）是空字节（NUL），"
            "这通常是二进制文件、损坏的文件或无 BOM 的 UTF-16 文本。"
            "请从源系统重新导出为 CSV（UTF-8）后重新上传",
            code=NOT_TEXT,
        )
    text: str | None = None
    first_bad: int | None = None
    drop_tail = 0
    encoding = ""
    for candidate in [fixed] if fixed else ["utf-8", "gb18030"]:
        drop_tail = tail_to_drop(path, size, candidate) if complete else 0
        body = head[: len(head) - drop_tail]
        codec = "utf-8" if candidate == "utf-8-sig" else candidate
        text, bad = _decodes(body[bom:], codec, final=complete)
        if text is not None:
            encoding = candidate
            break
        if first_bad is None and bad is not None:
            first_bad = bad + bom
    if text is None and not fixed:
        encoding, text = _normalizer_guess(head, complete)
        drop_tail = 0
    if text is None:
        offset = first_bad or 0
        raise DiscoveryError(
            f"文件“{display}”无法识别编码：第 {offset} 字节（第 {_line_of(head, offset)} 行）"
            "既不是有效的 UTF-8，也不是 GBK/GB18030。"
            "请用 Excel 或 WPS 打开后另存为“CSV UTF-8（逗号分隔）”再上传",
            code=UNDECODABLE,
        )
    if not complete:
        drop_tail = tail_to_drop(path, size, encoding)
        cut = _last_newline(text)
        text = text[:cut] if cut > 0 else text
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DiscoveryError(
            f"文件“{display}”没有任何内容（只有空白）：请检查导出是否成功后重新上传", code=EMPTY_FILE
        )
    info = TextInfo(encoding=encoding, bom=bom, text=text, complete=complete, drop_tail=drop_tail)
    if drop_tail:
        info.warnings.append(
            "文件末尾有一个不完整的字符（缺少字节，文件可能在下载或复制时被截断），"
            f"已忽略最后 {drop_tail} 个字节："
            "请核对最后一行数据是否完整"
        )
    return info


def _last_newline(text: str) -> int:
    return max(text.rfind("\n"), text.rfind("\r")) + 1


def _normalizer_guess(data: bytes, complete: bool) -> tuple[str, str | None]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return "", None
    name = codecs.lookup(best.encoding).name.replace("-", "_")
    if name not in _PLAUSIBLE:
        return "", None
    text, _ = _decodes(data, name, final=complete)
    return (name, text) if text is not None else ("", None)


def tail_to_drop(path: Path, size: int, encoding: str) -> int:
    """How many bytes at the end of the file form an incomplete character (0 when none, or when it
    cannot be told). Decodes the tail from just after its last line break — no multibyte character
    of UTF-8 or GB18030 contains the byte 0x0A — so the decoder starts on a character boundary."""
    if encoding.startswith("utf-16"):
        return (size - 2) % 2
    with path.open("rb") as handle:
        start = max(0, size - HEAD_BYTES)
        handle.seek(start)
        tail = handle.read()
    newline = tail.rfind(b"\n")
    if newline >= 0:
        tail = tail[newline + 1 :]
    elif start > 0:
        return 0
    elif encoding == "utf-8-sig" and tail.startswith(codecs.BOM_UTF8):
        tail = tail[3:]
    decoder = codecs.getincrementaldecoder("utf-8" if encoding == "utf-8-sig" else encoding)("strict")
    try:
        decoder.decode(tail, final=False)
    except UnicodeDecodeError:
        return 0
    pending = decoder.getstate()[0]
    return len(pending) if isinstance(pending, bytes) else 0


def find_bad_byte(
    path: Path, encoding: str, start: int = 0, stop: int | None = None
) -> tuple[int, int] | None:
    """``(byte offset, line number)`` of the first byte that does not decode, scanning the whole file
    (called only after a read failed, to tell the user where)."""
    codec = "utf-8" if encoding in {"utf8", "utf-8-sig"} else encoding
    decoder = codecs.getincrementaldecoder(codec)("strict")
    position, lines = start, 1
    with path.open("rb") as handle:
        if start:
            lines += _count_newlines(handle, start)
            handle.seek(start)
        if encoding == "utf-8-sig" and start == 0:
            bom = handle.read(3)
            if bom != codecs.BOM_UTF8:
                handle.seek(0)
            else:
                position = 3
        while True:
            want = _CHUNK if stop is None else min(_CHUNK, stop - position)
            chunk = handle.read(want) if want > 0 else b""
            pending = decoder.getstate()[0]
            pending = pending if isinstance(pending, bytes) else b""
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                offset = position - len(pending) + exc.start
                return offset, lines + data.count(b"\n", 0, exc.start) - pending.count(b"\n")
            if not chunk:
                return None
            lines += chunk.count(b"\n")
            position += len(chunk)


def _count_newlines(handle: BinaryIO, stop: int) -> int:
    handle.seek(0)
    count, left = 0, stop
    while left > 0:
        chunk = handle.read(min(_CHUNK, left))
        if not chunk:
            break
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


class LimitedReader(io.RawIOBase):
    """A file read from ``start`` up to ``stop`` (exclusive), for pyarrow's readers: it skips what
    was already parsed (the header) and leaves out an incomplete last character."""

    def __init__(self, path: Path, start: int, stop: int) -> None:
        super().__init__()
        self._handle = path.open("rb")
        self._handle.seek(start)
        self._left = max(0, stop - start)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        view = memoryview(buffer)
        n = self._handle.readinto(view[: min(len(view), self._left)])
        n = n or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._handle.close()
        super().close()
