"""Quality benchmark: the same 20 checks on the same 1,000,000-row table, run by this platform, by
Great Expectations (GX Core 1.x) and by Soda Core (DuckDB), each in its own process; wall time, CPU,
peak memory and the passed counts of every check, which must agree.

    bash bench/quality/setup.sh && .venv/bin/python bench/quality/run.py   # make bench-quality
    .venv/bin/python bench/quality/run.py --rows 20000 --repeat 1          # quick: figures under --workdir

1. The table (``data.py``: customers.parquet, 15 columns, and regions.parquet, 30 codes) is written
   once into ``bench/quality/data/`` (``--workdir`` for other sizes) and reused while its manifest
   matches, then read once so every contender finds it in the page cache.
2. Each contender runs in its own process, ``--repeat`` times, the contenders alternating (median
   reported). This process times it from start to exit, takes its CPU from ``os.wait4`` and its peak
   memory by polling the RSS of the process and its children with psutil every 50 ms (``wait4``'s
   ``ru_maxrss`` is kept too); the child times the work alone (reading the data included, interpreter
   start and imports excluded), the figure the targets use:

   * ``ours``: ``dataasset.quality.runner.check_source(customers.parquet, rules.yaml, refs=…)``;
   * ``ours_cli``: ``dataasset quality check … --format json`` (process time only);
   * ``gx_pandas`` / ``gx_sql``: ``gx_checks.py`` in ``bench/.venv-quality`` (GX pandas engine; GX's
     SQL engine on DuckDB, patched: GX does not support DuckDB);
   * ``soda`` / ``soda_samples``: ``soda_scan.py`` in ``bench/.venv-quality`` (views on read_parquet;
     without / with Soda's failed-row samples);
   * ``duckdb_sql``: the 20 checks hand-written in three DuckDB queries (the floor, and a fourth count).
3. The passed (and checked) counts of every check are compared across the contenders.

Writes ``bench/quality/results.json`` and the section "Quality (bench/quality)" of docs/benchmarks.md
(a run with ``--rows`` other than 1,000,000 writes both under ``--workdir`` unless ``--results`` /
``--docs`` are given).
"""

from __future__ import annotations

import argparse
import contextlib
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

import data
import harness as h
import psutil
import report

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FULL_ROWS = 1_000_000
CONTENDERS = ("ours", "ours_cli", "gx_pandas", "gx_sql", "soda", "soda_samples", "duckdb_sql")
DEFAULT_VENV = ROOT / "bench/.venv-quality"
POLL_S = 0.05


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
    for package in ("dataasset", "duckdb", "pyarrow", "psutil"):
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


def command(name: str, data_dir: Path, out: Path, venv: Path) -> list[str]:
    """The contender's command line; ``out`` receives its JSON (for ours_cli: its standard output)."""
    other = str(venv / "bin/python")
    if name == "ours_cli":
        return [
            str(Path(sys.executable).parent / "dataasset"),
            "quality",
            "check",
            str(data_dir / "customers.parquet"),
            "--rules",
            str(HERE / "rules.yaml"),
            "--ref",
            f"regions={data_dir / 'regions.parquet'}",
            "--format",
            "json",
        ]
    script, python, extra = {
        "ours": ("contenders.py", sys.executable, []),
        "duckdb_sql": ("contenders.py", sys.executable, []),
        "gx_pandas": ("gx_checks.py", other, []),
        "gx_sql": ("gx_checks.py", other, []),
        "soda": ("soda_scan.py", other, []),
        "soda_samples": ("soda_scan.py", other, ["--samples"]),
    }[name]
    contender = "soda" if name.startswith("soda") else name
    return [python, str(HERE / script), contender, "--data", str(data_dir), "--out", str(out), *extra]


class PeakRss:
    """Polls the summed RSS of a process and its descendants until it exits."""

    def __init__(self, pid: int) -> None:
        self.peak = 0
        self.samples = 0
        self._root = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            self.samples += 1
            self._stop.wait(POLL_S)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 1024**2


def _busy_s() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))


def settle(limit_s: float, busy_share: float = 0.25) -> float:
    """Wait (up to ``limit_s``) until the machine is quiet: less than ``busy_share`` of the cores busy
    over one second. Returns the seconds waited."""
    waited = 0.0
    while waited < limit_s:
        if psutil.cpu_percent(interval=1.0) < busy_share * 100:
            break
        waited += 1.0
    return waited


def run_child(
    name: str, data_dir: Path, workdir: Path, venv: Path, timeout: float, tag: str, settle_s: float = 0.0
) -> dict[str, Any]:
    out = workdir / f"{name}{tag}.json"
    out.unlink(missing_ok=True)
    argv = command(name, data_dir, out, venv)
    log_path = workdir / f"{name}{tag}.log"
    timed_out = threading.Event()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"}
    waited = settle(settle_s) if settle_s > 0 else 0.0
    with log_path.open("w", encoding="utf-8") as child_log:
        stdout = out.open("w", encoding="utf-8") if name == "ours_cli" else child_log
        load_before = os.getloadavg()[0]
        busy_before = _busy_s()
        own_before = sum(psutil.Process().cpu_times()[:4])
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=stdout, stderr=child_log, start_new_session=True, cwd=ROOT, env=env
        )
        rss = PeakRss(proc.pid)

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
        peak = rss.stop()
        busy = _busy_s() - busy_before
        own = sum(psutil.Process().cpu_times()[:4]) - own_before  # the RSS polling, mostly
        if stdout is not child_log:
            stdout.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {
        "command": shlex.join(_display(argv)),
        "process_wall_s": wall,
        "process_cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mib": peak,
        "maxrss_mib": usage.ru_maxrss / 1024,
        "rss_samples": rss.samples,
        "exit_code": proc.returncode,
        "timed_out": timed_out.is_set(),
        "timeout_s": timeout,
        "load_1min": [load_before, os.getloadavg()[0]],
        # CPU the rest of the machine used while the contender ran (not this process's polling)
        "others_cpu_s": max(0.0, busy - (usage.ru_utime + usage.ru_stime) - own),
        "bench_cpu_s": own,
        "settled_s": waited,
    }
    if proc.returncode == 0 and out.exists() and out.stat().st_size:
        doc = json.loads(out.read_text(encoding="utf-8"))
        if name == "ours_cli":
            import contenders

            doc = {**contenders.from_report(doc), "backend": "as ours, from the command line"}
        result.update(doc)
    else:
        result["error"] = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
    return result


def _display(argv: list[str]) -> list[str]:
    """The command as one would type it from the repository root."""
    shown = []
    for part in argv:
        if part == sys.executable:
            part = ".venv/bin/python"
        elif part.startswith(str(ROOT) + os.sep):
            part = os.path.relpath(part, ROOT)
        elif "=" in part and part.split("=", 1)[1].startswith(str(ROOT) + os.sep):
            key, value = part.split("=", 1)
            part = f"{key}={os.path.relpath(value, ROOT)}"
        shown.append(part)
    return shown


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median time (work time; process time for ours_cli), plus every run's figures."""
    ok = [r for r in runs if "checks" in r]
    if not ok:
        return {**runs[-1], "runs": runs}
    key = "work_s" if all("work_s" in r for r in ok) else "process_wall_s"
    chosen = sorted(ok, key=lambda r: r[key])[(len(ok) - 1) // 2]
    fields = (
        "work_s",
        "process_wall_s",
        "process_cpu_s",
        "peak_mib",
        "maxrss_mib",
        "load_1min",
        "others_cpu_s",
        "settled_s",
    )
    return {
        **chosen,
        "runs": [{k: r.get(k) for k in fields} for r in runs],
        "time_key": key,
        "median_s": statistics.median(r[key] for r in ok),
        "process_wall_s_median": statistics.median(r["process_wall_s"] for r in ok),
        "peak_mib_max": max(r["peak_mib"] for r in ok),
    }


def agreement(contenders: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per check: each contender's checked and passed rows, and whether all agree."""
    named = {n: c["checks"] for n, c in contenders.items() if c.get("checks")}
    rows = []
    for cid, what, level in h.CHECKS:
        got = {n: checks.get(cid) for n, checks in named.items()}
        passed = {n: (g or {}).get("passed") for n, g in got.items()}
        checked = {n: (g or {}).get("checked") for n, g in got.items()}
        rows.append(
            {
                "check": cid,
                "what": what,
                "level": level,
                "passed": passed,
                "checked": checked,
                "passed_agree": len(set(passed.values())) == 1,
                "checked_agree": len(set(checked.values())) == 1,
            }
        )
    return {
        "contenders": list(named),
        "missing": [n for n in contenders if n not in named],
        "checks": rows,
        "all_passed_agree": bool(named) and all(r["passed_agree"] for r in rows),
        "all_checked_agree": bool(named) and all(r["checked_agree"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--seed", type=int, default=data.SEED)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dataasset-bench-quality"))
    parser.add_argument("--repeat", type=int, default=3, help="runs of every contender, alternating")
    parser.add_argument("--timeout", type=float, default=900.0, help="per contender run, seconds")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="GX and Soda's environment")
    parser.add_argument(
        "--settle",
        type=float,
        default=60.0,
        help="before each run, wait up to this many seconds for the machine to be quiet (0: don't)",
    )
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
    if any(c.startswith(("gx", "soda")) for c in only) and not (args.venv / "bin/python").exists():
        parser.error(f"{args.venv} is missing: run bash bench/quality/setup.sh first")

    began = time.perf_counter()
    load_before = os.getloadavg()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data_dir = data.DATA if full else args.workdir / f"data_{args.rows}"
    log(f"table: {args.rows:,} rows × {len(data.COLUMNS)} columns into {data_dir}")
    customers, regions, generate_s = data.write(data_dir, args.rows, args.seed)
    for path in (customers, regions):  # into the page cache, for every contender alike
        with path.open("rb") as f:
            while f.read(1 << 24):
                pass
    size = customers.stat().st_size
    made = "reused" if generate_s is None else f"written in {generate_s:.0f} s"
    log(f"{customers} ({size / 1e6:.0f} MB, {made})")

    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CONTENDERS if name in only}
    for i in range(args.repeat):
        for name in runs:
            run = run_child(name, data_dir, args.workdir, args.venv, args.timeout, f"_{i + 1}", args.settle)
            runs[name].append(run)
            if "checks" in run:
                work = f"work {run['work_s']:.2f} s, " if "work_s" in run else ""
                log(
                    f"{name} ({i + 1}/{args.repeat}): {work}process {run['process_wall_s']:.2f} s,"
                    f" {run['peak_mib']:.0f} MiB; others used {run['others_cpu_s']:.1f} CPU s"
                )
            else:
                failed = f"exit {run['exit_code']}, timed out: {run['timed_out']}"
                log(f"{name} ({i + 1}/{args.repeat}): FAILED ({failed})")
    contenders = {name: _median_run(r) for name, r in runs.items()}
    agreed = agreement(contenders)
    for row in agreed["checks"]:
        if not row["passed_agree"]:
            log(f"MISMATCH {row['check']}: passed {row['passed']}")
    log(
        "passed counts agree across "
        + ", ".join(agreed["contenders"])
        + (": yes" if agreed["all_passed_agree"] else ": NO")
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
            "columns": len(data.COLUMNS),
            "bytes": size,
            "path": os.path.relpath(customers, ROOT) if full else str(customers),
            "seed": args.seed,
            "as_of": data.AS_OF.isoformat(),
            "row_group": data.ROW_GROUP,
            "generate_s": generate_s,
        },
        "config": {
            "repeat": args.repeat,
            "settle_s": args.settle,
            "timeout_s": args.timeout,
            "venv": os.path.relpath(args.venv, ROOT),
        },
        "checks": [{"check": c, "what": w, "level": lv} for c, w, lv in h.CHECKS],
        "contenders": contenders,
        "agreement": agreed,
    }
    results["targets"] = report.targets(results)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    report.write(docs_path, results)
    log(f"wrote {results_path} and {docs_path}")
    for target in results["targets"]:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[target["met"]]
        log(f"  {verdict}: {target['name']} — {target['value']}")


if __name__ == "__main__":
    main()
