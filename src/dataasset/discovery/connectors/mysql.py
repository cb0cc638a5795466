"""MySQL / MariaDB through PyMySQL: base tables and views of the URL's database (or of every
non-system schema when the URL names none), row estimates from ``information_schema.TABLES``,
column comments from ``COLUMN_COMMENT``. Rows stream with an unbuffered cursor (``SSCursor``).
Integers, floats and ``decimal(p,s)`` keep their type; binary types stay binary; dates and times
are read as text (MySQL's zero dates such as ``0000-00-00`` have no Python value) and the profiler
infers their type; everything else is text.

Names: ``table`` when the URL names a database, ``schema.table`` otherwise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pymysql  # type: ignore[import-untyped, unused-ignore]
import pymysql.cursors  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery.connectors.base import (
    BATCH_ROWS,
    Batches,
    Connector,
    register,
    sample_limit,
    unique_names,
)
from dataasset.discovery.connectors.urls import DbUrl, parse_db_url, scrub
from dataasset.discovery.types import (
    AUTH_FAILED,
    MALFORMED,
    NO_SUCH_TABLE,
    UNREACHABLE,
    DiscoveryError,
    TableRef,
    TableStream,
)

CONNECT_TIMEOUT = 5  # seconds
SYSTEM_SCHEMAS = ("mysql", "information_schema", "performance_schema", "sys")
_INTEGERS = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"}
_BINARY = {
    "binary",
    "varbinary",
    "tinyblob",
    "blob",
    "mediumblob",
    "longblob",
    "geometry",
    "point",
    "linestring",
}
_AS_TEXT = {"date", "datetime", "timestamp", "time", "json", "enum", "set"}
_AUTH = {1044, 1045, 1142, 1143, 1227, 1698, 2049}
_NETWORK = {2002, 2003, 2005, 2006, 2013, 2055}


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def arrow_type(data_type: str, column_type: str, precision: Any, scale: Any) -> tuple[Any, str]:
    """``(Arrow type, SELECT expression template)`` for a column (``{}`` is the quoted name)."""
    dt = data_type.lower()
    unsigned = "unsigned" in column_type.lower()
    if dt in _INTEGERS:
        if dt == "bigint" and unsigned:
            return pa.decimal128(20, 0), "{}"
        return pa.int64(), "{}"
    if dt == "bit":
        return pa.int64(), "CAST({} AS UNSIGNED)"
    if dt in {"float", "double", "real"}:
        return pa.float64(), "{}"
    if dt in {"decimal", "numeric"}:
        p, s = int(precision or 0), int(scale or 0)
        if 0 < p <= 38 and 0 <= s <= p:
            return pa.decimal128(p, s), "{}"
        return pa.string(), "CAST({} AS CHAR)"
    if dt in _BINARY:
        return pa.binary(), "{}"
    if dt in _AS_TEXT:
        return pa.string(), "CAST({} AS CHAR)"
    return pa.string(), "{}"


def _convert(values: tuple[Any, ...], kind: Any) -> list[Any]:
    if pa.types.is_string(kind):
        return [
            v
            if v is None or isinstance(v, str)
            else (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
            for v in values
        ]
    if pa.types.is_decimal(kind):
        return [v if v is None or isinstance(v, Decimal) else Decimal(v) for v in values]
    if pa.types.is_binary(kind):
        return [v if v is None or isinstance(v, bytes) else str(v).encode() for v in values]
    return list(values)


@register
class MysqlConnector(Connector):
    name = "mysql"
    label = "MySQL 数据库"

    def __init__(self, source: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(source, options)
        self.url: DbUrl = parse_db_url(source)
        self._conn: Any = None

    def _kwargs(self) -> dict[str, Any]:
        u = self.url
        kwargs: dict[str, Any] = {
            "host": u.host or "localhost",
            "port": u.port or 3306,
            "user": u.username or "",
            "password": u.password or "",
            "charset": u.query.get("charset", "utf8mb4"),
            "connect_timeout": int(self.options.get("connect_timeout", CONNECT_TIMEOUT)),
            "init_command": "SET SESSION TRANSACTION READ ONLY",
        }
        if u.database:
            kwargs["database"] = u.database
        if "read_timeout" in self.options:
            kwargs["read_timeout"] = int(self.options["read_timeout"])
        return kwargs

    def connect(self) -> Any:
        try:
            return pymysql.connect(**self._kwargs())
        except pymysql.err.MySQLError as exc:
            raise self._error(exc, None) from None
        except OSError as exc:
            raise self._error(exc, None) from None

    def _connection(self) -> Any:
        if self._conn is None or not self._conn.open:
            self._conn = self.connect()
        return self._conn

    def _error(self, exc: BaseException, table: str | None) -> DiscoveryError:
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
        text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        detail = scrub(
            text.strip().splitlines()[0] if text.strip() else type(exc).__name__, self.url.password
        )
        where = self.url.where
        user = self.url.username or "（未指定）"
        if code in _AUTH:
            if table is not None:
                return DiscoveryError(
                    f"用户“{user}”没有读取表“{table}”的权限（{detail}）：请授予 SELECT 权限后重试",
                    code=AUTH_FAILED,
                )
            return DiscoveryError(
                f"无法登录 MySQL 数据库 {where}：用户“{user}”的用户名或密码错误，"
                f"或没有该数据库的权限（{detail}）",
                code=AUTH_FAILED,
            )
        if code == 1049:
            return DiscoveryError(
                f"MySQL 服务器 {where} 上没有数据库“{self.url.database}”：请核对连接地址中的数据库名",
                code=UNREACHABLE,
            )
        if code == 1146:
            return DiscoveryError(f"MySQL 数据库 {where} 中没有表“{table}”", code=NO_SUCH_TABLE)
        if code in _NETWORK or isinstance(exc, OSError) or table is None:
            return DiscoveryError(
                f"无法连接 MySQL 数据库 {where}（{detail}）：请检查主机、端口和网络（防火墙、白名单）后重试",
                code=UNREACHABLE,
            )
        return DiscoveryError(f"读取 MySQL 表“{table}”失败（{detail}）", code=MALFORMED)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(pymysql.err.Error):
                self._conn.close()
            self._conn = None

    def test(self) -> None:
        conn = self._connection()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchall()
        except pymysql.err.MySQLError as exc:
            raise self._error(exc, None) from None

    def _listing(self, conn: Any) -> list[tuple[str, str, str, Any]]:
        query = (
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_ROWS FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA NOT IN (%s, %s, %s, %s)"
        )
        args: list[Any] = list(SYSTEM_SCHEMAS)
        if self.url.database:
            query += " AND TABLE_SCHEMA = %s"
            args.append(self.url.database)
        query += " ORDER BY TABLE_SCHEMA, TABLE_NAME"
        with conn.cursor() as cur:
            cur.execute(query, args)
            return [tuple(r) for r in cur.fetchall()]

    def _name(self, schema: str, table: str) -> str:
        return table if self.url.database else f"{schema}.{table}"

    def tables(self) -> list[TableRef]:
        try:
            rows = self._listing(self._connection())
        except pymysql.err.MySQLError as exc:
            raise self._error(exc, "（表清单）") from None
        return [
            TableRef(self._name(str(s), str(t)), int(n) if n is not None and kind == "BASE TABLE" else None)
            for s, t, kind, n in rows
        ]

    def open(self, table: str, sample: int | None = None) -> TableStream:
        limit = sample_limit(sample)
        conn = self.connect()
        try:
            listing = self._listing(conn)
            found = [r for r in listing if self._name(str(r[0]), str(r[1])) == table]
            if not found:
                shown = "、".join(self._name(str(r[0]), str(r[1])) for r in listing[:20]) or "（无）"
                raise DiscoveryError(
                    f"MySQL 数据库 {self.url.where} 中没有表“{table}”（或当前用户看不到它）："
                    f"可扫描的表 {shown}",
                    code=NO_SUCH_TABLE,
                )
            schema, rel, kind, estimate_raw = found[0]
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE, "
                    "COLUMN_COMMENT "
                    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s "
                    "ORDER BY ORDINAL_POSITION",
                    (schema, rel),
                )
                columns = [tuple(r) for r in cur.fetchall()]
            raw = [str(c[0]) for c in columns]
            names, warnings = unique_names(raw, where="列名")
            types = [arrow_type(str(c[2]), str(c[1]), c[3], c[4]) for c in columns]
            selects = ", ".join(tmpl.format(_ident(n)) for n, (_, tmpl) in zip(raw, types, strict=True))
            query = f"SELECT {selects} FROM {_ident(str(schema))}.{_ident(str(rel))}"
            if limit is not None:
                query += f" LIMIT {int(limit)}"
            cursor = conn.cursor(pymysql.cursors.SSCursor)
            cursor.execute(query)
        except DiscoveryError:
            conn.close()
            raise
        except pymysql.err.MySQLError as exc:
            conn.close()
            raise self._error(exc, table) from None
        schema_ = pa.schema([pa.field(n, t) for n, (t, _) in zip(names, types, strict=True)])
        estimate = int(estimate_raw) if estimate_raw is not None and kind == "BASE TABLE" else None

        def batches() -> Iterator[Any]:
            while True:
                try:
                    rows = cursor.fetchmany(BATCH_ROWS)
                except pymysql.err.MySQLError as exc:
                    raise self._error(exc, table) from None
                if not rows:
                    return
                cols = list(zip(*rows, strict=True))
                arrays = [
                    pa.array(_convert(col, f.type), type=f.type) for col, f in zip(cols, schema_, strict=True)
                ]
                yield pa.RecordBatch.from_arrays(arrays, schema=schema_)

        def release() -> None:
            # An unbuffered cursor closed (or garbage-collected) with rows pending reads them all
            # first: mark the result finished and drop the connection, then the cursor closes at once.
            pending = getattr(conn, "_result", None)
            if pending is not None:
                pending.unbuffered_active = False
            with contextlib.suppress(Exception):
                conn.close()
            with contextlib.suppress(Exception):
                cursor.close()

        return TableStream(
            name=table,
            schema=schema_,
            batches=Batches(batches(), closers=[release], limit=limit),
            rows_estimate=estimate
            if limit is None
            else min(limit, estimate if estimate is not None else limit),
            bytes_estimate=None,
            source_types={n: str(c[1]) for n, c in zip(names, columns, strict=True)},
            comments={n: str(c[5]) for n, c in zip(names, columns, strict=True) if c[5]},
            warnings=warnings,
            limit=limit,
        )
