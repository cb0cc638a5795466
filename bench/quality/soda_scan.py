"""The 20 checks as a Soda Core 3.5 scan (SodaCL in ``soda_checks.yml``) on a DuckDB connection:

    bench/.venv-quality/bin/python bench/quality/soda_scan.py soda --data bench/quality/data --out R.json
    bench/.venv-quality/bin/python bench/quality/soda_scan.py soda --data … --out … --samples   # with samples
    bench/.venv-quality/bin/python bench/quality/soda_scan.py soda --data … --out … --table     # load first

The scan gets an in-memory DuckDB connection (``Scan.add_duckdb_connection``) with two views,
``customers`` and ``regions``, over ``read_parquet`` of the two files: every query Soda sends reads
the Parquet file (DuckDB prunes the columns each query needs). ``--table`` instead loads both into
DuckDB tables first (``CREATE TABLE … AS``, inside the timed work: what Soda's own DuckDB data source
does when its ``path`` is a ``.parquet`` file), ``--samples`` drops the checks' ``samples limit: 0``
(Soda then also runs a query per failing check to fetch up to 100 sample rows).

SodaCL's grammar takes no unquoted non-ASCII identifier (``missing_count(客户编号)`` is a syntax error),
so the column names are double-quoted in the checks, which DuckDB reads as the same names.

Per check: the check value is the failing rows (``missing_count``, ``invalid_count``, the reference
check's and the failed-rows check's count, the user-defined duplicate-row metrics); checked = row
count − the column's missing count (row count for not_null), passed = checked − failing; row_count and
freshness: 1 checked, passed = the check passed.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import harness as h

CHECKS_YAML = h.HERE / "soda_checks.yml"
# The column each row-level check reads, for its checked rows (None: every row).
COLUMN = {
    "pattern:手机号": "手机号",
    "pattern:邮箱": "邮箱",
    "pattern:身份证号": "身份证号",
    "allowed_values:性别": "性别",
    "allowed_values:状态": "状态",
    "between:年龄": "年龄",
    "between:余额": "余额",
    "between:信用评分": "信用评分",
    "length:客户编号": "客户编号",
    "length:姓名": "姓名",
    "unique:客户编号": "客户编号",
    "unique:网点编号+账号": None,  # never null in this table
    "foreign_key:地区编码": "地区编码",
    "ordered:更新时间>=开户日期": None,  # both never null in this table
}


def soda(data: Path, extra: list[str]) -> h.Work:
    import duckdb
    from soda.scan import Scan

    samples = "--samples" in extra
    load = "--table" in extra
    checks = CHECKS_YAML.read_text(encoding="utf-8")
    if samples:
        checks = re.sub(r"^\s+samples limit: 0\n", "", checks, flags=re.MULTILINE)
    handle, name = tempfile.mkstemp(prefix="bench-quality-soda-", suffix=".yml")
    os.close(handle)
    checks_file = Path(name)
    checks_file.write_text(checks, encoding="utf-8")
    atexit.register(checks_file.unlink, missing_ok=True)

    def work() -> dict[str, Any]:
        con = duckdb.connect()
        kind = "TABLE" if load else "VIEW"
        for table in ("customers", "regions"):
            path = str(data / f"{table}.parquet").replace("'", "''")
            con.execute(f"CREATE {kind} {table} AS SELECT * FROM read_parquet('{path}')")
        scan = Scan()
        scan.set_scan_definition_name("bench_quality")
        scan.set_data_source_name("duckdb")
        scan.add_duckdb_connection(con)
        scan.add_sodacl_yaml_file(str(checks_file))
        exit_code = scan.execute()
        results = scan.get_scan_results()
        return {
            "backend": f"DuckDB {'tables' if load else 'views on read_parquet'}"
            + (", samples" if samples else ""),
            "exit_code": exit_code,
            "queries": len(results.get("queries", [])),
            **_checks(results, scan),
            "versions": _versions(),
        }

    return work


def _checks(results: dict[str, Any], scan: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    outcomes: dict[str, str] = {}
    for c in results["checks"]:
        values[c["name"]] = c.get("diagnostics", {}).get("value")
        outcomes[c["name"]] = c["outcome"]
    if results.get("hasErrors"):
        errors = [line for line in scan.get_logs_text().splitlines() if "ERROR" in line]
        return {"checks": {}, "errors": {"scan": errors[:20]}}
    rows = int(values["row_count"])
    missing = {name.split(":")[-1]: int(v) for name, v in values.items() if name.startswith("aux:missing:")}
    missing.update(
        {name.split(":")[-1]: int(v) for name, v in values.items() if name.startswith("not_null:")}
    )
    checks: dict[str, Any] = {}
    for cid, _, level in h.CHECKS:
        if level == "table":
            checks[cid] = {"checked": 1, "passed": int(outcomes[cid] == "pass"), "observed": values[cid]}
        elif cid.startswith("not_null:"):
            checks[cid] = {"checked": rows, "passed": rows - int(values[cid])}
        else:
            column = COLUMN[cid]
            checked = rows - (missing[column] if column else 0)
            checks[cid] = {"checked": checked, "passed": checked - int(values[cid])}
    return {"checks": checks, "errors": {}}


def _versions() -> dict[str, str]:
    from importlib import metadata

    return {p: metadata.version(p) for p in ("soda-core", "soda-core-duckdb", "duckdb")}


if __name__ == "__main__":
    sys.exit(h.main({"soda": soda}))
