"""Render the results as the section "Evidence log (bench/evidence)" of docs/benchmarks.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

HEADING = "## Evidence log (bench/evidence)"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TARGET_APPENDS, TARGET_VERIFY_S = 5000, 15.0


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def _rate(r: dict[str, Any]) -> str:
    return f"{r['per_s']:,.0f} ({r['per_cpu_s']:,.0f})"


def _appends(results: dict[str, Any]) -> list[str]:
    rows = []
    for backend, r in results["backends"].items():
        a = r["appends"]
        rows.append(
            [
                NAMES[backend],
                _rate(a["empty"]),
                f"**{_rate(a['per_change'])}**",
                _rate(a["one_transaction"]),
                f"{1e6 / a['one_transaction']['per_s']:.0f}",
            ]
        )
    k = results["kernel"]
    lines = ["### Appends per second (CPU-bound rate in brackets)", ""]
    lines += _table(
        [
            "backend",
            "empty transaction (baseline)",
            "one transaction per change",
            "all in one transaction",
            "µs per append in a transaction",
        ],
        rows,
    )
    lines += [
        f"Kernel only (leaf hash + in-memory tree, {k['entries']:,} entries): "
        f"**{k['per_s']:,.0f} appends/s**.",
        "",
        "A service-path append is `with transaction(factory) as s: evidence.record(s, ...)`: a guarded",
        "session, the PostgreSQL advisory lock, `max(index)`, the entry `INSERT`, on average one sibling",
        "read and one node `INSERT`, and the commit. The *empty transaction* column is the same loop",
        "with `SELECT 1` in place of `record()`: the platform's own cost per transaction (session,",
        "connection checkout, `BEGIN`/`COMMIT`; on PostgreSQL a WAL flush per commit with default",
        f"settings), which already bounds one-transaction-per-change below the {TARGET_APPENDS:,}/s target",
        "on this machine. The marginal cost of `record()` is the last column.",
        "",
    ]
    return lines


def _verify(results: dict[str, Any]) -> list[str]:
    rows = []
    for backend, r in results["backends"].items():
        m = r["million"]
        ld, v, vp = m["load"], m["verify"], m["verify_parallel"]
        row = [
            NAMES[backend],
            f"{m['entries']:,}",
            f"{ld['total_s']:.0f}",
            f"**{v['wall_s']:.1f}**{'' if v['wall_s'] < TARGET_VERIFY_S else ' ⚠'}",
            f"{v['cpu_s']:.1f}",
            f"**{vp['wall_s']:.1f}**{'' if vp['wall_s'] < TARGET_VERIFY_S else ' ⚠'} ({vp['workers']})",
            f"{v['nodes']:,}",
        ]
        if "export" in m:
            row += [
                f"{m['export']['wall_s']:.1f}",
                f"{m['export']['bytes'] / 1e6:.0f}",
                f"{m['verify_file']['wall_s']:.1f} ({m['verify_file']['cpu_s']:.1f})",
            ]
        else:
            row += ["–", "–", "–"]
        rows.append(row)
    lines = ["### Full verification (seconds)", ""]
    lines += _table(
        [
            "backend",
            "entries",
            "bulk load",
            "`verify`, 1 process",
            "its CPU",
            "`verify`, worker processes (n)",
            "stored nodes compared",
            "`export`",
            "export MB",
            "`verify --file` (CPU)",
        ],
        rows,
    )
    lines += [
        "`verify` recomputes every leaf from the stored entry bytes, parses each entry and compares its",
        "fields with the row's columns, rebuilds every level of the tree and compares it with every",
        "stored node, checks the checkpoint's Ed25519 signature and its root against the rebuilt tree",
        "(the bench log has no registered subject type, so no domain rows are digested). Rows are read",
        "with a streaming driver cursor (on PostgreSQL a server-side cursor, fetched by a helper thread).",
        "With worker processes (what `dataasset evidence verify` uses: one per core, from 200,000",
        "entries), each worker reads and checks a range of entries over its own connection; the tree,",
        "nodes and checkpoints are then checked in the main process. `verify --file` checks an export",
        "offline in one process.",
        "",
    ]
    return lines


def _proofs(results: dict[str, Any]) -> list[str]:
    rows = []
    for backend, r in results["backends"].items():
        p = r["million"]["proofs"]
        for kind in ("inclusion", "consistency"):
            s = p[kind]
            rows.append(
                [
                    NAMES[backend],
                    kind,
                    f"{s['p50_ms']:.2f}",
                    f"{s['p95_ms']:.2f}",
                    str(s["hashes_max"]),
                    str(s["bytes_max"]),
                    str(s["rows_read_max"]),
                    str(s["statements_per_proof"]),
                ]
            )
    size = next(iter(results["backends"].values()))["million"]["entries"]
    lines = [f"### Proofs at {size:,} entries", ""]
    lines += _table(
        [
            "backend",
            "proof",
            "p50 ms",
            "p95 ms",
            "hashes (max)",
            "bytes (max)",
            "stored rows read (max)",
            "statements",
        ],
        rows,
    )
    roots = ", ".join(
        f"{NAMES[b]} {r['million']['proofs']['root_ms']:.2f} ms" for b, r in results["backends"].items()
    )
    samples = next(iter(results["backends"].values()))["million"]["proofs"]["inclusion"]["samples"]
    lines += [
        f"Random leaf indexes and first sizes ({samples} each), every proof checked with the RFC 9162",
        "verifier. A proof reads the perfect subtrees its ranges decompose into (at most 2·log₂ n rows)",
        "with one query for leaves and one for inner nodes, after one `max(index)` for the tree size",
        f"(*statements*, `BEGIN` not counted). Root hash at n: {roots}.",
        "",
    ]
    return lines


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    before = ", ".join(f"{x:.1f}" for x in results["load_before"])
    after = ", ".join(f"{x:.1f}" for x in results["load_after"])
    lines = [
        HEADING,
        "",
        f"Generated by `bench/evidence/run.py` on {results['date']} in {results['minutes']:.1f} min; raw",
        "figures in `bench/evidence/results.json`.",
        "",
        f"- **Machine:** {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, shared with other",
        f"  work (load average {before} at the start, {after} at the end: wall times move with it, CPU",
        f"  times less); Python {m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['postgresql']} (default settings)" if m["postgresql"] else "")
        + ".",
        f"- **Targets:** ≥ {TARGET_APPENDS:,} appends/s; full verify of 1,000,000 entries under "
        f"{TARGET_VERIFY_S:.0f} s; proofs reading O(log n) stored nodes.",
        "",
    ]
    lines += _appends(results) + _verify(results) + _proofs(results)
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path, results: dict[str, Any]) -> None:
    """Replace (or append) only our section; keep whatever else the file holds."""
    section = render(results)
    if not path.exists():
        path.write_text("# Benchmarks\n\n" + section, encoding="utf-8")
        return
    current = path.read_text(encoding="utf-8")
    start = current.find(HEADING + "\n")
    if start < 0:
        path.write_text(current.rstrip() + "\n\n" + section, encoding="utf-8")
        return
    following = re.search(r"^## ", current[start + len(HEADING) :], flags=re.MULTILINE)
    end = start + len(HEADING) + following.start() if following else len(current)
    rest = current[end:]
    path.write_text(current[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")
