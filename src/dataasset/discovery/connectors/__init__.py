"""Connectors: read a table of a file or a database as a stream of Arrow batches.

``open_source(source, options)`` picks the connector: a database URL by its scheme
(``postgresql://``, ``postgresql+psycopg://``, ``mysql://``, ``mysql+pymysql://``, ``sqlite:///path``),
a file by its extension or, without a known extension (uploads kept under another name), by its
content; ``options["format"]`` forces one. Every failure is a :class:`DiscoveryError` whose Chinese
message says what, where and what to do, and never contains a password (:func:`mask_url`).

Each connector is registered under its name (:func:`registry`): ``csv``, ``excel``, ``parquet``,
``jsonl``, ``sqlite``, ``postgresql``, ``mysql``. A connector offers ``tables()``, ``open(table,
sample=None)`` (a :class:`TableStream` of about 65,536 rows a batch, at most ``sample`` rows),
``test()`` and ``close()``; it is also a context manager.

Options (all optional): ``max_bytes`` (files over it are refused from their size alone), ``name``
(the table name of a single-table file; default the file name without extension),
``display_name`` (the file name shown in messages), ``format``; for CSV ``delimiter``, ``header``
(true/false), ``encoding``, ``bad_rows`` (``error`` or ``skip``); for Excel ``header``; for
databases ``connect_timeout`` (seconds, default 5) and, for MySQL, ``read_timeout``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dataasset.discovery.connectors import csvfile, excel, jsonl, mysql, parquet, postgresql, sqlite
from dataasset.discovery.connectors.base import (
    BATCH_ROWS,
    Batches,
    Connector,
    register,
    registry,
    unique_names,
)
from dataasset.discovery.connectors.textfile import binary_kind, read_head
from dataasset.discovery.connectors.urls import dialect, is_url, mask_url
from dataasset.discovery.types import UNREACHABLE, UNSUPPORTED, DiscoveryError

__all__ = [
    "BATCH_ROWS",
    "Batches",
    "Connector",
    "connector_for",
    "csvfile",
    "excel",
    "jsonl",
    "mask_url",
    "mysql",
    "open_source",
    "parquet",
    "postgresql",
    "register",
    "registry",
    "sqlite",
    "unique_names",
]

EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".xlsb": "excel",
    ".ods": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".db": "sqlite",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
}
_DIALECTS = {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}
SUPPORTED_TEXT = "CSV、Excel（.xlsx/.xls）、Parquet、JSON Lines、SQLite 文件，或 PostgreSQL、MySQL 数据库"


def connector_for(name: str) -> type[Connector]:
    try:
        return registry()[name]
    except KeyError:
        raise DiscoveryError(
            f"没有名为“{name}”的连接器：可用的有 {'、'.join(sorted(registry()))}", code=UNSUPPORTED
        ) from None


def _sniff_format(path: Path) -> str | None:
    """The connector a file's content calls for, when its name does not say."""
    try:
        head = read_head(path, 8192)
    except OSError:
        return None
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "excel"
    kind = binary_kind(head)
    if kind is not None:
        return "excel" if kind[0].startswith("Excel") else None
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "jsonl"
    return "csv"


def open_source(source: str, options: dict[str, Any] | None = None) -> Connector:
    """The connector for a file path or a database URL (nothing is read or connected yet, except a
    file's size and, without a telling extension, its first bytes)."""
    options = dict(options or {})
    source = str(source)
    forced = options.get("format")
    if forced:
        return connector_for(str(forced))(source, options)
    if is_url(source):
        name = _DIALECTS.get(dialect(source))
        if name is None:
            raise DiscoveryError(
                f"不支持的数据源地址：{mask_url(source)}。支持 {SUPPORTED_TEXT}", code=UNSUPPORTED
            )
        return connector_for(name)(source, options)
    path = Path(source)
    name = EXTENSIONS.get(path.suffix.lower())
    if name is None:
        if not path.exists():
            raise DiscoveryError(f"找不到文件“{path.name}”：请确认文件已上传且未被移走", code=UNREACHABLE)
        name = _sniff_format(path) if path.is_file() and path.stat().st_size else "csv"
        if name is None:
            kind = binary_kind(read_head(path, 8192))
            what = kind[0] if kind else "未知格式"
            raise DiscoveryError(
                f"不支持的文件“{path.name}”（{what}）：支持 {SUPPORTED_TEXT}", code=UNSUPPORTED
            )
    return connector_for(name)(source, options)
