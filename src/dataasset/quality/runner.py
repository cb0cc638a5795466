"""One quality run over one source, without the platform's database: the CLI (``dataasset quality
check``) prints what this returns and the service's background job stores it.

The checked table (and any table the checks compare with) is read once through discovery's
connectors into an in-memory DuckDB table; text columns whose every value reads as an integer, a
decimal, a date or a time are typed (a CSV arrives as text; ``0``-led codes and numbers of more than
15 digits stay text), then :func:`engine.evaluate` counts every check.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dataasset.discovery.connectors import open_source
from dataasset.discovery.types import UNREACHABLE, DiscoveryError
from dataasset.quality import engine, scoring
from dataasset.quality.checks import Sql
from dataasset.quality.rules import load_yaml, parse_document
from dataasset.quality.types import CheckResult, QualityError, QualityReport, RuleSet

MAIN = "dq_main"


@dataclass
class RunOptions:
    table: str | None = None  # overrides the rule file's table
    connector_options: dict[str, Any] = field(default_factory=dict)
    refs: Mapping[str, str] = field(default_factory=dict)  # other table name → another source (file/URL)
    sensitive: Collection[str] | None = None
    weights: Mapping[str, float] | None = None  # organisation's dimension weights
    now: datetime | None = None
    memory_limit: str = "2GB"
    engine: str = "duckdb"  # "spark": on Spark for the sources it reads (else DuckDB, as discovery does)
    on_check: Callable[[int, int], None] | None = None
    on_rows: Callable[[int], None] | None = None


def connect(memory_limit: str, tmp: str) -> Any:
    import duckdb

    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": memory_limit,
            "threads": max(1, min(8, os.cpu_count() or 1)),
            "temp_directory": tmp,
            "preserve_insertion_order": True,  # row numbers of failing examples follow the source
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    return con


def seal(con: Any) -> None:
    """No file or network access from here on (the checks run after this), and no way back."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def load(
    con: Any,
    connector: Any,
    table: str,
    relation: str,
    on_rows: Callable[[int], None] | None = None,
    typed: Collection[str] | None = None,
) -> int:
    """Stream ``table`` of an open connector into DuckDB table ``relation`` and type its text
    columns ``typed`` (None: all); returns its rows."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    if getattr(connector, "name", "") == "parquet":
        # DuckDB reads a Parquet file itself, in parallel and without an Arrow copy (the connector
        # has already opened it, so a broken file was refused with its Chinese message)
        path = Sql.literal(str(connector.path))
        con.execute(
            f"CREATE OR REPLACE TABLE {relation} AS SELECT * EXCLUDE (file_row_number), "
            f"file_row_number AS {Sql.ident(engine.ROW_COLUMN)} "
            f"FROM read_parquet({path}, file_row_number = true)"
        )
        type_text_columns(con, relation, typed)
        rows = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
        if on_rows is not None:
            on_rows(rows)
        return rows
    stream = connector.open(table)
    batches = []
    try:
        for batch in stream.batches:
            batches.append(batch)
            if on_rows is not None:
                on_rows(sum(b.num_rows for b in batches))
        data = pa.Table.from_batches(batches, schema=stream.schema)
    finally:
        stream.close()
    # the row number travels with the rows (failing examples name it); a DuckDB table is scanned
    # faster than the Arrow table it is copied from, and the copy is cheap next to twenty checks
    data = data.append_column(engine.ROW_COLUMN, pa.array(range(data.num_rows), type=pa.int64()))
    con.register("dq_arrow", data)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM dq_arrow")
    finally:
        con.unregister("dq_arrow")
    del data
    type_text_columns(con, relation, typed)
    return int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])


# checks that read a column as a number or a time: only their columns are worth typing
TYPED_CHECKS = frozenset({"between", "expression", "ordered", "lag", "fresh_within", "cross_total"})
_PROBE_ROWS = 10_000


def type_text_columns(con: Any, relation: str, only: Collection[str] | None = None) -> dict[str, str]:
    """Give text columns (all of them, or ``only`` these) the type all their values read as: BIGINT,
    DOUBLE, DATE or TIMESTAMP; returns column → new type. A first probe of 10,000 rows rules most
    columns out; the survivors are confirmed over every row."""
    types = engine.describe(con, relation)
    text = [c for c, t in types.items() if t == "VARCHAR" and (only is None or c in only)]
    if not text:
        return {}
    probe = _type_candidates(con, f"(SELECT * FROM {relation} LIMIT {_PROBE_ROWS})", text)
    candidates = {c: t for c, t in probe.items() if t is not None}
    if not candidates:
        return {}
    confirmed = _type_candidates(con, relation, list(candidates))
    changes = {c: t for c, t in confirmed.items() if t is not None}
    if changes:
        select = ", ".join(
            f"TRY_CAST(nullif(trim({Sql.ident(c)}), '') AS {changes[c]}) AS {Sql.ident(c)}"
            if c in changes
            else Sql.ident(c)
            for c in types
        )
        row = Sql.ident(engine.ROW_COLUMN)
        con.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT {select}, {row} FROM {relation}")
    return changes


def _type_candidates(con: Any, relation: str, text: list[str]) -> dict[str, str | None]:
    parts = []
    for i, name in enumerate(text):
        c = f"trim({Sql.ident(name)})"
        present = f"{Sql.ident(name)} IS NOT NULL AND {c} <> ''"
        parts += [
            f"count(*) FILTER (WHERE {present}) AS n{i}",
            # DuckDB rounds '5.5' to a BIGINT 6: integers are told by their digits
            f"count(*) FILTER (WHERE {present} AND NOT regexp_full_match({c}, '-?[0-9]{{1,18}}')) AS i{i}",
            f"count(*) FILTER (WHERE {present} AND TRY_CAST({c} AS DOUBLE) IS NULL) AS d{i}",
            f"count(*) FILTER (WHERE {present} AND (length({c}) <> 10 OR TRY_CAST({c} AS DATE) IS NULL))"
            f" AS t{i}",
            f"count(*) FILTER (WHERE {present} AND (length({c}) < 16 OR TRY_CAST({c} AS TIMESTAMP) IS NULL))"
            f" AS s{i}",
            # codes led by 0, numbers of more than 15 digits, +86…, 1e5, .5 and 5. stay text
            f"count(*) FILTER (WHERE {present} AND (regexp_matches({c}, '^[+-]?0[0-9]') "
            f"OR length(regexp_replace({c}, '[^0-9]', '', 'g')) > 15 "
            f"OR regexp_matches({c}, '^[+]|[eE]|^-?\\.|\\.$'))) AS z{i}",
        ]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchall()[0]
    out: dict[str, str | None] = {}
    for i, name in enumerate(text):
        n, bad_int, bad_dbl, bad_date, bad_ts, odd_number = (int(v) for v in row[6 * i : 6 * i + 6])
        kind: str | None = None
        if n == 0:
            kind = None
        elif bad_int == 0 and odd_number == 0:
            kind = "BIGINT"
        elif bad_dbl == 0 and odd_number == 0:
            kind = "DOUBLE"
        elif bad_date == 0:
            kind = "DATE"
        elif bad_ts == 0:
            kind = "TIMESTAMP"
        out[name] = kind
    return out


def read_rules(rules: str | Path) -> Any:
    """The YAML document of a rule file (a path) or of rule text."""
    if isinstance(rules, Path) or (
        isinstance(rules, str) and "\n" not in rules and rules.endswith((".yaml", ".yml"))
    ):
        path = Path(rules)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise QualityError(f"找不到规则文件 {path}", code="rules_not_found") from None
        except UnicodeDecodeError:
            raise QualityError(f"规则文件 {path} 不是 UTF-8 编码", code="rules_not_utf8") from None
        return load_yaml(text)
    return load_yaml(str(rules))


def check_source(target: str, rules: str | Path, table: str | None = None, **kwargs: Any) -> QualityReport:
    """Run the rule file ``rules`` (a path or YAML text) over ``target`` (a file or a database URL)."""
    return run(target, read_rules(rules), RunOptions(table=table, **kwargs))


def run(target: str, document: Any, options: RunOptions) -> QualityReport:
    if options.engine == "spark":
        from dataasset.quality import spark

        if spark.supports(target, options):
            return spark.run(target, document, options)
    started = time.monotonic()
    unchecked = parse_document(document)  # the whole file is refused before anything is read
    tmp = tempfile.mkdtemp(prefix="dataasset-quality-")
    con = connect(options.memory_limit, tmp)
    try:
        t0 = time.monotonic()
        try:
            connector = open_source(target, dict(options.connector_options))
            offered = [t.name for t in connector.tables()]
        except DiscoveryError as exc:
            if exc.code == UNREACHABLE and any(c.check == "reachable" for c in unchecked.checks):
                return _unreachable(unchecked, exc.message, options, started)
            raise
        measured = {"connect_seconds": time.monotonic() - t0}
        try:
            name = main_table(options.table or unchecked.table, offered)
            typed = {col for c in unchecked.checks if c.check in TYPED_CHECKS for col in c.columns}
            rows = load(con, connector, name, MAIN, options.on_rows, typed)
            tables: dict[str, list[str]] = {}
            relations: dict[str, str] = {}
            for i, other in enumerate(unchecked.other_tables):
                relation = f"dq_other_{i}"
                wanted = {
                    str(c.params.get("other_column"))
                    for c in unchecked.checks
                    if c.check == "cross_total" and c.params.get("table") == other
                }
                if other in options.refs:
                    ref = open_source(options.refs[other], {"name": other})
                    try:
                        load(
                            con,
                            ref,
                            main_table(other, [t.name for t in ref.tables()]),
                            relation,
                            typed=wanted,
                        )
                    finally:
                        ref.close()
                elif other in offered:
                    load(con, connector, other, relation, typed=wanted)
                else:
                    continue  # parse_document below names the missing table
                relations[other] = relation
                tables[other] = list(engine.describe(con, relation))
            for other in offered:
                tables.setdefault(other, [])
        finally:
            connector.close()
        seal(con)
        columns = list(engine.describe(con, MAIN))
        known = {t: cols for t, cols in tables.items() if t in relations} | {
            t: [] for t in offered if t not in relations
        }
        ruleset = parse_document(document, columns, known)
        results = engine.evaluate(
            con,
            ruleset,
            MAIN,
            relations,
            measured=measured,
            sensitive=options.sensitive,
            now=options.now,
            on_check=options.on_check,
        )
        weights = scoring.merge_weights(options.weights, ruleset.weights)
        return engine.report(results, table=name, rows=rows, weights=weights, started=started)
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main_table(wanted: str | None, offered: list[str]) -> str:
    if wanted is not None:
        if wanted in offered:
            return wanted
        if len(offered) == 1:
            return offered[0]  # a one-table file answers to any name the rule file gives it
        raise QualityError(
            f"数据源中没有表“{wanted}”（现有表：{'、'.join(offered[:20])}）", code="no_such_table"
        )
    if len(offered) == 1:
        return offered[0]
    raise QualityError(
        f"数据源有多张表，请在规则文件中用 table 指明要检查的表（现有表：{'、'.join(offered[:20])}）",
        code="table_required",
    )


def _unreachable(ruleset: RuleSet, message: str, options: RunOptions, started: float) -> QualityReport:
    results = []
    for check in ruleset.checks:
        if check.check == "reachable":
            results.append(CheckResult(check, 1, 0, detail=message))
        else:
            results.append(CheckResult(check, 0, 0, error="数据源无法访问，未能执行"))
    weights = scoring.merge_weights(options.weights, ruleset.weights)
    return engine.report(results, table=ruleset.table, rows=0, weights=weights, started=started)
