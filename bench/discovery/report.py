"""Render the results as the section "Discovery (bench/discovery)" of docs/benchmarks.md, and judge
the issue's targets."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: the shared helpers
from docs_section import replace_section
from docs_section import table as _table

HEADING = "## Discovery (bench/discovery)"
TARGET_SCAN_S = 15.0
TARGET_VS_SUMMARIZE = 3.0
TARGET_VS_YDATA = 20.0
TARGET_VS_PRESIDIO = 100.0
TARGET_PEAK_MIB = 2048.0
TARGET_F1 = 0.97
FULL_ROWS = 1_000_000

NAMES = {
    "ours": "**ours** (`scanner.scan`: profile + detection + grading)",
    "duckdb": "DuckDB `SUMMARIZE` (the floor)",
    "ydata": "ydata-profiling, minimal",
    "presidio_structured": "presidio-structured",
    "presidio_batch": "Presidio `BatchAnalyzerEngine`, every cell",
}


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _long(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def _work(r: dict[str, Any] | None) -> float | None:
    if not r or "work_s" not in r:
        return None
    return float(r.get("work_s_median", r["work_s"]))


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the figure measured and whether it is met (None: not measured)."""
    c = results["contenders"]
    ours, floor = c.get("ours"), c.get("duckdb")
    ydata, batch = c.get("ydata"), c.get("presidio_batch")
    rows = results["table"]["rows"]
    scope = "" if rows == FULL_ROWS else f" (at {rows:,} rows, not the target's 1,000,000)"
    ours_s = _work(ours)
    out: list[dict[str, Any]] = []

    def add(name: str, value: str, met: bool | None) -> None:
        out.append({"name": name, "value": value + scope, "met": met})

    add(
        f"full scan of 1M×20 under {TARGET_SCAN_S:.0f} s",
        f"{_s(ours_s)} s" if ours_s is not None else "not measured",
        None if ours_s is None else ours_s < TARGET_SCAN_S,
    )
    floor_s = _work(floor)
    if ours_s is not None and floor_s:
        ratio = ours_s / floor_s
        add(
            f"within {TARGET_VS_SUMMARIZE:.0f}× of DuckDB SUMMARIZE",
            f"{ratio:.2f}× ({_s(ours_s)} s vs {_s(floor_s)} s)",
            ratio <= TARGET_VS_SUMMARIZE,
        )
    else:
        add(f"within {TARGET_VS_SUMMARIZE:.0f}× of DuckDB SUMMARIZE", "not measured", None)
    if ours_s and ydata is not None:
        if "work_s" in ydata:
            ratio = ydata["work_s"] / ours_s
            add(
                f"≥ {TARGET_VS_YDATA:.0f}× faster than ydata-profiling minimal",
                f"{ratio:.1f}×",
                ratio >= TARGET_VS_YDATA,
            )
        elif ydata.get("timed_out"):
            bound = ydata["process_wall_s"] / ours_s
            add(
                f"≥ {TARGET_VS_YDATA:.0f}× faster than ydata-profiling minimal",
                f"> {bound:.0f}× (ydata stopped at its {ydata['timeout_s']:.0f} s timeout)",
                True if bound >= TARGET_VS_YDATA else None,
            )
        else:
            add(f"≥ {TARGET_VS_YDATA:.0f}× faster than ydata-profiling minimal", "ydata failed", None)
    else:
        add(f"≥ {TARGET_VS_YDATA:.0f}× faster than ydata-profiling minimal", "not measured", None)
    if ours_s and batch is not None and batch.get("extrapolated_full_s"):
        ratio = batch["extrapolated_full_s"] / ours_s
        add(
            f"≥ {TARGET_VS_PRESIDIO:.0f}× faster than Presidio over every cell",
            f"{ratio:,.0f}× (Presidio extrapolated from {batch['cells_analysed']:,} cells)",
            ratio >= TARGET_VS_PRESIDIO,
        )
    else:
        add(f"≥ {TARGET_VS_PRESIDIO:.0f}× faster than Presidio over every cell", "not measured", None)
    if ours is not None and "work_s" in ours:
        peak = float(ours.get("peak_mib_max", ours["peak_mib"]))
        add("peak memory under 2 GiB", f"{peak:,.0f} MiB", peak < TARGET_PEAK_MIB)
    else:
        add("peak memory under 2 GiB", "not measured", None)
    if ours is not None and "scores" in ours:
        f1 = ours["scores"]["f1"]
        add(f"column-level F1 ≥ {TARGET_F1}", f"{f1:.3f}", f1 >= TARGET_F1)
    else:
        add(f"column-level F1 ≥ {TARGET_F1}", "not measured", None)
    return out


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**NOT met**", None: "not measured"}[met]


def _what(name: str, r: dict[str, Any], results: dict[str, Any]) -> str:
    rows = results["table"]["rows"]
    if name == "presidio_structured" and "rows_analysed" in r:
        return (
            f"read {r.get('rows_read', rows):,} rows, analyse a sample of {r['rows_analysed']:,} (n):"
            f" {_s(r['analysis_s'])} s of analysis"
        )
    if name == "presidio_batch" and "rows_analysed" in r:
        return (
            f"first {r['rows_analysed']:,} rows ({r['cells_analysed']:,} cells):"
            f" {_s(r['analysis_s'])} s of analysis"
        )
    return f"{rows:,} rows"


def _contenders(results: dict[str, Any]) -> list[str]:
    rows = []
    for name, r in results["contenders"].items():
        if name not in NAMES:
            continue
        scores = r.get("scores")
        quality = (
            [f"{scores['precision']:.3f}", f"{scores['recall']:.3f}", f"**{scores['f1']:.3f}**"]
            if scores
            else ["n/a", "n/a", "n/a"]
        )
        if "work_s" in r:
            work = _work(r)
            spread = ""
            if len(r.get("runs", [])) > 1:
                spread = (
                    " (" + "/".join(_s(x["work_s"]) for x in r["runs"] if x.get("work_s") is not None) + ")"
                )
            timing = [f"**{_s(work)}**{spread}", _s(r["process_wall_s"]), _s(r["process_cpu_s"])]
        elif r.get("timed_out"):
            timing = [
                f"> {_s(r['process_wall_s'])} (timeout)",
                _s(r["process_wall_s"]),
                _s(r["process_cpu_s"]),
            ]
        else:
            timing = [f"failed (exit {r['exit_code']})", _s(r["process_wall_s"]), _s(r["process_cpu_s"])]
        peak = r.get("peak_mib_max", r["peak_mib"])
        runs = r.get("runs") or [r]
        loads = [x["load_1min"] for x in runs if x.get("load_1min")]
        load = f"{max(x[0] for x in loads):.1f} → {max(x[1] for x in loads):.1f}" if loads else "–"
        rows.append([NAMES[name], _what(name, r, results), *timing, f"{peak:,.0f}", *quality, load])
    lines = ["### Contenders", ""]
    lines += _table(
        [
            "contender",
            "work",
            "wall s (work)",
            "wall s (process)",
            "CPU s (process)",
            "peak RSS MiB",
            "precision",
            "recall",
            "F1",
            "load",
        ],
        rows,
    )
    c = results["contenders"]
    batch = c.get("presidio_batch", {})
    notes = [
        "*wall s (work)* is timed inside the contender's process around the work alone (reading the",
        "file included, interpreter start and imports excluded); for the repeated contenders it is the",
        "median, each run in brackets. *wall s (process)*, *CPU s* (user + system, all threads) and *peak",
        "RSS* are the whole process's, from `os.wait4`. Precision / recall / F1 are at the column level",
        "over the 20 labelled columns: a column given the wrong type counts as a false positive and a",
        "false negative; ydata-profiling and DuckDB do not detect sensitive types (*n/a*). *load* is the",
        "machine's 1-minute load average when the contender started → ended (the highest over repeated",
        "runs): above about 1 (this benchmark's own process), something else was running.",
        "",
    ]
    ours = c.get("ours", {})
    if "work_s" in ours:
        notes += [
            f"Ours' process spends {ours['process_wall_s'] - ours['work_s']:.1f} s before `scan()` starts",
            "(interpreter start and imports; a large part is `dataasset.discovery.grading` importing",
            "`dataasset.catalog.enums`, whose package `__init__` loads the catalog's service layer): a",
            "`dataasset scan` from the command line pays it on top of the work figure.",
            "",
        ]
    if batch.get("cells_per_s"):
        total = results["table"]["cells"]
        notes += [
            f"**Presidio over every cell was not run on all {total:,} cells**: it analysed the first",
            f"{batch['rows_analysed']:,} rows ({batch['cells_analysed']:,} cells) at"
            f" **{batch['cells_per_s']:,.0f} cells/s** (analysis alone, one process), which puts every cell",
            f"of the table at **{_s(batch['extrapolated_full_s'])} s ({_long(batch['extrapolated_full_s'])}),"
            " extrapolated**, not measured.",
            "",
        ]
        one = c.get("presidio_one_recogniser", {})
        if one.get("cells_per_s"):
            rate, cells = one["cells_per_s"], one["cells_analysed"]
            order = "is of that order" if 10_000 <= rate <= 50_000 else "is not of that order either"
            notes += [
                f"For scale, the same engine with the e-mail recogniser alone ran at {rate:,.0f} cells/s",
                f"({cells:,} cells): the issue's ~23,000 cells/s {order}. Presidio runs every",
                "recogniser's regular expression over every cell, then builds, context-enhances (a deep",
                "copy per cell) and de-duplicates the results of each call, so its cost grows with the",
                "number of recognisers; with the 15 our types need it is the rate above.",
                "",
            ]
    return lines + notes


def _targets(results: dict[str, Any]) -> list[str]:
    rows = [[t["name"], t["value"], _mark(t["met"])] for t in results["targets"]]
    lines = ["### Targets", ""]
    lines += _table(["target (issue)", "measured", ""], rows)
    lines += [
        "The ratios use the work times (medians for the repeated contenders) of the same run.",
    ]
    c = results["contenders"]
    ours_runs = [r["work_s"] for r in c.get("ours", {}).get("runs", []) if r.get("work_s")]
    floor_runs = [r["work_s"] for r in c.get("duckdb", {}).get("runs", []) if r.get("work_s")]
    if len(ours_runs) > 1 and floor_runs:
        worst = max(ours_runs) / min(floor_runs)
        best = min(ours_runs) / max(floor_runs)
        lines.append("")
        lines.append(
            f"Pairing single runs instead, ours / `SUMMARIZE` ranges from {best:.2f}× to {worst:.2f}×"
            + (
                ": the 3× target holds on the median, not on every pairing."
                if worst > TARGET_VS_SUMMARIZE
                else "."
            )
        )
    ydata = c.get("ydata", {})
    if "work_s" in ydata:
        t = results["table"]
        lines.append("")
        lines.append(
            f"ydata-profiling minimal took {_s(ydata['work_s'])} s and {ydata['peak_mib'] / 1024:.1f} GiB"
            f" here ({t['rows']:,} × {t['columns']}, mostly text columns); the issue measured it at 28.7 s"
            " and 2.5 GB for 1M×10."
        )
    return [*lines, ""]


def _columns(results: dict[str, Any]) -> list[str]:
    c = results["contenders"]
    ours = c.get("ours", {})
    structured = c.get("presidio_structured", {})
    batch = c.get("presidio_batch", {})
    rows = []
    for column, want in results["table"]["labels"].items():
        got = ours.get("columns", {}).get(column, "–") if "columns" in ours else "–"
        conf = ours.get("confidence", {}).get(column)
        ok = "✓" if got == want else "✗ **miss**"
        shares = batch.get("top_shares", {}).get(column, {})
        top = ", ".join(f"{k} {v:.0%}" for k, v in shares.items()) or "nothing"
        rows.append(
            [
                f"`{column}`",
                f"`{want}`" if want else "null",
                (f"`{got}`" if got else "null") + (f" ({conf:.2f})" if conf is not None else ""),
                ok,
                _code(structured.get("columns", {}), column),
                _code(batch.get("columns", {}), column) + f" ({top})",
                _code(batch.get("structured_rule_columns", {}), column),
            ]
        )
    lines = ["### Per column: expected and found", ""]
    lines += _table(
        [
            "column",
            "expected",
            "ours (confidence)",
            "",
            "presidio-structured (n sample)",
            "Presidio every cell (top shares)",
            "structured's rule on every cell",
        ],
        rows,
    )
    for name, label, source in (
        ("presidio_structured", "presidio-structured (n sample)", "scores"),
        ("presidio_batch", "Presidio every cell", "scores"),
        ("presidio_batch", "structured's rule on every cell", "structured_rule_scores"),
    ):
        wrong = c.get(name, {}).get(source, {}).get("misses", [])
        if wrong:
            lines.append(
                f"Misses of {label}: "
                + "; ".join(f"`{m['column']}` → {m['found'] or 'null'}" for m in wrong)
                + "."
            )
            lines.append("")
    misses = ours.get("scores", {}).get("misses", [])
    if misses:
        lines.append(
            "Misses of ours: "
            + "; ".join(
                f"`{m['column']}` expected {m['expected'] or 'null'}, found {m['found'] or 'null'}"
                for m in misses
            )
            + "."
        )
        for m in misses:
            explanation = ours.get("explanation", {}).get(m["column"])
            if explanation:
                lines.append(f"- `{m['column']}`: {explanation}")
        lines.append("")
    elif "scores" in ours:
        lines += ["Ours misses no column.", ""]
    lines += [
        "presidio-structured reads cells without their column name (`analyze_iterator`, no context),",
        "so a hint-only type such as `birth_date` cannot reach the threshold; its `most_common` rule",
        "picks the entity found most often among the cells where anything is found, so a trap column",
        "where a few per cent of the values happen to pass a check is labelled with that type.",
        "*Presidio every cell* decides a column as the entity found in most of its non-blank cells when",
        "that share reaches our threshold for the type (60%, 姓名 80%); *structured's rule on every",
        "cell* applies presidio-structured's default `most_common` selection (the entity most often",
        "found among the cells where anything is found, however few) to the same cell results, i.e.",
        "what `generate_analysis(df)` with its default `n=None` decides on those rows.",
        "",
    ]
    return lines


def _code(mapping: dict[str, str | None], column: str) -> str:
    if column not in mapping:
        return "–"
    value = mapping[column]
    return f"`{value}`" if value else "null"


def _setup(results: dict[str, Any]) -> list[str]:
    t, cfg = results["table"], results["config"]
    labels = t["labels"]
    sensitive = [f"`{k}` ({v})" for k, v in labels.items() if v]
    traps = [f"`{k}`" for k, v in labels.items() if not v]
    times = f"{cfg['repeat']} times" if cfg["repeat"] > 1 else "once"
    seconds = t["generate_s"]
    made = "reused from an earlier run" if seconds is None else f"written in {seconds:.0f} s"
    return [
        f"- **Table:** {t['rows']:,} rows × {t['columns']} columns, UTF-8 CSV of {t['bytes'] / 1e6:.0f} MB",
        f"  (`bench/discovery/generate.py`, seed {t['seed']}; {made}, then",
        "  read once before the contenders so all find it in the page cache). Sensitive columns",
        "  have about 2% blank and 1.5% junk cells (不详, 无, -, 0 …). Sensitive: "
        + ", ".join(sensitive)
        + ".",
        "  Labelled null: " + ", ".join(traps) + " — 18-digit order numbers failing the GB 11643 check",
        "  digit (half `yyyymmdd…`), 13-digit millisecond timestamps, 16-digit SKUs starting 62 failing",
        "  Luhn, phone models under a 手机 name, amounts, order dates, status codes, free text.",
        "  `cn_passport`, `ipv6` and `mac_address` are not in the table (20 columns: 12 types + 8 traps).",
        "- **Contenders**, each in its own process, on the same file: ours = `scanner.scan(csv)`",
        "  (template `general`; the profiler reads every row, the detectors see its 10,000-row sample);",
        "  `SUMMARIZE SELECT * FROM read_csv(csv, all_varchar=false)`; `pandas.read_csv` +",
        "  `ProfileReport(df, minimal=True).to_json()` (timeout"
        f" {cfg['ydata_timeout_s']:.0f} s); presidio-structured `PandasAnalysisBuilder.generate_analysis(df,"
        f" n={cfg['structured_sample']:,})` after `pandas.read_csv` of the whole table (its default `n=None`",
        "  analyses every row: that cost is the next line's); Presidio `BatchAnalyzerEngine.analyze_dict`",
        f"  over every cell of the first {cfg['presidio_rows']:,} rows (column names passed as context).",
        f"  Ours and `SUMMARIZE` ran {times} each, alternately; the others once.",
        "- **Presidio set-up:** no spaCy model can be downloaded here and Presidio has no Chinese",
        "  recognisers, so it runs with Presidio's `NoOpNlpEngine` (no model, empty NLP artifacts) and one",
        "  `PatternRecognizer` per type code of ours (15), each with our regular expression for the",
        "  shape (anchored to the whole cell, as ours checks whole values) and our checker",
        "  (check digits, dates, gazetteer…) as `validate_result`; `birth_date`, hint-only in ours, is a",
        "  0.3-score pattern under the engine's 0.5 threshold that the column name lifts through",
        "  Presidio's context enhancer. The comparison is about the engine, not the rules.",
        "",
    ]


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    before = ", ".join(f"{x:.1f}" for x in results["load_before"])
    after = ", ".join(f"{x:.1f}" for x in results["load_after"])
    v = m["versions"]
    versions = ", ".join(f"{k} {val}" for k, val in v.items() if val)
    lines = [
        HEADING,
        "",
        f"Generated by `bench/discovery/run.py` on {results['date']} in {results['minutes']:.1f} min; raw",
        "figures in `bench/discovery/results.json`.",
        "",
        f"- **Machine:** {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, shared with other",
        f"  work (load average {before} at the start, {after} at the end: wall times move with it, CPU",
        f"  times less); Python {m['python']}, {versions}.",
        *_setup(results),
        "Commands (from the repository root; `make bench-discovery` runs the first):",
        "",
        "```",
        results["command"],
    ]
    seen = set()
    for name, r in results["contenders"].items():
        command = r.get("command")
        if command and name not in seen:
            seen.add(name)
            lines.append(re.sub(r"--out \S+", "--out RESULT.json", command))
    lines += [
        "```",
        "",
        "`make bench-discovery` installs the `bench` extra (ydata-profiling, presidio-analyzer,",
        "presidio-structured) when it is missing and runs the full benchmark, which rewrites",
        "`bench/discovery/results.json` and this section only. A quick run, e.g. `run.py --rows 20000`,",
        "writes both under `--workdir` (default `/tmp/dataasset-bench-discovery`, where the table is kept",
        "and reused). Other options: `--repeat`, `--presidio-rows`, `--structured-sample`,",
        "`--ydata-timeout`, `--only ours,duckdb,…`. Do not run it beside a test suite or another",
        "benchmark: on 2 cores they distort each other's figures.",
        "",
    ]
    lines += _contenders(results) + _targets(results) + _columns(results)
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path, results: dict[str, Any]) -> None:
    """Replace (or append) only our section; keep whatever else the file holds."""
    replace_section(path, HEADING, render(results))
