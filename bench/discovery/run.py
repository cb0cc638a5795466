"""Discovery benchmark: profile + sensitive-data detection + grading of a 1,000,000-row × 20-column
table, against DuckDB's ``SUMMARIZE`` (the floor), ydata-profiling (minimal) and Presidio.

    .venv/bin/python bench/discovery/run.py                 # the full run (make bench-discovery)
    .venv/bin/python bench/discovery/run.py --rows 20000    # a quick run, figures under --workdir

1. The table (``generate.py``) is written once as UTF-8 CSV into ``--workdir`` with ``labels.json``
   (column → expected type code) and reused while its manifest matches; then read once so every
   contender finds it in the page cache.
2. Each contender runs in its own process (``contenders.py``); this process times it from start to
   exit and takes its peak RSS and CPU from ``os.wait4`` — the child also times its work alone
   (imports and set-up excluded), which is the figure the targets use:

   * ``ours``: ``dataasset.discovery.scanner.scan(csv)``, every row read;
   * ``duckdb``: ``SUMMARIZE SELECT * FROM read_csv(csv, all_varchar=false)``;
   * ``ydata``: ``pandas.read_csv`` + ``ProfileReport(df, minimal=True).to_json()``;
   * ``presidio_structured``: ``pandas.read_csv`` of the whole table +
     ``PandasAnalysisBuilder.generate_analysis(df, n=--structured-sample)``;
   * ``presidio_batch``: ``BatchAnalyzerEngine.analyze_dict`` over every cell of the first
     ``--presidio-rows`` rows; cells/s and the time extrapolated to every cell of the table.

   ``ours`` and ``duckdb`` run ``--repeat`` times, alternately (median reported); the others once.
3. Column-level precision / recall / F1 against ``labels.json`` for the contenders that name types.

Writes ``bench/discovery/results.json`` and the section "Discovery (bench/discovery)" of
docs/benchmarks.md (a run with ``--rows`` other than 1,000,000 writes both under ``--workdir``
unless ``--results`` / ``--docs`` are given).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import generate
import report

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FULL_ROWS = 1_000_000
CONTENDERS = ("duckdb", "ours", "ydata", "presidio_structured", "presidio_batch", "presidio_one_recogniser")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        kib = 0
    versions: dict[str, str | None] = {}
    for package in (
        "duckdb",
        "pandas",
        "pyarrow",
        "ydata-profiling",
        "presidio-analyzer",
        "presidio-structured",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(kib / 1024**2, 1),
        "python": platform.python_version(),
        "versions": versions,
    }


def run_child(
    name: str, csv_path: Path, workdir: Path, rows: int | None, timeout: float, tag: str = ""
) -> dict[str, Any]:
    """Run one contender in its own process: whole-process wall time, CPU and peak RSS (wait4),
    and what the child wrote."""
    out = workdir / f"{name}{tag}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, str(HERE / "contenders.py"), name, "--csv", str(csv_path), "--out", str(out)]
    if rows is not None:
        command += ["--rows", str(rows)]
    log_path = workdir / f"{name}{tag}.log"
    timed_out = threading.Event()
    with log_path.open("w", encoding="utf-8") as child_log:
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=child_log, stderr=subprocess.STDOUT, start_new_session=True)

        def kill() -> None:
            timed_out.set()
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own process group, started above

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {
        "command": shlex.join(_display(command)),
        "process_wall_s": wall,
        "process_cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
        "exit_code": proc.returncode,
        "timed_out": timed_out.is_set(),
        "timeout_s": timeout,
        "load_1min": [load_before, os.getloadavg()[0]],
    }
    if proc.returncode == 0 and out.exists():
        result.update(json.loads(out.read_text(encoding="utf-8")))
    else:
        result["error"] = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    return result


def _display(command: list[str]) -> list[str]:
    """The command as one would type it from the repository root."""
    shown = []
    for part in command:
        if part == sys.executable:
            part = ".venv/bin/python"
        elif part.startswith(str(ROOT) + os.sep):
            part = os.path.relpath(part, ROOT)
        shown.append(part)
    return shown


def scores(expected: dict[str, str | None], found: dict[str, str | None]) -> dict[str, Any]:
    """Column-level precision / recall / F1 over the sensitive labels: a column given the wrong
    type counts as a false positive and a false negative."""
    tp = fp = fn = 0
    misses = []
    for column, want in expected.items():
        got = found.get(column)
        if want is not None and got == want:
            tp += 1
            continue
        if got is not None:
            fp += 1
        if want is not None:
            fn += 1
        if got != want:
            misses.append({"column": column, "expected": want, "found": got})
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "misses": misses,
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median work time, plus every run's figures."""
    ok = [r for r in runs if "work_s" in r]
    if not ok:
        return {**runs[-1], "runs": runs}
    chosen = sorted(ok, key=lambda r: r["work_s"])[(len(ok) - 1) // 2]
    return {
        **chosen,
        "runs": [
            {k: r.get(k) for k in ("work_s", "work_cpu_s", "process_wall_s", "peak_mib", "load_1min")}
            for r in runs
        ],
        "work_s_median": statistics.median(r["work_s"] for r in ok),
        "peak_mib_max": max(r["peak_mib"] for r in ok),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dataasset-bench-discovery"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours and of DuckDB SUMMARIZE")
    parser.add_argument("--presidio-rows", type=int, default=20_000, help="rows of the every-cell run")
    parser.add_argument("--structured-sample", type=int, default=10_000, help="presidio-structured's n")
    parser.add_argument("--ydata-timeout", type=float, default=900.0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="any other contender")
    parser.add_argument("--only", default=",".join(CONTENDERS), help="comma-separated contenders")
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--docs", type=Path, default=None)
    args = parser.parse_args()
    full = args.rows == FULL_ROWS
    results_path = args.results or (HERE / "results.json" if full else args.workdir / "results.json")
    docs_path = args.docs or (ROOT / "docs/benchmarks.md" if full else args.workdir / "benchmarks.md")
    only = [c for c in args.only.split(",") if c]
    unknown = set(only) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contenders: {', '.join(sorted(unknown))}")

    began = time.perf_counter()
    load_before = os.getloadavg()
    log(f"table: {args.rows:,} rows × {len(generate.COLUMNS)} columns into {args.workdir}")
    csv_path, labels_path, generate_s = generate.write(args.workdir, args.rows, args.seed)
    labels: dict[str, str | None] = json.loads(labels_path.read_text(encoding="utf-8"))
    with csv_path.open("rb") as f:  # into the page cache, for every contender alike
        while f.read(1 << 24):
            pass
    size = csv_path.stat().st_size
    made = "reused" if generate_s is None else f"written in {generate_s:.0f} s"
    log(f"{csv_path} ({size / 1e6:.0f} MB, {made})")

    contenders: dict[str, dict[str, Any]] = {}
    repeated: dict[str, list[dict[str, Any]]] = {name: [] for name in ("duckdb", "ours") if name in only}
    for i in range(args.repeat):
        for name in repeated:
            log(f"{name} (run {i + 1}/{args.repeat})")
            run = run_child(name, csv_path, args.workdir, None, args.timeout, f"_{i + 1}")
            repeated[name].append(run)
            log(f"  {run.get('work_s', float('nan')):.2f} s, {run['peak_mib']:.0f} MiB")
    for name, runs in repeated.items():
        contenders[name] = _median_run(runs)
    if "ydata" in only:
        log("ydata-profiling minimal")
        contenders["ydata"] = run_child("ydata", csv_path, args.workdir, None, args.ydata_timeout)
    if "presidio_structured" in only:
        log(f"presidio-structured (n={args.structured_sample:,})")
        contenders["presidio_structured"] = run_child(
            "presidio_structured", csv_path, args.workdir, args.structured_sample, args.timeout
        )
    if "presidio_batch" in only:
        rows = min(args.presidio_rows, args.rows)
        log(f"presidio batch over every cell of the first {rows:,} rows")
        batch = run_child("presidio_batch", csv_path, args.workdir, rows, args.timeout)
        if batch.get("cells_per_s"):
            batch["extrapolated_full_s"] = args.rows * len(labels) / batch["cells_per_s"]
        contenders["presidio_batch"] = batch
    if "presidio_one_recogniser" in only:
        rows = min(args.presidio_rows, args.rows) // 10
        log(f"presidio batch with one recogniser, every cell of the first {rows:,} rows (for scale)")
        contenders["presidio_one_recogniser"] = run_child(
            "presidio_one_recogniser", csv_path, args.workdir, rows, args.timeout
        )
    for name, r in contenders.items():
        if "work_s" in r:
            wall, peak = r["process_wall_s"], r["peak_mib"]
            log(f"{name}: work {r['work_s']:.1f} s, process {wall:.1f} s, {peak:.0f} MiB")
        else:
            log(f"{name}: FAILED (exit {r['exit_code']}, timed out: {r['timed_out']})")

    for key, source in (
        ("ours", "columns"),
        ("presidio_structured", "columns"),
        ("presidio_batch", "columns"),
    ):
        if key in contenders and source in contenders[key]:
            contenders[key]["scores"] = scores(labels, contenders[key][source])
    if "presidio_batch" in contenders and "structured_rule_columns" in contenders["presidio_batch"]:
        contenders["presidio_batch"]["structured_rule_scores"] = scores(
            labels, contenders["presidio_batch"]["structured_rule_columns"]
        )

    argv = _display([sys.executable, *sys.argv])
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "minutes": (time.perf_counter() - began) / 60,
        "machine": machine(),
        "load_before": list(load_before),
        "load_after": list(os.getloadavg()),
        "command": shlex.join(argv),
        "table": {
            "rows": args.rows,
            "columns": len(labels),
            "cells": args.rows * len(labels),
            "bytes": size,
            "path": str(csv_path),
            "seed": args.seed,
            "generate_s": generate_s,
            "labels": labels,
        },
        "config": {
            "repeat": args.repeat,
            "presidio_rows": min(args.presidio_rows, args.rows),
            "structured_sample": args.structured_sample,
            "ydata_timeout_s": args.ydata_timeout,
            "timeout_s": args.timeout,
        },
        "contenders": contenders,
    }
    results["targets"] = report.targets(results)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    report.write(docs_path, results)
    log(f"wrote {results_path} and {docs_path}")
    for target in results["targets"]:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[target["met"]]
        log(f"  {verdict}: {target['name']} — {target['value']}")


if __name__ == "__main__":
    main()
