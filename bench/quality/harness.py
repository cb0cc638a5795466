"""What every contender of the quality benchmark shares: the 20 checks' identities, in the order of
``rules.yaml``, and the JSON a contender's process writes. Standard library only: the contenders run
in two virtual environments (the project's for ours and DuckDB; ``bench/.venv-quality`` for Great
Expectations and Soda Core).

A contender reports, for each check, ``checked`` (rows the check looked at: every row for
``not_null``, the non-null rows for the others; 1 for a table-level check) and ``passed``. Nulls are
skipped by every check except ``not_null``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# The 20 checks, in the order of rules.yaml: (id, what it asks, level).
CHECKS: list[tuple[str, str, str]] = [
    ("not_null:客户编号", "客户编号 is not null", "row"),
    ("not_null:身份证号", "身份证号 is not null", "row"),
    ("not_null:手机号", "手机号 is not null", "row"),
    ("not_null:姓名", "姓名 is not null", "row"),
    ("pattern:手机号", "手机号 matches ^1[3-9][0-9]{9}$", "row"),
    ("pattern:邮箱", "邮箱 matches ^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$", "row"),
    ("pattern:身份证号", "身份证号 matches ^[0-9]{17}[0-9X]$", "row"),
    ("allowed_values:性别", "性别 in (男, 女)", "row"),
    ("allowed_values:状态", "状态 in (正常, 冻结, 休眠, 销户)", "row"),
    ("between:年龄", "0 ≤ 年龄 ≤ 120", "row"),
    ("between:余额", "0 ≤ 余额 ≤ 10,000,000", "row"),
    ("between:信用评分", "300 ≤ 信用评分 ≤ 850", "row"),
    ("length:客户编号", "length(客户编号) = 10", "row"),
    ("length:姓名", "2 ≤ length(姓名) ≤ 4", "row"),
    ("unique:客户编号", "客户编号 occurs once (a row fails when its value occurs more than once)", "row"),
    ("unique:网点编号+账号", "(网点编号, 账号) occurs once", "row"),
    ("foreign_key:地区编码", "地区编码 is in regions.地区编码", "row"),
    ("row_count", "900,000 ≤ rows ≤ 1,100,000", "table"),
    ("ordered:更新时间>=开户日期", "更新时间 ≥ 开户日期", "row"),
    ("fresh_within:更新时间", "max(更新时间) within 30 days of now", "table"),
]
CHECK_IDS = [c[0] for c in CHECKS]

# The check's constants, shared by the scripts that cannot read rules.yaml's YAML the same way.
MOBILE = r"^1[3-9][0-9]{9}$"
EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
ID_SHAPE = r"^[0-9]{17}[0-9X]$"
SEXES = ["男", "女"]
STATUSES = ["正常", "冻结", "休眠", "销户"]
ROW_COUNT = (900_000, 1_100_000)
FRESH_DAYS = 30

Work = Callable[[], dict[str, Any]]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(contenders: dict[str, Callable[[Path, list[str]], Work]]) -> None:
    """``python SCRIPT.py NAME --data DIR --out RESULT.json [options]``: build the contender (imports
    and set-up, untimed), time its work (reading the data included), write the JSON."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=sorted(contenders))
    parser.add_argument("--data", type=Path, required=True, help="directory with customers.parquet")
    parser.add_argument("--out", type=Path, required=True)
    args, extra = parser.parse_known_args()
    started = time.perf_counter()
    work = contenders[args.name](args.data.resolve(), extra)
    setup_s = time.perf_counter() - started
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = work()
    work_s = time.perf_counter() - t0
    result.update(
        {
            "work_s": work_s,
            "work_cpu_s": time.process_time() - cpu0,
            "setup_s": setup_s,
            "child_peak_mib": peak_mib(),
            "python": sys.version.split()[0],
        }
    )
    _validate(result)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=_json), encoding="utf-8")


def _json(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _validate(result: dict[str, Any]) -> None:
    checks = result.get("checks", {})
    missing = [c for c in CHECK_IDS if c not in checks]
    if missing:
        raise SystemExit(f"contender reported no result for: {', '.join(missing)}")
    for cid, r in checks.items():
        if not (0 <= r["passed"] <= r["checked"]):
            raise SystemExit(f"{cid}: passed {r['passed']} outside 0..checked {r['checked']}")
