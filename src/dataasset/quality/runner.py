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
    con.execute("SET enable_external_access = false")
    return con


def load(
    con: Any, connector: Any, table: str, relation: str, on_rows: Callable[[int], None] | None = None
) -> int:
    """Stream ``table`` of an open connector into DuckDB table ``relation``; returns its rows."""
    import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

    stream = connector.open(table)
    seen = 0

    def batches() -> Any:
        nonlocal seen
        for batch in stream.batches:
            seen += batch.num_rows
            if on_rows is not None:
                on_rows(seen)
            yield batch

    try:
        reader = pa.RecordBatchReader.from_batches(stream.schema, batches())
        con.register("dq_stream", reader)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT * FROM dq_stream")
        finally:
            con.unregister("dq_stream")
    finally:
        stream.close()
    type_text_columns(con, relation)
    return int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])


def type_text_columns(con: Any, relation: str) -> dict[str, str]:
    """Give text columns the type all their values read as; returns column → new type."""
    from dataasset.quality.checks import Sql

    types = engine.describe(con, relation)
    text = [c for c, t in types.items() if t == "VARCHAR"]
    if not text:
        return {}
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
    changes: dict[str, str] = {}
    for i, name in enumerate(text):
        n, bad_int, bad_dbl, bad_date, bad_ts, odd_number = (int(v) for v in row[6 * i : 6 * i + 6])
        if n == 0:
            continue
        if bad_int == 0 and odd_number == 0:
            changes[name] = "BIGINT"
        elif bad_dbl == 0 and odd_number == 0:
            changes[name] = "DOUBLE"
        elif bad_date == 0:
            changes[name] = "DATE"
        elif bad_ts == 0:
            changes[name] = "TIMESTAMP"
    if changes:
        select = ", ".join(
            f"TRY_CAST(nullif(trim({Sql.ident(c)}), '') AS {changes[c]}) AS {Sql.ident(c)}"
            if c in changes
            else Sql.ident(c)
            for c in types
        )
        con.execute(f"CREATE OR REPLACE TABLE {relation} AS SELECT {select} FROM {relation}")
    return changes


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
            name = _main_table(options.table or unchecked.table, offered)
            rows = load(con, connector, name, MAIN, options.on_rows)
            tables: dict[str, list[str]] = {}
            relations: dict[str, str] = {}
            for i, other in enumerate(unchecked.other_tables):
                relation = f"dq_other_{i}"
                if other in options.refs:
                    ref = open_source(options.refs[other], {"name": other})
                    try:
                        load(con, ref, _main_table(other, [t.name for t in ref.tables()]), relation)
                    finally:
                        ref.close()
                elif other in offered:
                    load(con, connector, other, relation)
                else:
                    continue  # parse_document below names the missing table
                relations[other] = relation
                tables[other] = list(engine.describe(con, relation))
            for other in offered:
                tables.setdefault(other, [])
        finally:
            connector.close()
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


def _main_table(wanted: str | None, offered: list[str]) -> str:
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
