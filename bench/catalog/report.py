"""Render the results as the section "Catalog search (bench/catalog)" of docs/benchmarks.md."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: the shared helpers
from docs_section import replace_section
from docs_section import table as _table

HEADING = "## Catalog search (bench/catalog)"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _load(results: dict[str, Any]) -> list[str]:
    rows = []
    for backend, r in results["backends"].items():
        ld = r["load"]
        rows.append(
            [
                NAMES[backend],
                f"{ld['demo_s']:.1f}",
                f"{ld['generate_s']:.1f}",
                f"{ld['index_s']:.1f}",
                f"{ld['insert_s']:.1f}",
                f"{ld['analyze_s']:.1f}",
                f"**{ld['load_s']:.1f}**",
                f"{ld['cards_per_s_insert']:.0f}",
                str(ld["cards_total"]),
            ]
        )
    lines = ["### Load (seconds)", ""]
    lines += _table(
        [
            "backend",
            "`dataasset demo`",
            "generate",
            "jieba (`index_text`)",
            "insert",
            "VACUUM ANALYZE",
            "load total",
            "cards/s inserted",
            "cards in table",
        ],
        rows,
    )
    lines.append(
        "jieba segmentation runs once (two processes) and is reused for the second backend, whose "
        "cards are identical; a fresh load on either backend alone costs the jieba time once."
    )
    return [*lines, ""]


def _http(backend: str, r: dict[str, Any], budget: dict[str, Any]) -> list[str]:
    rows = []
    for user, ops in r["http"].items():
        for op, s in ops.items():
            flag = " ⚠" if op.startswith("search") and s["p95"] >= 50 else ""
            rows.append(
                [
                    user,
                    op,
                    str(s["total"]),
                    _ms(s["p50"]),
                    _ms(s["p95"]) + flag,
                    _ms(s["p99"]),
                    str(s["n"]),
                    f"{s['rps']:.1f}",
                ]
            )
    lines = [f"### {NAMES[backend]}: HTTP latency (ms) and throughput", ""]
    lines += _table(["user", "operation", "hits", "p50", "p95", "p99", "n", "RPS (4 threads)"], rows)
    return lines


def _anchor(backend: str, r: dict[str, Any]) -> list[str]:
    rows = []
    for user, queries in r["inproc"].items():
        for key, row in queries.items():
            a, o = row["anchor"], row["ours"]
            rows.append(
                [
                    user,
                    f"{key} `{row['q']}`",
                    str(a["total"]),
                    str(o["total"]),
                    _ms(a["p50"]),
                    _ms(a["p95"]),
                    _ms(o["p50"]),
                    _ms(o["p95"]),
                    f"{row['ratio_p50']:.1f}×",
                    f"{row['ratio_p95']:.1f}×",
                ]
            )
    lines = [f"### {NAMES[backend]}: anchor (naive `LIKE '%term%'`) vs ours, in-process (ms)", ""]
    lines += _table(
        [
            "user",
            "query",
            "anchor hits",
            "our hits",
            "anchor p50",
            "anchor p95",
            "ours p50",
            "ours p95",
            "ratio p50 (anchor/ours)",
            "ratio p95",
        ],
        rows,
    )
    p = r["probe"]
    lines.append(
        f"Blind spot: {p['probe_cards']} cards say “{p['text']}”. Searching “{p['query']}”: the anchor finds "
        f"{p['anchor_hits']} ({'found' if p['anchor_found'] else 'not found'}), ours finds {p['ours_hits']} "
        f"({'found' if p['ours_found'] else 'not found'})."
    )
    return [*lines, ""]


def _plans(backend: str, ex: dict[str, Any]) -> list[str]:
    lines = [f"#### {NAMES[backend]}: the statements of `list_cards` and their plans", ""]
    for case, statements in ex["plans"].items():
        lines.append(
            f"`{case}`: " + ", ".join(f"{s['statement']} {_ms(s['median_ms'])} ms" for s in statements)
        )
        lines.append("")
        lines.append("```")
        for s in statements:
            lines.append(f"-- {s['statement']}")
            keep = [
                p
                for p in s["plan"]
                if re.search(r"Scan|Sort|Aggregate|Limit|Join|Execution|SCAN|SEARCH|TEMP", p)
            ]
            lines += [p.rstrip() for p in keep[:10]]
        lines += ["```", ""]
    return lines


def _prototypes(backend: str, ex: dict[str, Any]) -> list[str]:
    rows = []
    for user, queries in ex["prototypes"].items():
        for key, row in queries.items():
            ours = row.get("ours")
            cap, win = row["capped count"], row["capped + window"]
            rows.append(
                [
                    user,
                    f"{key} `{row['q']}`",
                    str(row["matches"]),
                    f"{_ms(ours['p50'])} / {_ms(ours['p95'])}" if ours else "–",
                    f"{_ms(cap['p50'])} / {_ms(cap['p95'])}",
                    f"{_ms(win['p50'])} / {_ms(win['p95'])}",
                    "yes" if win["same_page_as_ours"] else "no",
                ]
            )
    lines = [f"#### {NAMES[backend]}: prototype, in-process p50 / p95 (ms)", ""]
    lines += _table(
        [
            "user",
            "query",
            "matches",
            "ours",
            "capped count",
            f"capped + window {ex['window']}",
            "same page as ours",
        ],
        rows,
    )
    return lines


def _stmt_ms(ex: dict[str, Any], case: str, kind: str) -> str:
    found = [s["median_ms"] for s in ex["plans"].get(case, []) if s["statement"] == kind]
    return _ms(found[0]) if found else "–"


def _overhead(r: dict[str, Any]) -> float:
    """HTTP minus in-process p50 of the cheapest search (no hits), median over the users: the
    per-request cost of the stack (token, actor, validation, uvicorn, loopback)."""
    gaps = sorted(
        r["http"][user]["search no hits"]["p50"] - r["inproc"][user]["no hits"]["ours"]["p50"]
        for user in r["http"]
    )
    return float(gaps[len(gaps) // 2])


def _outlook(backend: str, r: dict[str, Any], cap: int) -> str:
    rows = [row for rows in r["explain"]["prototypes"].values() for row in rows.values()]
    broad = [row["capped + window"]["p95"] for row in rows if row["matches"] > cap]
    rest = [row["capped + window"]["p95"] for row in rows if row["matches"] <= cap]
    before = [row["ours"]["p95"] for row in rows if row["matches"] > cap and "ours" in row]

    def span(values: list[float]) -> str:
        return f"{_ms(min(values))}–{_ms(max(values))} ms" if values else "–"

    return (
        f"- **{NAMES[backend]}, prototype:** queries with more than {cap} matches: p95 {span(before)} "
        f"→ {span(broad)} in-process; queries with at most {cap} matches (unchanged path): "
        f"{span(rest)}; add ≈ {_overhead(r):.0f} ms of HTTP stack."
    )


def _anchor_line(backend: str, r: dict[str, Any]) -> str:
    rows = [(row["ratio_p50"], user, key) for user, qs in r["inproc"].items() for key, row in qs.items()]
    low, high = min(rows), max(rows)
    broad = [ratio for ratio, _user, key in rows if key in ("common", "mid 维修信息")]
    narrow = [ratio for ratio, _user, key in rows if key not in ("common", "mid 维修信息")]
    return (
        f"- **{NAMES[backend]} vs the anchor:** on 数据/维修信息 the ratio p50 is "
        f"{min(broad):.1f}–{max(broad):.1f}× (lowest: {low[1]} {low[2]}), on the other queries "
        f"{min(narrow):.1f}–{max(narrow):.1f}× (highest: {high[1]} {high[2]})."
    )


def _findings(results: dict[str, Any]) -> list[str]:
    backends = {b: r for b, r in results["backends"].items() if "explain" in r}
    first = next(iter(backends.values()))["explain"]
    cap, window = first["cap"], first["window"]
    lines = ["### Where the time goes (EXPLAIN) and a proposed fix", ""]
    for backend, r in backends.items():
        ex = r["explain"]
        proto = [row["capped + window"]["p95"] for rows in ex["prototypes"].values() for row in rows.values()]
        ours = [
            row["ours"]["p95"] for rows in ex["prototypes"].values() for row in rows.values() if "ours" in row
        ]
        cases = "; ".join(
            f"`{case}` count {_stmt_ms(ex, case, 'count')} ms + page {_stmt_ms(ex, case, 'page')} ms"
            for case in ex["plans"]
        )
        sizes = ", ".join(f"{k} {v}" for k, v in ex["sizes"].items())
        lines.append(
            f"- **{NAMES[backend]}**: {cases} (medians of the bare statements). Sizes: {sizes}. HTTP "
            f"stack overhead ≈ {_overhead(r):.0f} ms per request (no-hit search, HTTP p50 − in-process "
            f"p50). Worst in-process p95 over the prototype cases: ours {_ms(max(ours, default=None))} ms, "
            f"capped + window {_ms(max(proto, default=None))} ms."
        )
    probe = next(iter(results["backends"].values()))["inproc"]["admin"]["mid 维修信息"]
    ratio = probe["ours"]["total"] / max(1, probe["anchor"]["total"])
    lines += [
        "",
        *[_anchor_line(b, r) for b, r in backends.items()],
        "",
        "The naive anchor is *faster* than ours on broad terms: it orders by `updated_at` and stops",
        "after 20 matches (its `count(*)` is a plain scan), while ours ranks every match. Ours wins on",
        "everything narrower, by the most where the anchor must scan the whole table to find little.",
        "",
        "1. **Every match is visited twice.** `list_cards` runs `count(*)` over the match set, then a",
        "   page query that ranks the match set. 数据 matches every card, so both statements are full",
        "   passes: on PostgreSQL a sequential scan of the heap (the planner rightly skips the GIN index",
        "   when everything matches; 维修信息 at ~14–22% selectivity also gets a sequential scan), on",
        "   SQLite a walk of the FTS5 doclists plus a primary-key lookup per match for the tenancy",
        "   condition.",
        "2. **Ranking every match.** `ts_rank` (PostgreSQL) and FTS5 `rank`/bm25 (SQLite) are computed",
        "   for every match before a top-N sort keeps 20 (SQLite: `USE TEMP B-TREE FOR ORDER BY`); on",
        "   SQLite this is the larger half.",
        "3. **Wide rows on PostgreSQL.** `search_text`, the stored `search_vector` and the texts live in",
        "   the card row, so a full pass reads the whole heap, larger than the default `shared_buffers`.",
        f"4. **维修信息 finds {ratio:.1f}× the substring hits.** The fallback “all finer parts anywhere in",
        "   the card” (维修 AND 信息) also matches cards whose 信息 comes from 信息中心 (department) or",
        "   相关信息: more work and less precision. Requiring the parts adjacent (FTS5 phrase",
        '   `"维修" + "信息"`, tsquery `维修 <-> 信息`) or in the same field would tighten it.',
        "5. Rare, two-word and no-hit queries are fast on both backends: the cost grows with the number",
        "   of matches, not with the table.",
        "6. **Lists** (not part of the target) pay the same `count(*)` over every visible card. On SQLite,",
        "   without `ANALYZE`, the page query of `xn_admin`/`sjj` and of `industry=D` also goes through",
        "   the tenancy OR / industry index and sorts every visible card (`USE TEMP B-TREE FOR ORDER BY`)",
        "   instead of walking `ix_catalog_asset_card_updated_at` backwards. In an exploratory run on the",
        "   same data, `ANALYZE` took the tenancy case from ~150 ms to ~1 ms; the industry filter still",
        "   chose the industry index (~150 ms) where `INDEXED BY …updated_at` answers in 0.1 ms, so a",
        "   composite index `(industry, updated_at)` is the likely fix there (not measured).",
        "",
        "Proposed fix, prototyped above in a copy of the query (nothing under `src/` changed):",
        "",
        f"- **Cap the count**: `SELECT count(*) FROM (SELECT 1 … LIMIT {cap + 1})`; the API answers",
        f"  `total = {cap}` with a flag (e.g. `total_is_lower_bound`), the console shows “{cap}+ 条”.",
        f"- **Rank a bounded window for broad queries**: when the capped count exceeds {cap}, rank only",
        f"  the {window} newest matches (`ORDER BY id DESC LIMIT {window}` inside, rank outside).",
        "  PostgreSQL walks the primary key backwards and stops early; FTS5 streams rowids in",
        f"  descending order. Queries with at most {cap} matches keep today's exact page. The window",
        f"  must stay well below the cap, or a term with just over {cap} matches makes the backward",
        "  walk visit most of the table (exploratory run, window 1000: `xn_admin 客流` on PostgreSQL",
        "  went from 26 to 170 ms).",
        "- On SQLite, run `PRAGMA optimize` when connections close (SQLite's advice) so the planner",
        "  has statistics, and cap the list count as well.",
        "- **SQLite: an FTS5 prefix index** (`prefix='2'`, characters): every query term is a prefix",
        "  query, and without it FTS5 merges the doclists of every token starting with 信息 (信息,",
        "  信息中心, …) on each statement. Exploratory, FTS table alone: the 维修信息 expression's count",
        "  went from 11.9 to 3.3 ms, `公交 客流` from 3.0 to 0.5 ms (rebuild of 100k rows: 3 s).",
        "- Tighten the parts fallback (item 4): fewer matches for compounds such as 维修信息.",
        "- PostgreSQL, later: a narrower row (search columns in a 1:1 side table) for the mid-frequency",
        "  terms, whose bitmap heap scans read wide rows.",
        "",
        *[_outlook(b, r, cap) for b, r in backends.items()],
        "",
        "So the cap and the window remove the hundreds of milliseconds, but on this noisy 2-core",
        "machine they do not by themselves guarantee p95 < 50 ms over HTTP for mid-frequency and",
        "two-word queries; SQLite also wants the prefix index. Re-run `make bench` after the change.",
        "",
    ]
    return lines


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    pg = results["backends"].get("postgresql", {}).get("server_version", "")
    b = results["budget"]
    minutes = results["elapsed_s"] / 60
    lines = [
        HEADING,
        "",
        f"Generated by `bench/catalog/run.py` (`make bench`) on {results['date']} in {minutes:.1f} min;",
        "raw figures in `bench/catalog/results.json`.",
        "",
        f"- **Machine:** {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, shared and noisy",
        f"  (figures move by ±30% between runs); Python {m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {pg} (default settings)" if pg else "")
        + ".",
        "- **Data:** the demo (`dataasset demo`: 13 organisations, 16 users, 32 cards) plus",
        f"  **{results['cards']:,} generated cards** over the 4 SOEs and the public institution, names",
        "  and descriptions from word lists (对象 × 主题 × 数据类型, e.g. 输变电设备维修信息,",
        "  公交线路客流月度数据). `search_text` is `index_text(...)` over the same fields as",
        "  `service._apply`; codes continue the demo's `catalog_code_sequence`. Rows are bulk-inserted",
        "  with SQLAlchemy Core executemany: **no per-card versions or evidence entries** are written",
        "  for the generated cards (search does not read them). PostgreSQL gets `VACUUM ANALYZE` after",
        "  the load (what autovacuum does soon after); SQLite gets no ANALYZE (the app never runs it).",
        "- **HTTP:** one `dataasset serve` process (uvicorn, access log off), client on the same",
        f"  machine over loopback with httpx. Latency: {b['warmup']} warm-up requests, then up to",
        f"  {b['requests']} sequential requests or {b['seconds']:.0f} s (at least 10) per user × operation,",
        f"  `page_size=20`. Throughput: {b['threads']} client threads, up to {b['rps_requests']} requests or",
        f"  {b['rps_seconds']:.0f} s. Users: `admin` (platform admin, everything), `xn_admin` (湘能 data",
        "  admin: own group + public cards), `sjj` (provincial regulator: region prefix 43, i.e. every",
        "  generated card). `hits` is the `total` answered.",
        "- **Anchor:** in the same run and in-process, the naive query (`name LIKE '%term%' OR",
        "  description LIKE '%term%'` per word, same tenancy condition, `count(*)` and the newest 20 by",
        "  `updated_at`), timed like `service.list_cards` (one session per call, up to",
        f"  {b['inproc_requests']} calls or {b['inproc_seconds']:.0f} s after a warm-up).",
        "",
    ]
    lines += _load(results)
    verdicts = []
    for backend, r in results["backends"].items():
        t = r["target"]
        verdicts.append(
            f"{NAMES[backend]} worst search p95 {_ms(t['worst_search_p95_ms'])} ms "
            f"({t['worst_user']}, {t['worst_op']})"
        )
    met = all(r["target"]["met"] for r in results["backends"].values())
    lines += [
        f"**Target “search p95 under {results['target_ms']:.0f} ms at 100k cards on both backends”: "
        f"{'met' if met else 'NOT met'}** — " + "; ".join(verdicts) + ".",
        "",
    ]
    for backend, r in results["backends"].items():
        lines += _http(backend, r, b)
    for backend, r in results["backends"].items():
        lines += _anchor(backend, r)
    if any("explain" in r for r in results["backends"].values()):
        lines += _findings(results)
        for backend, r in results["backends"].items():
            if "explain" in r:
                lines += _plans(backend, r["explain"]) + _prototypes(backend, r["explain"])
    return "\n".join(lines).rstrip() + "\n"


def write(path: Path, results: dict[str, Any]) -> None:
    """Replace (or append) only our section; keep whatever else the file holds."""
    replace_section(path, HEADING, render(results))
