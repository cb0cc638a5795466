"""Discovery on Apache Spark (PySpark): the profile of :mod:`profiler` computed with Spark SQL, then the
same detection and grading (:func:`scanner.analyse`). Used for a table of the Spark catalog
(``spark:<table>``, ``spark:<database>``), and for CSV, Parquet and JSON Lines files when asked for
(``dataasset scan --engine spark``, ``DATAASSET_SCAN_ENGINE=spark``); the session runs on
``DATAASSET_SPARK_MASTER`` (``local[*]`` by default, or ``spark://…``, ``yarn``, ``k8s://…``).

The figures mean what they mean in :mod:`profiler`; for a table of up to 10,000 rows they are the same
figures (type, nulls, distinct, min/max, lengths, top values, patterns, sample, hence detection and
grade), but for quartiles and the last digits of mean and standard deviation:

* A text value that is empty or only whitespace (the characters pyarrow's ``utf8_is_space`` knows)
  is null. The type of a text column is decided as the profiler does: a cast may hold only if every
  non-blank value of the first 2,000 rows passes it, then every row is checked. DuckDB's casts are
  written out as regular expressions before Spark's ``try_cast`` runs: numbers as DuckDB's
  ``TRY_CAST(… AS DOUBLE)`` reads them (blanks around, ``_`` between digits, ``1e5``, ``5.``, ``.5``)
  and never digit strings with a leading zero or of more than 15 digits; booleans
  ``true/false/t/f/yes/no/y/n/1/0`` in any case; dates and timestamps in the usual forms
  (``2024-01-02``, ``2024/1/2``, ``2024 1 2``, years of 1 to 4 digits, ``10:11[:12[.123]]`` after a
  space or ``T``, then ``Z``, ``±08[:00]`` or `` UTC``, an offset DuckDB's TIMESTAMP cast ignores).
  The rarer forms DuckDB also reads (year 0 or beyond 9999, ``24:00:00``, ``epoch``, ``infinity``,
  zone names, a tab before the time) are not timestamps here: such a column comes out ``string``.
* **Distinct values, top values and candidate keys are exact at any size** (``count(DISTINCT …)``
  in effect: one group-by over every value of every column). DuckDB estimates the distinct count
  of a large column (HyperLogLog, ±2 %) and the counts of its top values; Spark does not.
  Duplicate rows are counted as DuckDB does: distinct 64-bit hashes of whole rows.
* Top values rank ties by first appearance, as DuckDB's exact counts do.
* **Approximate**: quartiles (``percentile_approx``, Greenwald-Khanna, relative rank error 1/10,000:
  an element of the column, where DuckDB's t-digest interpolates) and, in the last digits, mean and
  standard deviation (summation order).
* The row sample feeding detection: every row in source order when the table has at most
  ``sample_size`` rows (what the profiler keeps too), else a seeded uniform sample of
  ``sample_size`` rows (a different sample from DuckDB's reservoir, of the same law).

Sources: ``spark:<table>`` and ``spark:<database>`` (every table of it), local CSV / TSV (the
platform's own sniffing decides encoding, GBK included, delimiter, title rows and header; every
column is read as text), Parquet (local, or a ``hdfs://``, ``s3a://``… URI) and JSON Lines (the keys
of the first 65,536 objects; nested values keep the source's JSON text, where the DuckDB engine
re-serialises them compactly). A file must be readable at the same path by every executor. Excel
workbooks, SQLite files and databases are read by the DuckDB engine only. Unlike the DuckDB engine,
Spark replaces bytes that do not decode with U+FFFD instead of failing.

pyspark is an optional dependency (``pip install 'dataasset[spark]'``) and needs Java 17 or later;
both are imported or started only when a Spark scan runs.
"""

from __future__ import annotations

import codecs
import os
import re
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from dataasset.discovery import grading, profiler, scanner
from dataasset.discovery.connectors import open_source
from dataasset.discovery.connectors.base import BATCH_ROWS, unique_names
from dataasset.discovery.connectors.csvfile import CsvConnector, Layout, _rows
from dataasset.discovery.connectors.jsonl import JsonLinesConnector
from dataasset.discovery.connectors.urls import is_url, mask_url
from dataasset.discovery.types import (
    CANCELLED,
    MALFORMED,
    NO_SUCH_TABLE,
    UNREACHABLE,
    UNSUPPORTED,
    DiscoveryError,
    TableProfile,
    TableRef,
)

PREFIX = "spark:"
SAMPLE_SIZE = 10_000
TOP_K = 10
TOP_BUCKETS = 64  # top values: ranked within (column, hash bucket) first, so no task holds a whole column
SEED = 20_240_601
ACCURACY = 10_000  # percentile_approx: relative rank error 1/ACCURACY
REMOTE_SCHEMES = frozenset(
    {
        "hdfs",
        "s3",
        "s3a",
        "s3n",
        "gs",
        "abfs",
        "abfss",
        "wasb",
        "wasbs",
        "viewfs",
        "oss",
        "cosn",
        "obs",
        "file",
    }
)
_FILE_FORMATS = frozenset({"csv", "parquet", "jsonl"})
_ENGINE_HINT = "请改用 DuckDB 引擎（命令行 --engine duckdb，或设置 DATAASSET_SCAN_ENGINE=duckdb）"
_INSTALL_HINT = "请安装：pip install 'dataasset[spark]'"

# ----------------------------------------------------------------- DuckDB's casts as Java regexes
# blanks: what pyarrow's utf8_is_space counts as whitespace (the profiler's blank test)
_BLANK = r"^[\t\n\x0B\f\r\x1C-\x1F \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\z"
_WS = r"[ \t\n\x0B\f\r]"  # what DuckDB's casts skip around a value
_DIGITS = r"[0-9]+(?:_[0-9]+)*"
_NUMBER_NOISE = r"[ \t\n\x0B\f\r_]"  # what to drop before Spark's cast: blanks around, _ between digits
# DuckDB's TRY_CAST(… AS DOUBLE) grammar (checked against DuckDB on 40,000 generated strings; its
# "+-1" reads as -1). nan / inf are left out: the profiler drops non-finite values anyway.
_NUMBER = (
    rf"^{_WS}*(?:[+-]|\+-)?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?{_WS}*\z"
)
# the common forms of DuckDB's TRY_CAST(… AS TIMESTAMP); groups: year, separator, month, day, hour,
# minute, second, fraction
_TIMESTAMP = (
    rf"^{_WS}*0*([0-9]{{1,4}})([-/ ])([0-9]{{1,2}})\2([0-9]{{1,2}})"
    r"(?:(?:T| )([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{0,9}))?)?"
    rf"(?: ?(?:Z|[+-][0-9]{{2}}(?::?[0-9]{{2}})?)| UTC)?{_WS}*)?\z"
)
_PLUS_MINUS = r"^\+-"  # DuckDB reads "+-1" as -1
_BAR = r"\|"
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")

_JAVA_CHARSETS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf8": "UTF-8",
    "gb18030": "GB18030",
    "gbk": "GBK",
    "gb2312": "GB2312",
    "utf-16-le": "UTF-16",  # with its BOM (the only way the sniffer picks UTF-16): Java reads the BOM
    "utf-16-be": "UTF-16",
    "utf_16": "UTF-16",
    "utf_32": "UTF-32",
    "big5": "Big5",
    "cp950": "x-windows-950",
    "big5hkscs": "Big5-HKSCS",
    "shift_jis": "Shift_JIS",
    "cp932": "windows-31j",
    "euc_jp": "EUC-JP",
    "euc_kr": "EUC-KR",
    "cp949": "x-windows-949",
    "latin_1": "ISO-8859-1",
    "iso8859_1": "ISO-8859-1",
    "iso8859_15": "ISO-8859-15",
    "cp1252": "windows-1252",
}


# --------------------------------------------------------------------------- the session

_LOCK = threading.Lock()
_SESSION: Any = None


def _pyspark() -> Any:
    """pyspark's SparkSession class, or a DiscoveryError saying how to install it."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise DiscoveryError(
            f"未安装 PySpark，无法使用 Spark 引擎：{_INSTALL_HINT}（还需要 Java 17 或以上），"
            f"或{_ENGINE_HINT[1:]}",
            code=UNSUPPORTED,
        ) from None
    return SparkSession


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def session(master: str | None = None, conf: Mapping[str, str] | None = None) -> Any:
    """The process's SparkSession, started on first use (master: ``master``, else
    ``Settings.spark_master``) and reused after; an active session started elsewhere (a notebook,
    ``spark-submit``) is adopted as it is. ``conf`` adds Spark settings for a session started here
    (``spark-defaults.conf`` of ``SPARK_CONF_DIR`` applies too)."""
    global _SESSION
    with _LOCK:
        spark_session = _pyspark()
        if _SESSION is not None and _alive(_SESSION):
            return _SESSION
        active = spark_session.getActiveSession()
        if active is not None:
            _SESSION = active
            _prepare(active)
            return active
        from dataasset.settings import get_settings

        master = master or get_settings().spark_master
        if _java() is None:
            raise DiscoveryError(
                "未找到 Java 运行环境，无法启动 Spark：Spark 引擎需要 Java 17 或以上。"
                "请安装 JDK（例如 apt-get install openjdk-17-jre-headless）并设置 JAVA_HOME，"
                f"或{_ENGINE_HINT[1:]}",
                code=UNSUPPORTED,
            )
        builder = (
            spark_session.builder.master(master)
            .appName("dataasset-discovery")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.legacy.javaCharsets", "true")  # GB18030, GBK…: Spark 4 allows only UTF/ASCII
            .config("spark.log.level", "ERROR")
        )
        if master.startswith("local"):
            # a driver on 127.0.0.1 is right for local mode only: executors elsewhere must reach it
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # read by the JVM about to start
            # Python workers (UDFs such as quality's valid_type) run this interpreter, which has the
            # platform installed, not whatever ``python3`` is first on PATH
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            cores = os.cpu_count() or 1
            builder = builder.config("spark.driver.host", "127.0.0.1").config(
                "spark.sql.shuffle.partitions", str(max(2, min(8, cores)))
            )
        for key, value in (conf or {}).items():
            builder = builder.config(key, value)
        try:
            started = builder.getOrCreate()
        except Exception as exc:
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise DiscoveryError(
                f"无法启动 Spark（master={master}）：{detail}。请检查 Java（需要 17 或以上）、JAVA_HOME 和"
                f" DATAASSET_SPARK_MASTER，或{_ENGINE_HINT[1:]}",
                code=UNSUPPORTED,
            ) from None
        started.sparkContext.setLogLevel("ERROR")
        _prepare(started)
        _SESSION = started
        return started


def _prepare(spark: Any) -> None:
    spark.conf.set("spark.sql.legacy.javaCharsets", "true")


def _alive(spark: Any) -> bool:
    from pyspark import SparkContext

    return SparkContext._active_spark_context is not None and spark.sparkContext._jsc is not None


def stop() -> None:
    """Stop the session started by :func:`session` (the next call starts a new one)."""
    global _SESSION
    with _LOCK:
        if _SESSION is not None:
            _SESSION.stop()
            _SESSION = None


# --------------------------------------------------------------------------- sources


@dataclass
class _Table:
    """A table offered by a source, and how Spark reads it (column names as the platform names them)."""

    ref: TableRef
    load: Callable[[Any], Any]  # SparkSession → DataFrame
    display: str = ""
    source_types: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    bytes: int | None = None
    malformed: Callable[[], DiscoveryError] | None = None  # the message for rows Spark cannot parse


def _scheme(source: str) -> str:
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://", source.strip())
    return match.group(1).lower() if match else ""


def _file_format(source: str, options: Mapping[str, Any]) -> str:
    """The connector a local file calls for (``csv``, ``parquet``, ``jsonl``, ``excel``, ``sqlite``…)."""
    forced = options.get("format")
    if forced:
        return str(forced)
    return open_source(source, dict(options)).name


def supports(source: str, options: Mapping[str, Any] | None = None) -> bool:
    """Whether the Spark engine reads ``source`` (without starting Spark): a ``spark:`` table, a
    Parquet URI of a distributed file system, or a local CSV, Parquet or JSON Lines file. A file that
    cannot be opened counts as supported, so that the scan reports why."""
    options = options or {}
    source = str(source)
    if source.startswith(PREFIX):
        return True
    if _scheme(source) == "file":
        source = unquote(urlparse(source).path)
    elif is_url(source):
        return _scheme(source) in REMOTE_SCHEMES and _remote_format(source, options) == "parquet"
    try:
        return _file_format(source, options) in _FILE_FORMATS
    except DiscoveryError as exc:
        return exc.code != UNSUPPORTED


def _remote_format(source: str, options: Mapping[str, Any]) -> str:
    forced = options.get("format")
    if forced:
        return str(forced)
    path = urlparse(source).path.rstrip("/")
    suffix = Path(path).suffix.lower()
    return {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}.get(
        suffix, "parquet" if not suffix else suffix.lstrip(".")
    )


def _tables(source: str, options: Mapping[str, Any], spark: Callable[[], Any]) -> list[_Table]:
    """The tables of ``source``; ``spark()`` gives the session, started only for a catalog source
    (a missing file or an unsupported format is reported before Spark starts)."""
    source = str(source)
    if source.startswith(PREFIX):
        return _catalog_tables(spark(), source[len(PREFIX) :].strip())
    if is_url(source):
        scheme = _scheme(source)
        fmt = _remote_format(source, options)
        if scheme == "file":
            return _tables(unquote(urlparse(source).path), options, spark)
        if scheme not in REMOTE_SCHEMES:
            raise DiscoveryError(
                f"Spark 引擎不能读取数据源 {mask_url(source)}：它读取 Spark 目录中的表（spark:表名）、"
                f"CSV、Parquet、JSON Lines 文件和 Parquet 的分布式文件地址（hdfs://、s3a://…）；{_ENGINE_HINT}",
                code=UNSUPPORTED,
            )
        if fmt != "parquet":
            raise DiscoveryError(
                f"Spark 引擎只读取分布式文件系统上的 Parquet 文件（{mask_url(source)}）：CSV 或 JSON Lines "
                "请先在 Spark 中建表后以 spark:表名 扫描，或下载到本机后扫描",
                code=UNSUPPORTED,
            )
        name = str(options.get("name") or Path(urlparse(source).path.rstrip("/")).stem or "table")
        return [_Table(TableRef(name), lambda s: s.read.parquet(source), display=mask_url(source))]
    fmt = _file_format(source, options)
    if fmt == "csv":
        return [_csv_table(source, options)]
    if fmt == "parquet":
        return [_parquet_table(source, options)]
    if fmt == "jsonl":
        return [_json_table(source, options)]
    labels = {"excel": "Excel 工作簿", "sqlite": "SQLite 数据库文件"}
    raise DiscoveryError(
        f"Spark 引擎不能读取{labels.get(fmt, fmt)}“{Path(source).name}”："
        f"它读取 Spark 目录中的表（spark:表名）和 CSV、Parquet、JSON Lines 文件；{_ENGINE_HINT}",
        code=UNSUPPORTED,
    )


def _catalog_tables(spark: Any, name: str) -> list[_Table]:
    catalog = spark.catalog
    if name and catalog.tableExists(name):
        names = [name]
    elif not name or catalog.databaseExists(name):
        database = name or catalog.currentDatabase()
        names = [f"{database}.{t.name}" if name else t.name for t in catalog.listTables(database)]
    else:
        raise DiscoveryError(
            f"Spark 目录中没有表或数据库“{name}”：请检查名称（可写作 数据库.表名），"
            f"当前数据库为“{catalog.currentDatabase()}”",
            code=NO_SUCH_TABLE,
        )
    out = []
    for table in names:

        def load(s: Any, table: str = table) -> Any:
            return s.table(table)

        out.append(_Table(TableRef(table), load, display=f"{PREFIX}{table}"))
    return out


def _java_charset(encoding: str) -> str:
    key = encoding.lower().replace(" ", "")
    if key in _JAVA_CHARSETS:
        return _JAVA_CHARSETS[key]
    try:
        key = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    return _JAVA_CHARSETS.get(key, key.replace("_", "-"))


def _csv_table(source: str, options: Mapping[str, Any]) -> _Table:
    connector = CsvConnector(source, dict(options))
    layout = connector.layout()
    table = connector.table_name
    head = _rows(layout.info.text, layout.delimiter, 10_000)
    lines = [n for _, _, n in head]
    multiline = layout.info.encoding.startswith("utf-16") or any(
        b - a > 1 for a, b in zip([0, *lines], lines, strict=False)
    )
    width = len(layout.names)
    before = _records_before(layout, head, multiline)
    warnings = list(layout.warnings)
    # records of another width above the data (title rows) fail a FAILFAST read: drop malformed
    # records then, and say that ragged data rows are dropped too
    drop = str(options.get("bad_rows", "error")) == "skip" or any(len(r) != width for r in before)
    if drop and str(options.get("bad_rows", "error")) != "skip":
        warnings.append("文件有标题行：Spark 引擎读取时跳过列数与表头不符的行，不逐行报错")
    skip = sum(1 for r in before if len(r) == width) if drop else len(before)

    def load(spark: Any) -> Any:
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(f"c{i}", StringType()) for i in range(width)])
        df = (
            spark.read.format("csv")
            .schema(schema)
            .option("sep", layout.delimiter)
            .option("quote", '"')
            .option("escape", '"')
            .option("header", "false")
            .option("encoding", _java_charset(layout.info.encoding))
            .option("multiLine", "true" if multiline else "false")
            .option("mode", "DROPMALFORMED" if drop else "FAILFAST")
            .load(str(Path(source).resolve()))
        )
        if skip:
            # title rows and the header: the first records of partition 0, numbered from 0 there
            df = df.selectExpr("*", "monotonically_increasing_id() AS _skip")
            df = df.where(f"_skip >= {skip}").drop("_skip")
        return df.toDF(*layout.names)

    def malformed() -> DiscoveryError:
        found = connector._find_ragged(layout)
        where = (
            f"第 {found[0]} 行有 {found[1]} 列，而表头有 {width} 列"
            if found
            else f"有列数与表头（{width} 列）不符的行"
        )
        return DiscoveryError(
            f"文件“{connector.display}”{where}：请检查分隔符和引号，改正后重新扫描"
            "（或设置 bad_rows=skip 跳过这些行）",
            code=MALFORMED,
        )

    return _Table(
        TableRef(table, layout.rows_estimate),
        load,
        display=connector.display,
        source_types={n: "text" for n in layout.names},
        warnings=warnings,
        bytes=connector.size,
        malformed=malformed,
    )


_JAVA_TRIM = "".join(map(chr, range(33)))  # what Java's String.trim() removes


def _records_before(
    layout: Layout, head: list[tuple[list[str], int, int]], multiline: bool
) -> list[list[str]]:
    """The records Spark's CSV reader yields before the data rows (title rows, the header, rows of
    only delimiters): it skips empty lines, and in line mode also lines of only blanks."""
    out = []
    for fields, _, lines in head:
        if lines > layout.lines_before:
            break
        if not fields or (not multiline and len(fields) == 1 and not fields[0].strip(_JAVA_TRIM)):
            continue
        out.append(fields)
    return out


def _parquet_table(source: str, options: Mapping[str, Any]) -> _Table:
    from dataasset.discovery.connectors.parquet import ParquetConnector

    connector = ParquetConnector(source, dict(options))
    ref = connector.tables()[0]
    stream = connector.open(ref.name, 0)  # reads the footer only: types and comments as DuckDB sees them
    stream.close()
    path = str(Path(source).resolve())
    return _Table(
        ref,
        lambda spark: spark.read.parquet(path),
        display=connector.display,
        source_types=dict(stream.source_types),
        comments=dict(stream.comments),
        bytes=connector.size,
    )


def _json_table(source: str, options: Mapping[str, Any]) -> _Table:
    connector = JsonLinesConnector(source, dict(options))
    ref = connector.tables()[0]
    info = connector.info()
    keys: dict[str, None] = {}
    records = connector._records(info)  # the connector's own reading: the same objects, the same keys
    try:
        for seen, (where, item) in enumerate(records, start=1):
            for key in connector._object(where, item):
                keys.setdefault(key, None)
            if seen >= BATCH_ROWS:
                break
    finally:
        records.close()
    raw = list(keys)
    names, renamed = unique_names(raw, where="JSON 字段")
    array = connector._is_array()
    encoding = _java_charset(info.encoding)
    path = str(Path(source).resolve())

    def load(spark: Any) -> Any:
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(k, StringType()) for k in raw])
        reader = spark.read.schema(schema).option("mode", "FAILFAST").option("multiLine", str(array).lower())
        if encoding != "UTF-8":
            reader = reader.option("encoding", encoding)
        return reader.json(path).toDF(*names)

    def malformed() -> DiscoveryError:
        return DiscoveryError(
            f"文件“{connector.display}”有不是有效 JSON 对象的行："
            "JSON Lines 要求每行是一个完整的 JSON 对象，请修正后重新扫描",
            code=MALFORMED,
        )

    return _Table(
        ref,
        load,
        display=connector.display,
        source_types={n: "json" for n in names},
        warnings=[*info.warnings, *renamed],
        bytes=connector.size,
        malformed=malformed,
    )


# --------------------------------------------------------------------------- the profile


@dataclass
class _Col:
    index: int
    name: str
    kind: str  # text | integer | float | decimal | boolean | date | timestamp | binary (profiler's kinds)
    source_type: str
    precision: tuple[int, int] | None = None  # decimal (precision, scale)

    @property
    def key(self) -> str:
        return f"c{self.index}"


def _kind(data_type: Any) -> tuple[str, tuple[int, int] | None]:
    """The profiler's kind of a Spark type (``other``: made text by :func:`_normalised`)."""
    from pyspark.sql import types as st

    if isinstance(data_type, st.StringType | st.VarcharType | st.CharType):
        return "text", None
    if isinstance(data_type, st.BooleanType):
        return "boolean", None
    if isinstance(data_type, st.ByteType | st.ShortType | st.IntegerType | st.LongType):
        return "integer", None
    if isinstance(data_type, st.FloatType | st.DoubleType):
        return "float", None
    if isinstance(data_type, st.DecimalType):
        return "decimal", (data_type.precision, data_type.scale)
    if isinstance(data_type, st.DateType):
        return "date", None
    if isinstance(data_type, st.TimestampType | st.TimestampNTZType):
        return "timestamp", None
    if isinstance(data_type, st.BinaryType):
        return "binary", None
    return "other", None


def _raw(pattern: str) -> str:
    """A Spark SQL raw string literal: the regex reaches Java as written."""
    if "'" in pattern:
        raise ValueError("a quote in a regex literal")
    return f"r'{pattern}'"


def _normalised(col: _Col, data_type: Any) -> tuple[_Col, str]:
    """SQL for the column as the profiler's batches hold it: blanks null, timestamps without zone (UTC
    wall clock), nested values as JSON text, other odd types as text."""
    from pyspark.sql import types as st

    k = col.key
    if col.kind == "text":
        return col, f"CASE WHEN {k} RLIKE {_raw(_BLANK)} THEN NULL ELSE {k} END AS {k}"
    if col.kind == "timestamp":
        return col, f"CAST({k} AS TIMESTAMP_NTZ) AS {k}"
    if col.kind != "other":
        return col, k
    text = replace(col, kind="text")
    nested = (st.ArrayType, st.MapType, st.StructType, getattr(st, "VariantType", st.StructType))
    if isinstance(data_type, nested):
        return text, f"to_json({k}) AS {k}"
    if isinstance(data_type, st.NullType):
        return text, f"CAST(NULL AS STRING) AS {k}"
    return text, f"CAST({k} AS STRING) AS {k}"


def _derive(df: Any, casts: Sequence[tuple[str, bool, bool, bool]]) -> Any:
    """``df`` with, for each ``(text column k, numeric, boolean, temporal)``: ``l_k`` (length), and as
    asked ``d_k`` (the number DuckDB's profiler reads, finite, else null), ``b_k`` (boolean) and
    ``t_k`` (TIMESTAMP_NTZ). Two select levels, so that each regex runs once per value."""
    first: list[str] = []
    second: list[str] = []
    for k, numeric, boolean, temporal in casts:
        first.append(f"length({k}) AS l_{k}")
        if numeric:
            first.append(
                f"CASE WHEN (octet_length({k}) <= 15 OR contains({k}, '.')) AND NOT (startswith({k}, '0') "
                f"AND octet_length({k}) > 1 AND NOT startswith({k}, '0.')) AND {k} RLIKE {_raw(_NUMBER)} "
                f"THEN try_cast(regexp_replace(regexp_replace({k}, {_raw(_NUMBER_NOISE)}, ''), "
                f"{_raw(_PLUS_MINUS)}, '-') AS DOUBLE) END AS r_{k}"
            )
            second.append(
                f"CASE WHEN isnan(r_{k}) OR abs(r_{k}) = double('Infinity') THEN NULL ELSE r_{k} END AS d_{k}"
            )
        if boolean:
            true, false = (", ".join(f"'{w}'" for w in words) for words in (_TRUE, _FALSE))
            first.append(
                f"CASE WHEN lower({k}) IN ({true}) THEN true "
                f"WHEN lower({k}) IN ({false}) THEN false END AS b_{k}"
            )
        if temporal:
            first.append(f"{k} RLIKE {_raw(_TIMESTAMP)} AS tm_{k}")
            first.append(
                f"split(regexp_replace({k}, {_raw(_TIMESTAMP)}, '$1|$3|$4|$5|$6|$7|$8'), {_raw(_BAR)}) "
                f"AS tp_{k}"
            )

            def part(i: int, default: str, k: str = k) -> str:
                return f"lpad(coalesce(nullif(try_element_at(tp_{k}, {i}), ''), '{default}'), 2, '0')"

            canonical = (
                f"concat(lpad(try_element_at(tp_{k}, 1), 4, '0'), '-', {part(2, '1')}, '-', "
                f"{part(3, '1')}, ' ', {part(4, '0')}, ':', {part(5, '0')}, ':', {part(6, '0')}, '.', "
                f"rpad(substring(try_element_at(tp_{k}, 7), 1, 6), 6, '0'))"
            )
            # year 0 is 1 BC to DuckDB, out of Python's range
            second.append(
                f"CASE WHEN tm_{k} AND try_element_at(tp_{k}, 1) != '0' "
                f"THEN try_cast({canonical} AS TIMESTAMP_NTZ) END AS t_{k}"
            )
    out = df.selectExpr("*", *first) if first else df
    return out.selectExpr("*", *second) if second else out


@contextmanager
def _job_group(spark: Any, cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Spark jobs started in this block belong to one job group, cancelled (running tasks
    interrupted) as soon as ``cancelled()`` says so."""
    if cancelled is None:
        yield
        return
    sc = spark.sparkContext
    group = f"dataasset-discovery-{uuid.uuid4().hex}"
    sc.setJobGroup(group, "dataasset discovery", interruptOnCancel=True)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.5):
            if cancelled():
                sc.cancelJobGroup(group)
                return

    watcher = threading.Thread(target=watch, name="dataasset-spark-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
        sc.setLocalProperty("spark.jobGroup.id", None)
        sc.setLocalProperty("spark.job.description", None)


def _check(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise DiscoveryError("扫描已取消", code=CANCELLED)


def profile_dataframe(
    df: Any,
    name: str,
    *,
    sample_size: int = SAMPLE_SIZE,
    top_k: int = TOP_K,
    source_types: Mapping[str, str] | None = None,
    bytes_estimate: int | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> TableProfile:
    """Profile a Spark DataFrame as :func:`profiler.profile` profiles a stream (see the module's
    docstring for what is exact). ``limit``: only the first ``limit`` rows (source order).
    ``source_types``: column → type as the source names it (default: Spark's type names).
    ``progress(rows)`` is called once the rows are counted; ``cancelled()`` is polled while Spark
    works and cancels its jobs. Sensitive values come back raw: :func:`scanner.analyse` masks them."""
    from pyspark import StorageLevel

    spark = df.sparkSession
    names = list(df.columns)
    source_types = dict(source_types or {})
    cols: list[_Col] = []
    selected: list[str] = []
    for i, (col_name, spark_field) in enumerate(zip(names, df.schema.fields, strict=True)):
        kind, precision = _kind(spark_field.dataType)
        source_type = source_types.get(col_name) or spark_field.dataType.simpleString()
        col, expr = _normalised(_Col(i, col_name, kind, source_type, precision), spark_field.dataType)
        cols.append(col)
        selected.append(expr)
    keyed = df.toDF(*[f"c{i}" for i in range(len(names))])
    base = keyed.selectExpr(*selected, "monotonically_increasing_id() AS _rid")
    with _job_group(spark, cancelled):
        if limit is not None:
            head = base.select("_rid").limit(max(0, int(limit))).collect()  # first rows, in partition order
            base = base.where(f"_rid <= {int(head[-1][0])}") if head else base.limit(0)
        data = base.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            return _profile(data, cols, name, sample_size, top_k, bytes_estimate, limit, progress, cancelled)
        finally:
            data.unpersist()


def _profile(
    data: Any,
    cols: list[_Col],
    name: str,
    sample_size: int,
    top_k: int,
    bytes_estimate: int | None,
    limit: int | None,
    progress: Callable[[int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> TableProfile:
    if not cols:
        _check(cancelled)
        rows = int(data.count())
        if progress is not None:
            progress(rows)
        return TableProfile(name, rows, bytes_estimate, 0, [], [], limit is not None)
    preps = [
        profiler._Prep(profiler._Column(c.index, c.name, c.kind, c.source_type, lambda a: a)) for c in cols
    ]
    _check(cancelled)
    _probe(data, cols, preps)
    _check(cancelled)
    row = _main_pass(data, cols, preps)
    rows = int(row[0])
    if progress is not None:
        progress(rows)
    _check(cancelled)
    nn = {c.index: int(row[p.aggs["nn"]] or 0) for c, p in zip(cols, preps, strict=True)}
    distinct, tops = _values(data, cols, nn, top_k)
    for c, p in zip(cols, preps, strict=True):
        p.exact_distinct = distinct.get(c.index, 0)
        p.exact_top = tops.get(c.index, [])
    _check(cancelled)
    sample = _sample(data, cols, rows, sample_size)
    columns = [profiler._column_profile(p, row, rows, sample, top_k) for p in preps]
    keys = [c.name for c in columns if rows > 0 and c.nulls == 0 and c.distinct == rows and c.distinct_exact]
    return TableProfile(
        name=name,
        rows=rows,
        bytes=bytes_estimate,
        duplicate_rows=rows - distinct.get(ROW, 0),
        candidate_keys=keys,
        columns=columns,
        sampled=limit is not None and rows >= limit,
    )


_Cast = tuple[str, bool, bool, bool]  # text column, numeric, boolean, temporal
CHUNK_WEIGHT = 56  # casts per aggregation pass (a text column with all three weighs 7): Spark's generated
# code for one pass must stay under the JVM's 64 KB a method, else it compiles for seconds and gives up


def _aggregate(data: Any, parts: Sequence[tuple[str, _Cast | None, list[str]]]) -> list[Any]:
    """The values of the aggregates ``parts`` = ``[(column, its casts or None, [aggregate SQL…])…]``,
    flat and in order, computed in as few passes over ``data`` as keep the generated code small (the
    cache is columnar: a pass reads only its columns)."""
    chunks: list[list[tuple[str, _Cast | None, list[str]]]] = [[]]
    weight = 0
    for part in parts:
        cast = part[1]
        w = 1 if cast is None else 1 + 2 * cast[1] + cast[2] + 3 * cast[3]
        if chunks[-1] and weight + w > CHUNK_WEIGHT:
            chunks.append([])
            weight = 0
        chunks[-1].append(part)
        weight += w
    out: list[Any] = []
    for chunk in chunks:
        exprs = [e for _, _, es in chunk for e in es]
        if not exprs:
            continue
        columns = list(dict.fromkeys(k for k, _, _ in chunk))
        casts = [cast for _, cast, _ in chunk if cast is not None]
        out += list(_derive(data.select(*columns), casts).selectExpr(*exprs).collect()[0])
    return out


def _probe(data: Any, cols: list[_Col], preps: list[Any]) -> None:
    """The casts each text column may pass, chosen on its first rows as :func:`profiler._probe` does."""
    text = [(c, p) for c, p in zip(cols, preps, strict=True) if c.kind == "text"]
    if not text:
        return
    head = data.select("_rid").limit(profiler.PROBE_ROWS).collect()  # first rows, in partition order
    if not head:
        for _, p in text:
            p.numeric = p.integer = p.boolean = p.temporal = True
        return
    first = data.where(f"_rid <= {max(int(r[0]) for r in head)}")
    parts = []
    for c, _ in text:
        k = c.key
        exprs = [
            f"count({k})",
            f"count(d_{k})",
            f"count(CASE WHEN d_{k} IS NOT NULL AND NOT contains({k}, '.') THEN 1 END)",
            f"count(b_{k})",
            f"count(t_{k})",
        ]
        parts.append((k, (k, True, True, True), exprs))
    got = _aggregate(first, parts)
    for i, (_, p) in enumerate(text):
        n, num, whole, boo, tem = (int(v or 0) for v in got[5 * i : 5 * i + 5])
        if n == 0:
            p.numeric = p.integer = p.boolean = p.temporal = True
            continue
        p.numeric = num == n
        p.integer = p.numeric and whole == n
        p.boolean = boo == n and not p.numeric
        p.temporal = tem == n and not p.numeric


def _quartiles(expr: str) -> str:
    return f"percentile_approx({expr}, array({', '.join(str(q) for _, q in profiler.QUANTILES)}), {ACCURACY})"


def _main_pass(data: Any, cols: list[_Col], preps: list[Any]) -> list[Any]:
    """Every figure that aggregating the rows gives (profiler._query's, distinct counts apart), as one
    row placed where :func:`profiler._column_profile` reads them (``row[0]``: the rows)."""
    parts: list[tuple[str, _Cast | None, list[str]]] = [(cols[0].key, None, ["count(1)"])]
    position = 1

    for c, p in zip(cols, preps, strict=True):
        k = c.key
        exprs: list[str] = []

        def add(name: str, expr: str, p: Any = p, exprs: list[str] = exprs, at: int = position) -> None:
            p.aggs[name] = at + len(exprs)
            exprs.append(expr)

        def numeric(d: str, add: Callable[[str, str], None] = add) -> None:
            add("dmin", f"min({d})")
            add("dmax", f"max({d})")
            add("mean", f"avg({d})")
            add("std", f"stddev_samp({d})")
            add("q", _quartiles(d))

        cast: _Cast | None = None
        add("nn", f"count({k})")
        if c.kind == "binary":
            add("lmin", f"min(octet_length({k}))")
            add("lmax", f"max(octet_length({k}))")
            add("lavg", f"avg(octet_length({k}))")
        elif c.kind == "text":
            cast = (k, p.numeric, p.boolean, p.temporal)
            add("min", f"min({k})")
            add("max", f"max({k})")
            add("lmin", f"min(l_{k})")
            add("lmax", f"max(l_{k})")
            add("lavg", f"avg(l_{k})")
            if p.numeric:
                add("nnum", f"count(d_{k})")
                if p.integer:
                    add("nint", f"count(CASE WHEN d_{k} IS NOT NULL AND NOT contains({k}, '.') THEN 1 END)")
                numeric(f"d_{k}")
            if p.boolean:
                add("nbool", f"count(b_{k})")
                add("ntrue", f"count_if(b_{k})")
            if p.temporal:
                add("nts", f"count(t_{k})")
                add("ndate", f"count(CASE WHEN t_{k} IS NOT NULL AND l_{k} <= 10 THEN 1 END)")
                add("tmin", f"min(t_{k})")
                add("tmax", f"max(t_{k})")
                add("tq", _quartiles(f"t_{k}"))
        else:
            add("min", f"min({k})")
            add("max", f"max({k})")
            if c.kind in ("integer", "float", "decimal"):
                numeric(f"CAST({k} AS DOUBLE)")
            elif c.kind == "boolean":
                add("ntrue", f"count_if({k})")
            elif c.kind in ("date", "timestamp"):
                add("tq", _quartiles(k))
        parts.append((k, cast, exprs))
        position += len(exprs)
    return _aggregate(data, parts)


ROW = -1  # the "column" of whole rows (their hash) in the group-by of :func:`_values`


def _values(
    data: Any, cols: list[_Col], nn: dict[int, int], top_k: int
) -> tuple[dict[int, int], dict[int, list[tuple[Any, int]]]]:
    """Exact distinct counts of every column (and, under :data:`ROW`, of whole rows: a 64-bit hash
    of the values and of where the nulls are, as DuckDB's ``hash(c0, c1, …)``), and exact top
    values (ties: first seen first) of the columns whose values repeat: one group-by over (column,
    value) for all columns at once."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as sf

    keys = [c.key for c in cols]
    row_hash = f"xxhash64({', '.join(keys)}, array({', '.join(f'{k} IS NULL' for k in keys)}))"
    structs = [
        f"named_struct('i', {ROW}, 's', CAST({row_hash} AS STRING), 'd', CAST(NULL AS DOUBLE), "
        "'t', CAST(NULL AS TIMESTAMP_NTZ))"
    ]
    for c in cols:
        k = c.key
        s, d, t = "NULL", "NULL", "NULL"
        if c.kind == "float":
            d = k
        elif c.kind == "timestamp":
            t = k
        elif c.kind == "binary":
            s = f"hex({k})"
        else:
            s = k
        structs.append(
            f"named_struct('i', {c.index}, 's', CAST({s} AS STRING), 'd', CAST({d} AS DOUBLE), "
            f"'t', CAST({t} AS TIMESTAMP_NTZ))"
        )
    stacked = data.selectExpr("_rid", f"inline(array({', '.join(structs)}))").where(
        "s IS NOT NULL OR d IS NOT NULL OR t IS NOT NULL"
    )
    grouped = (
        stacked.groupBy("i", "s", "d", "t")
        .agg(sf.count(sf.lit(1)).alias("n"), sf.min("_rid").alias("first"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    try:
        distinct = {int(r[0]): int(r[1]) for r in grouped.groupBy("i").count().collect()}
        wanted = [
            c.index
            for c in cols
            if c.kind != "binary"
            and nn[c.index] > 0
            and not (distinct.get(c.index, 0) == nn[c.index] and nn[c.index] > 1)
        ]
        tops: dict[int, list[tuple[Any, int]]] = {}
        if wanted:
            rank = (
                f"row_number() OVER (PARTITION BY i, pmod(xxhash64(s, d, t), {TOP_BUCKETS}) "
                "ORDER BY n DESC, first) AS rank"
            )
            ranked = (
                grouped.where(f"i IN ({', '.join(str(i) for i in wanted)})")
                .selectExpr("i", "s", "d", "t", "n", "first", rank)
                .where(f"rank <= {int(top_k)}")
                .collect()
            )
            by_col: dict[int, list[Any]] = {}
            for r in ranked:
                by_col.setdefault(int(r["i"]), []).append(r)
            kinds = {c.index: c.kind for c in cols}
            for i, found in by_col.items():
                found.sort(key=lambda r: (-int(r["n"]), int(r["first"])))
                tops[i] = [(_typed(kinds[i], r), int(r["n"])) for r in found[:top_k]]
        return distinct, tops
    finally:
        grouped.unpersist()


def _typed(kind: str, r: Any) -> Any:
    """A grouped value back as the Python value the profiler renders."""
    if kind == "float":
        return r["d"]
    if kind == "timestamp":
        return r["t"]
    s = r["s"]
    if kind == "integer":
        return int(s)
    if kind == "boolean":
        return s == "true"
    if kind == "date":
        return date.fromisoformat(s)
    if kind == "decimal":
        return Decimal(s)
    return s


def _arrow_type(col: _Col) -> Any:
    if col.kind == "text":
        return pa.string()
    if col.kind == "integer":
        return pa.int64()
    if col.kind == "float":
        return pa.float64()
    if col.kind == "decimal" and col.precision is not None:
        return pa.decimal128(*col.precision)
    if col.kind == "boolean":
        return pa.bool_()
    if col.kind == "date":
        return pa.date32()
    if col.kind == "timestamp":
        return pa.timestamp("us")
    return pa.null()


def _sample(data: Any, cols: list[_Col], rows: int, sample_size: int) -> Any:
    """The rows detection looks at, in source order, as an Arrow table with columns ``c0…``: every
    row when there are at most ``sample_size``, else a seeded uniform sample of that many."""
    if rows == 0 or sample_size <= 0:
        return None
    wanted = [c for c in cols if c.kind != "binary"]
    keys = [c.key for c in wanted]
    if rows <= sample_size:
        picked = data.select("_rid", *keys)  # every row: sorted here, not by a Spark sort
    else:
        picked = data.selectExpr("_rid", *keys, f"rand({SEED}) AS _r").orderBy("_r").limit(sample_size)
    got = sorted(picked.collect(), key=lambda r: int(r[0]))
    arrays = {
        c.key: pa.array([r[j] for r in got], type=_arrow_type(c)) for j, c in enumerate(wanted, start=1)
    }
    columns = [arrays.get(c.key, pa.nulls(len(got))) for c in cols]
    return pa.table(columns, names=[c.key for c in cols])


# --------------------------------------------------------------------------- the scan


def _input_bytes(df: Any) -> int | None:
    """The size of the files behind ``df`` when they are local, else None."""
    total = 0
    try:
        files = df.inputFiles()
    except Exception:  # not a file-based relation
        return None
    for uri in files:
        parsed = urlparse(uri)
        if parsed.scheme not in ("", "file"):
            return None
        try:
            total += Path(unquote(parsed.path)).stat().st_size
        except OSError:
            return None
    return total if files else None


def _spark_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = []
    try:
        from pyspark.errors import PySparkException

        errors.append(PySparkException)
    except ImportError:  # pragma: no cover - pyspark < 3.4
        pass
    try:
        from py4j.protocol import Py4JError  # type: ignore[import-untyped, import-not-found, unused-ignore]

        errors.append(Py4JError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def _translate(exc: BaseException, table: _Table, cancelled: Callable[[], bool] | None) -> DiscoveryError:
    if cancelled is not None and cancelled():
        return DiscoveryError("扫描已取消", code=CANCELLED)
    text = str(exc)
    if table.malformed is not None and ("MALFORMED" in text or "Malformed" in text):
        return table.malformed()
    if "PATH_NOT_FOUND" in text or "FileNotFoundException" in text:
        return DiscoveryError(
            f"找不到“{table.display or table.ref.name}”：请确认路径正确，且 Spark 的每个执行器都能读取它",
            code=UNREACHABLE,
        )
    if "TABLE_OR_VIEW_NOT_FOUND" in text:
        return DiscoveryError(f"Spark 目录中没有表“{table.ref.name}”", code=NO_SUCH_TABLE)
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return DiscoveryError(
        f"Spark 读取或统计“{table.display or table.ref.name}”时出错：{first[:300]}", code=MALFORMED
    )


def scan(
    source: str,
    *,
    tables: Sequence[str] = (),
    template: str = "general",
    sample: int | None = None,
    options: Mapping[str, Any] | None = None,
    progress: scanner.ScanProgress | None = None,
) -> list[scanner.TableResult]:
    """Scan ``source`` with Spark (see the module's docstring for the sources): every table, or those
    named; returns :class:`scanner.TableResult` as :func:`scanner.scan` does. ``progress`` is a
    :class:`scanner.ScanProgress` (rows are reported once per table, when counted)."""
    progress = progress or scanner.ScanProgress()
    options = dict(options or {})
    rules = grading.load_template(template)
    if sample is not None and sample < 0:
        raise ValueError("sample must be >= 0")
    _pyspark()
    offered = _tables(source, options, session)
    spark = session()
    errors = _spark_errors()
    by_name = {t.ref.name: t for t in offered}
    chosen = scanner.choose_tables([t.ref for t in offered], tables)
    if progress.on_tables:
        progress.on_tables(chosen)
    results = []
    for ref in chosen:
        table = by_name[ref.name]
        _check(progress.cancelled)
        if progress.on_table_start:
            progress.on_table_start(ref.name, ref.rows_estimate)
        try:
            df = table.load(spark)
            comments = dict(table.comments) or _comments(df)
            profiled = profile_dataframe(
                df,
                ref.name,
                sample_size=scanner.SAMPLE_VALUES,
                source_types=table.source_types,
                bytes_estimate=table.bytes if table.bytes is not None else _input_bytes(df),
                limit=sample,
                progress=progress.on_rows,
                cancelled=progress.cancelled,
            )
        except DiscoveryError:
            raise
        except errors as exc:
            raise _translate(exc, table, progress.cancelled) from None
        result = replace(scanner.analyse(profiled, rules, comments), warnings=list(table.warnings))
        results.append(result)
        if progress.on_table_done:
            progress.on_table_done(result)
    return results


def _comments(df: Any) -> dict[str, str]:
    """Column comments of a catalog table (Spark keeps them in the field metadata)."""
    out = {}
    for f in df.schema.fields:
        comment = (f.metadata or {}).get("comment")
        if comment:
            out[f.name] = str(comment)
    return out
