"""SQLite files (``sqlite:///path`` or a path): tables and views, opened read-only.

SQLite types are only a column's affinity (a value of any type can sit in any column), so columns
come out as text — integers and floats written plainly — and the profiler infers their types; the
declared type goes to ``source_types``. Columns declared BLOB come out as binary.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery.connectors.base import (
    BATCH_ROWS,
    Batches,
    Connector,
    check_file,
    float_text,
    register,
    sample_limit,
    unique_names,
)
from dataasset.discovery.connectors.urls import is_url, mask_url
from dataasset.discovery.types import (
    MALFORMED,
    NO_SUCH_TABLE,
    UNREACHABLE,
    UNSUPPORTED,
    DiscoveryError,
    TableRef,
    TableStream,
)

COUNT_ROWS_BELOW = 64 * 1024 * 1024  # count(*) every table of files up to this size (cheap)


def sqlite_path(source: str) -> Path:
    """``sqlite:///relative/x.db`` → ``relative/x.db``; ``sqlite:////abs/x.db`` → ``/abs/x.db``."""
    if not is_url(source):
        return Path(source)
    rest = source.split("://", 1)[1]
    path = rest[1:] if rest.startswith("/") else rest
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        raise DiscoveryError(
            f"SQLite 地址需指向一个数据库文件（如 sqlite:///data/x.db）：{mask_url(source)}", code=UNSUPPORTED
        )
    return Path(path)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


@register
class SqliteConnector(Connector):
    name = "sqlite"
    label = "SQLite 数据库"

    def __init__(self, source: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(source, options)
        self.path = sqlite_path(source)
        self.display = str(self.options.get("display_name") or self.path.name)
        self.size = check_file(self.path, self.options.get("max_bytes"), self.display)

    def _connect(self) -> sqlite3.Connection:
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "not a database" in text or "malformed" in text or "file is encrypted" in text:
                raise DiscoveryError(
                    f"文件“{self.display}”不是可读取的 SQLite 数据库（{text}）：请确认文件完整、未加密",
                    code=MALFORMED,
                ) from None
            raise DiscoveryError(
                f"无法打开 SQLite 数据库“{self.display}”（{text}）", code=UNREACHABLE
            ) from None
        return conn

    def _objects(self, conn: sqlite3.Connection) -> dict[str, str]:
        rows = conn.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        ).fetchall()
        return {str(n): str(t) for n, t in rows}

    def test(self) -> None:
        self._connect().close()

    def tables(self) -> list[TableRef]:
        conn = self._connect()
        try:
            objects = self._objects(conn)
            stats: dict[str, int] = {}
            has_stat = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
            if has_stat:
                for tbl, stat in conn.execute("SELECT tbl, stat FROM sqlite_stat1"):
                    first = str(stat).split(" ", 1)[0]
                    if first.isdigit():
                        stats[str(tbl)] = max(stats.get(str(tbl), 0), int(first))
            refs = []
            for name, kind in objects.items():
                estimate = stats.get(name)
                if estimate is None and kind == "table" and self.size <= COUNT_ROWS_BELOW:
                    estimate = int(conn.execute(f"SELECT count(*) FROM {_ident(name)}").fetchone()[0])
                refs.append(TableRef(name, estimate))
            return refs
        except sqlite3.DatabaseError as exc:
            raise DiscoveryError(
                f"读取 SQLite 数据库“{self.display}”的表清单失败（{exc}）", code=MALFORMED
            ) from None
        finally:
            conn.close()

    def open(self, table: str, sample: int | None = None) -> TableStream:
        limit = sample_limit(sample)
        conn = self._connect()
        try:
            objects = self._objects(conn)
            if table not in objects:
                shown = "、".join(list(objects)[:20]) or "（无）"
                raise DiscoveryError(
                    f"SQLite 数据库“{self.display}”中没有表“{table}”：现有的表 {shown}", code=NO_SUCH_TABLE
                )
            info = conn.execute(f"PRAGMA table_info({_ident(table)})").fetchall()
            raw_names = [str(r[1]) for r in info]
            declared = [str(r[2] or "") for r in info]
            names, warnings = unique_names(raw_names, where="列名")
            binary = ["BLOB" in d.upper() for d in declared]
            schema = pa.schema(
                [pa.field(n, pa.binary() if b else pa.string()) for n, b in zip(names, binary, strict=True)]
            )
            sql = f"SELECT {', '.join(_ident(n) for n in raw_names)} FROM {_ident(table)}"
            if limit is not None:
                sql += f" LIMIT {int(limit)}"
            cursor = conn.execute(sql)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise DiscoveryError(f"读取 SQLite 表“{table}”失败（{exc}）", code=MALFORMED) from None
            raise

        def batches() -> Iterator[Any]:
            while True:
                try:
                    rows = cursor.fetchmany(BATCH_ROWS)
                except sqlite3.DatabaseError as exc:
                    raise DiscoveryError(f"读取 SQLite 表“{table}”失败（{exc}）", code=MALFORMED) from None
                if not rows:
                    return
                columns = list(zip(*rows, strict=True))
                arrays = [
                    pa.array(
                        [v if isinstance(v, bytes) or v is None else str(v).encode() for v in col],
                        pa.binary(),
                    )
                    if b
                    else pa.array([_text(v) for v in col], pa.string())
                    for col, b in zip(columns, binary, strict=True)
                ]
                yield pa.RecordBatch.from_arrays(arrays, schema=schema)

        return TableStream(
            name=table,
            schema=schema,
            batches=Batches(batches(), closers=[cursor.close, conn.close], limit=limit),
            rows_estimate=limit,
            bytes_estimate=None,
            source_types={n: (d or "（无类型）") for n, d in zip(names, declared, strict=True)},
            warnings=warnings,
            limit=limit,
        )
