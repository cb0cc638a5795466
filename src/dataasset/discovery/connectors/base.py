"""What every connector is, the registry they sit in, and the pieces they share: the batch iterator
that releases its source however the pass ends, header names made unique, file checks."""

from __future__ import annotations

import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery.types import (
    EMPTY_FILE,
    NO_SUCH_TABLE,
    TOO_LARGE,
    UNREACHABLE,
    DiscoveryError,
    TableRef,
    TableStream,
)

BATCH_ROWS = 65_536  # rows per Arrow batch a connector yields (about; CSV batches follow blocks)
Options = dict[str, Any]


class Connector(ABC):
    """One source (a file or a database) opened for discovery. Cheap to construct: nothing is read
    or connected before the first call. Use as a context manager or call :meth:`close`."""

    name: ClassVar[str]  # registry key: csv, excel, parquet, jsonl, sqlite, postgresql, mysql
    label: ClassVar[str]  # what it reads, in Chinese, for messages

    def __init__(self, source: str, options: Options | None = None) -> None:
        self.source = source
        self.options: Options = dict(options or {})

    @abstractmethod
    def tables(self) -> list[TableRef]:
        """The tables offered (sheets of a workbook, the file itself, tables and views of a database)."""

    @abstractmethod
    def open(self, table: str, sample: int | None = None) -> TableStream:
        """Open ``table`` for one streaming pass; at most ``sample`` rows when given, else every row."""

    def test(self) -> None:
        """Raise :class:`DiscoveryError` when the source cannot be read (unreachable, wrong password,
        not the format it claims to be)."""
        self.tables()

    def close(self) -> None:  # noqa: B027 - most connectors hold nothing between calls
        """Release what the connector holds (a connection, a workbook)."""

    def __enter__(self) -> Connector:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        from dataasset.discovery.connectors.urls import mask_url

        return f"<{type(self).__name__} {mask_url(self.source)}>"


_REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: make a connector available to :func:`open_source` under ``cls.name``."""
    _REGISTRY[cls.name] = cls
    return cls


def registry() -> dict[str, type[Connector]]:
    return dict(_REGISTRY)


def sample_limit(sample: int | None) -> int | None:
    if sample is None:
        return None
    if sample < 0:
        raise ValueError("sample must be >= 0")
    return int(sample)


class Batches:
    """An iterator of RecordBatches over ``source`` that stops after ``limit`` rows and releases the
    source on :meth:`close` — called when the rows run out, on an error, or by the consumer; started
    or not (a generator never started would not run its ``finally``)."""

    def __init__(
        self,
        source: Iterator[Any],
        closers: Sequence[Callable[[], None]] = (),
        limit: int | None = None,
    ) -> None:
        self._source = source
        self._closers = list(closers)
        self.limit = limit
        self.rows = 0
        self._closed = False

    def __iter__(self) -> Batches:
        return self

    def __next__(self) -> Any:
        if self._closed:
            raise StopIteration
        if self.limit is not None and self.rows >= self.limit:
            self.close()
            raise StopIteration
        try:
            batch = next(self._source)
        except BaseException:
            self.close()
            raise
        if self.limit is not None and self.rows + batch.num_rows > self.limit:
            batch = batch.slice(0, self.limit - self.rows)
        self.rows += batch.num_rows
        return batch

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        errors: list[BaseException] = []
        closer = getattr(self._source, "close", None)
        for fn in ([closer] if closer else []) + self._closers:
            try:
                fn()
            except Exception as exc:  # release everything, then report the first failure
                errors.append(exc)
        if errors:
            raise errors[0]


def unique_names(raw: Sequence[object], where: str = "表头") -> tuple[list[str], list[str]]:
    """Column names from a header row: surrounding blanks stripped, an empty name becomes ``列_<n>``
    (its 1-based position), a repeated one ``name_2``, ``name_3``…; and Chinese warnings saying
    what was renamed (so nothing fails for a sloppy header, but the user is told)."""
    cleaned = ["" if v is None else str(v).replace("\r", " ").replace("\n", " ").strip() for v in raw]
    reserved = {n for n in cleaned if n}
    taken: set[str] = set()
    out: list[str] = []
    blanks: list[tuple[int, str]] = []
    renamed: dict[str, list[tuple[int, str]]] = {}
    for i, name in enumerate(cleaned, start=1):
        if name and name not in taken:
            taken.add(name)
            out.append(name)
            continue
        base = name or f"列_{i}"
        candidate, k = base, 1
        # never take a name that a later column carries itself
        while candidate in taken or (candidate != name and candidate in reserved):
            k += 1
            candidate = f"{base}_{k}"
        taken.add(candidate)
        out.append(candidate)
        if name:
            renamed.setdefault(name, []).append((i, candidate))
        else:
            blanks.append((i, candidate))
    warnings: list[str] = []
    if blanks:
        more = f"等 {len(blanks)} 列" if len(blanks) > 10 else "列"
        cols = "、".join(str(i) for i, _ in blanks[:10])
        names = "“" + "”“".join(c for _, c in blanks[:10]) + "”"
        warnings.append(f"{where}第 {cols} {more}没有列名，已命名为{names}{'…' if len(blanks) > 10 else ''}")
    for n, (name, changes) in enumerate(renamed.items()):
        if n == 10:
            warnings.append(f"{where}另有 {len(renamed) - 10} 个列名重复，已同样加序号改名")
            break
        first = cleaned.index(name) + 1
        cols = "、".join(str(i) for i in [first, *(i for i, _ in changes[:10])])
        new = "、".join(f"第 {i} 列改为“{c}”" for i, c in changes[:10])
        more = f"等 {len(changes) + 1} 列" if len(changes) > 10 else "列"
        warnings.append(
            f"{where}列名“{name}”重复（第 {cols} {more}），{new}{'…' if len(changes) > 10 else ''}"
        )
    return out, warnings


def string_batch(names: Sequence[str], columns: Sequence[Sequence[str | None]]) -> Any:
    """A RecordBatch of string columns."""
    arrays = [pa.array(col, type=pa.string()) for col in columns]
    return pa.RecordBatch.from_arrays(arrays, names=list(names))


def string_schema(names: Iterable[str]) -> Any:
    return pa.schema([pa.field(n, pa.string()) for n in names])


def size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} 字节"


class FileConnector(Connector):
    """A connector over one local file: it must exist, be a regular readable file, be no larger than
    ``options["max_bytes"]`` (checked with ``stat`` before anything is read) and not be empty.
    ``options["name"]`` overrides the table name (default: the file name without extension)."""

    def __init__(self, source: str, options: Options | None = None) -> None:
        super().__init__(source, options)
        self.path = Path(source)
        self.display = str(self.options.get("display_name") or self.path.name)
        self.size = check_file(self.path, self.options.get("max_bytes"), self.display)

    @property
    def table_name(self) -> str:
        return str(self.options.get("name") or self.path.stem or self.path.name)

    def check_table(self, table: str) -> None:
        if table != self.table_name:
            raise DiscoveryError(
                f"文件“{self.display}”中没有表“{table}”：该文件只有一张表“{self.table_name}”",
                code=NO_SUCH_TABLE,
            )


def check_file(path: Path, max_bytes: object, display: str) -> int:
    """The size of a readable regular file within the limit, or a DiscoveryError saying why not."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DiscoveryError(f"找不到文件“{display}”：请确认文件已上传且未被移走", code=UNREACHABLE) from None
    except OSError as exc:
        raise DiscoveryError(
            f"无法访问文件“{display}”（{exc.strerror or type(exc).__name__}）：请检查文件权限",
            code=UNREACHABLE,
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise DiscoveryError(f"“{display}”不是普通文件：请上传数据文件本身", code=UNREACHABLE)
    if not os.access(path, os.R_OK):
        raise DiscoveryError(f"没有读取文件“{display}”的权限：请检查文件权限", code=UNREACHABLE)
    if max_bytes is not None and info.st_size > int(str(max_bytes)):
        raise DiscoveryError(
            f"文件“{display}”大小为 {size_text(info.st_size)}，超过 {size_text(int(str(max_bytes)))} 的上限："
            "请拆分后分别上传，或导入数据库后以数据库方式添加",
            code=TOO_LARGE,
        )
    if info.st_size == 0:
        raise DiscoveryError(
            f"文件“{display}”是空的（0 字节）：请检查导出是否成功后重新上传", code=EMPTY_FILE
        )
    return info.st_size


def float_text(value: float) -> str:
    """A float as plain text: whole numbers without ``.0`` (below 1e15), no exponent."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        from decimal import Decimal

        return format(Decimal(text), "f")
    return text
