"""What every bench/*/report.py shares: Markdown tables, and rewriting one's own section of
docs/benchmarks.md (between its heading and the next ``## ``) without touching the others."""

from __future__ import annotations

import re
from pathlib import Path


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return [*out, ""]


def replace_section(path: Path, heading: str, section: str) -> None:
    """Replace (or append) the section under ``heading``; keep whatever else the file holds."""
    if not path.exists():
        path.write_text("# Benchmarks\n\n" + section, encoding="utf-8")
        return
    current = path.read_text(encoding="utf-8")
    start = current.find(heading + "\n")
    if start < 0:
        path.write_text(current.rstrip() + "\n\n" + section, encoding="utf-8")
        return
    following = re.search(r"^## ", current[start + len(heading) :], flags=re.MULTILINE)
    end = start + len(heading) + following.start() if following else len(current)
    rest = current[end:]
    path.write_text(current[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")
