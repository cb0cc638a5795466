"""PostgreSQL through psycopg 3: tables, partitioned tables, views, materialized views and foreign
tables the user may SELECT (system schemas left out), with row estimates from ``pg_class.reltuples``
and column comments (``col_description``). Rows stream through a server-side cursor in a read-only
transaction. Integers, floats, ``numeric(p,s)``, booleans, dates and timestamps keep their type
(±infinity dates read as null); every other type is read as its text (``::text``).

Names: ``table`` for the ``public`` schema, ``schema.table`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
from psycopg import sql

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
_PASS_THROUGH = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "options",
    "target_session_attrs",
    "gssencmode",
    "channel_binding",
    "application_name",
}
_KINDS = ("r", "p", "v", "m", "f")
_TABLES = """
SELECT n.nspname, c.relname, c.relkind, c.reltuples::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'
  AND NOT c.relispartition
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY n.nspname, c.relname
"""
_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, a.atttypmod,
       col_description(a.attrelid, a.attnum)
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


def _numeric(typmod: int) -> Any | None:
    if typmod < 4:
        return None
    precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
    if 0 < precision <= 38 and 0 <= scale <= precision:
        return pa.decimal128(precision, scale)
    return None


def arrow_type(typname: str, typmod: int) -> tuple[Any, str]:
    """``(Arrow type, how the SELECT reads it)`` for a column: ``plain``, ``finite`` (±infinity as
    null) or ``text`` (``::text``)."""
    if typname in {"int2", "int4", "int8", "oid"}:
        return pa.int64(), "plain"
    if typname in {"float4", "float8"}:
        return pa.float64(), "plain"
    if typname == "numeric":
        decimal = _numeric(typmod)
        return (decimal, "plain") if decimal is not None else (pa.string(), "text")
    if typname == "bool":
        return pa.bool_(), "plain"
    if typname == "date":
        return pa.date32(), "finite"
    if typname == "timestamp":
        return pa.timestamp("us"), "finite"
    if typname == "timestamptz":
        return pa.timestamp("us", tz="UTC"), "finite"
    if typname == "bytea":
        return pa.binary(), "plain"
    return pa.string(), "text"


def _decimals(values: tuple[Any, ...]) -> list[Any]:
    return [v if v is None or (isinstance(v, Decimal) and v.is_finite()) else None for v in values]


def table_name(schema: str, rel: str) -> str:
    return rel if schema == "public" else f"{schema}.{rel}"


@register
class PostgresConnector(Connector):
    name = "postgresql"
    label = "PostgreSQL 数据库"

    def __init__(self, source: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(source, options)
        self.url: DbUrl = parse_db_url(source)
        self._conn: psycopg.Connection[Any] | None = None

    # ------------------------------------------------------------------ connections

    def _kwargs(self) -> dict[str, Any]:
        u = self.url
        kwargs: dict[str, Any] = {k: v for k, v in u.query.items() if k in _PASS_THROUGH}
        kwargs.update(
            host=u.host or "localhost",
            port=u.port or 5432,
            dbname=u.database or "postgres",
            connect_timeout=int(self.options.get("connect_timeout", CONNECT_TIMEOUT)),
        )
        kwargs.setdefault("application_name", "dataasset-discovery")
        if u.username:
            kwargs["user"] = u.username
        if u.password is not None:
            kwargs["password"] = u.password
        return kwargs

    def connect(self) -> psycopg.Connection[Any]:
        """A new read-only connection, or a DiscoveryError saying why not."""
        try:
            conn = psycopg.connect(**self._kwargs())
        except psycopg.Error as exc:
            raise self._connect_error(exc) from None
        conn.read_only = True
        return conn

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = self.connect()
        return self._conn

    def _connect_error(self, exc: BaseException) -> DiscoveryError:
        where = self.url.where
        detail = scrub(
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, self.url.password
        )
        lowered = detail.lower()
        user = self.url.username or "（未指定）"
        if "password authentication failed" in lowered or "no password supplied" in lowered:
            return DiscoveryError(
                f"无法登录 PostgreSQL 数据库 {where}：用户“{user}”的用户名或密码错误。"
                "请核对连接地址中的用户名和密码",
                code=AUTH_FAILED,
            )
        if "authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered):
            return DiscoveryError(
                f"无法登录 PostgreSQL 数据库 {where}：用户“{user}”认证失败（{detail}）。请核对用户名和密码",
                code=AUTH_FAILED,
            )
        if "pg_hba.conf" in lowered or "permission denied" in lowered:
            return DiscoveryError(
                f"PostgreSQL 数据库 {where} 拒绝了用户“{user}”的连接（{detail}）："
                "请数据库管理员在 pg_hba.conf 中放行本平台的地址，"
                "并授予 CONNECT 权限",
                code=AUTH_FAILED,
            )
        if "database" in lowered and "does not exist" in lowered:
            return DiscoveryError(
                f"PostgreSQL 服务器 {where} 上没有数据库“{self.url.database}”：请核对连接地址中的数据库名",
                code=UNREACHABLE,
            )
        if "timeout" in lowered:
            reason = f"连接超时（{self._kwargs()['connect_timeout']} 秒内无响应）"
        elif "refused" in lowered:
            reason = "连接被拒绝（端口上没有数据库服务）"
        elif "resolve" in lowered or "translate host" in lowered:
            reason = "主机名无法解析"
        else:
            reason = detail
        return DiscoveryError(
            f"无法连接 PostgreSQL 数据库 {where}：{reason}。请检查主机、端口和网络（防火墙、白名单）后重试",
            code=UNREACHABLE,
        )

    def _query_error(self, exc: BaseException, table: str) -> DiscoveryError:
        detail = scrub(
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, self.url.password
        )
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            return DiscoveryError(
                f"用户“{self.url.username}”没有读取表“{table}”的权限：请授予 SELECT 权限后重试",
                code=AUTH_FAILED,
            )
        if isinstance(exc, psycopg.OperationalError):
            return DiscoveryError(
                f"读取 PostgreSQL 表“{table}”时连接中断（{detail}）：请检查网络后重试", code=UNREACHABLE
            )
        return DiscoveryError(f"读取 PostgreSQL 表“{table}”失败（{detail}）", code=MALFORMED)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # ------------------------------------------------------------------ the connector

    def test(self) -> None:
        conn = self._connection()
        try:
            conn.execute("SELECT 1").fetchone()
            conn.rollback()
        except psycopg.Error as exc:
            raise self._connect_error(exc) from None

    def tables(self) -> list[TableRef]:
        conn = self._connection()
        try:
            rows = conn.execute(_TABLES).fetchall()
            conn.rollback()
        except psycopg.Error as exc:
            raise self._query_error(exc, "（表清单）") from None
        refs = []
        for schema, rel, kind, tuples in rows:
            estimate = int(tuples) if kind in {"r", "m", "f"} and tuples is not None and tuples >= 0 else None
            refs.append(TableRef(table_name(schema, rel), estimate))
        return refs

    def _resolve(self, conn: psycopg.Connection[Any], table: str) -> tuple[int, str, str, int | None]:
        tries = []
        if "." in table:
            schema, rel = table.split(".", 1)
            tries.append((schema, rel))
        tries.append(("public", table))
        for schema, rel in tries:
            found = conn.execute(
                "SELECT c.oid, c.relkind, c.reltuples::bigint FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s AND c.relkind = ANY(%s)",
                (schema, rel, list(_KINDS)),
            ).fetchone()
            if found:
                oid, kind, tuples = found
                estimate = (
                    int(tuples) if kind in {"r", "m", "f"} and tuples is not None and tuples >= 0 else None
                )
                return int(oid), schema, rel, estimate
        names = [t.name for t in self.tables()[:20]]
        raise DiscoveryError(
            f"PostgreSQL 数据库 {self.url.where} 中没有表“{table}”（或当前用户看不到它）："
            f"可扫描的表 {'、'.join(names) or '（无）'}",
            code=NO_SUCH_TABLE,
        )

    def open(self, table: str, sample: int | None = None) -> TableStream:
        limit = sample_limit(sample)
        conn = self.connect()
        try:
            oid, schema, rel, estimate = self._resolve(conn, table)
            columns = conn.execute(_COLUMNS, (oid,)).fetchall()
            raw = [str(c[0]) for c in columns]
            names, warnings = unique_names(raw, where="列名")
            types = [arrow_type(str(c[2]), int(c[3])) for c in columns]
            selects: list[sql.Composable] = []
            for col, (_, how) in zip(raw, types, strict=True):
                ident = sql.Identifier(col)
                if how == "text":
                    selects.append(sql.SQL("{}::text").format(ident))
                elif how == "finite":
                    selects.append(sql.SQL("CASE WHEN isfinite({0}) THEN {0} END").format(ident))
                else:
                    selects.append(ident)
            query = sql.SQL("SELECT {} FROM {}.{}").format(
                sql.SQL(", ").join(selects), sql.Identifier(schema), sql.Identifier(rel)
            )
            if limit is not None:
                query = sql.SQL("{} LIMIT {}").format(query, sql.Literal(limit))
            cursor = conn.cursor(name="dataasset_scan")
            cursor.itersize = BATCH_ROWS
            cursor.execute(query)
        except DiscoveryError:
            conn.close()
            raise
        except psycopg.Error as exc:
            conn.close()
            raise self._query_error(exc, table) from None
        schema_ = pa.schema([pa.field(n, t) for n, (t, _) in zip(names, types, strict=True)])
        converters: list[Callable[[tuple[Any, ...]], Any]] = []
        for t, _ in types:
            converters.append(_decimals if pa.types.is_decimal(t) else tuple.__iter__)

        def batches() -> Iterator[Any]:
            while True:
                try:
                    rows = cursor.fetchmany(BATCH_ROWS)
                except psycopg.Error as exc:
                    raise self._query_error(exc, table) from None
                if not rows:
                    return
                cols = list(zip(*rows, strict=True)) if names else []
                arrays = [
                    pa.array(list(conv(col)), type=f.type)
                    for col, conv, f in zip(cols, converters, schema_, strict=True)
                ]
                yield pa.RecordBatch.from_arrays(arrays, schema=schema_)

        def release() -> None:
            try:
                cursor.close()
            except psycopg.Error:
                pass  # the transaction is rolled back with the connection anyway
            finally:
                conn.close()

        return TableStream(
            name=table,
            schema=schema_,
            batches=Batches(batches(), closers=[release], limit=limit),
            rows_estimate=estimate
            if limit is None
            else min(limit, estimate if estimate is not None else limit),
            bytes_estimate=None,
            source_types={n: str(c[1]) for n, c in zip(names, columns, strict=True)},
            comments={n: str(c[4]) for n, c in zip(names, columns, strict=True) if c[4]},
            warnings=warnings,
            limit=limit,
        )
