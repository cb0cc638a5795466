"""Export files of the evidence log (JSON Lines), checked offline with no database
(湖南方案第3条 全程可追溯).

Line 1 is a header (format, origin, public key, tree size); then one line per checkpoint (the signed
note and what it records); then one line per entry with the row's columns and the exact canonical
entry text, in index order. Checkpoints come first so that a reader can check the entries as they
stream by.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from dataasset.core.evidence_verify import CheckpointRow, EntryRow, aware

FORMAT = "dataasset-evidence-log/1"


class ExportError(ValueError):
    """An export file that cannot be read."""


def export_lines(
    header: dict[str, Any], checkpoints: Iterable[CheckpointRow], entries: Iterable[EntryRow]
) -> Iterator[str]:
    """The export file, line by line (no line breaks inside a line)."""
    yield json.dumps({"format": FORMAT, **header}, ensure_ascii=False)
    for cp in checkpoints:
        yield json.dumps({"type": "checkpoint", **cp.__dict__}, ensure_ascii=False)
    for r in entries:
        yield json.dumps(
            {
                "type": "entry",
                "index": r[0],
                "recorded_at": aware(r[1]).isoformat(),
                "actor_user_id": r[2],
                "actor_organisation_id": r[3],
                "action": r[4],
                "subject_type": r[5],
                "subject_id": r[6],
                "payload_sha256": r[7],
                "state_sha256": r[8],
                "entry": r[9],
                "leaf_hash": r[10],
            },
            ensure_ascii=False,
        )


_TEXT = ("recorded_at", "action", "subject_type", "subject_id", "payload_sha256", "entry", "leaf_hash")


def _entry(item: dict[str, Any]) -> EntryRow:
    if type(item["index"]) is not int or not all(isinstance(item[k], str) for k in _TEXT):
        raise TypeError("字段类型不符")
    return (
        item["index"],
        item["recorded_at"],
        item["actor_user_id"],
        item["actor_organisation_id"],
        item["action"],
        item["subject_type"],
        item["subject_id"],
        item["payload_sha256"],
        item["state_sha256"],
        item["entry"],
        item["leaf_hash"],
    )


def open_export(lines: Iterable[str]) -> tuple[dict[str, Any], list[CheckpointRow], Iterator[EntryRow]]:
    """The header and checkpoints of an export file, and its entries as a stream (raising
    :class:`ExportError` at the first line that cannot be read)."""
    numbered = enumerate(lines, start=1)
    try:
        header = json.loads(next(numbered)[1])
    except (StopIteration, ValueError) as exc:
        raise ExportError("导出文件为空或首行不是 JSON") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ExportError(f"不是存证导出文件（格式应为 {FORMAT}）")
    checkpoints: list[CheckpointRow] = []
    first: tuple[int, dict[str, Any]] | None = None
    for number, line in numbered:
        item = _parse(number, line)
        if item is None:
            continue
        if item.pop("type", None) != "checkpoint":
            first = (number, item)
            break
        try:
            checkpoints.append(CheckpointRow(**item))
        except TypeError as exc:
            raise ExportError(f"导出文件第 {number} 行无法解析：{exc}") from exc

    def entries() -> Iterator[EntryRow]:
        if first is not None:
            yield from _entries(first, numbered)

    return header, checkpoints, entries()


def _parse(number: int, line: str) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise ExportError(f"导出文件第 {number} 行不是 JSON：{exc}") from exc
    if not isinstance(item, dict):
        raise ExportError(f"导出文件第 {number} 行不是对象")
    return item


def _entries(first: tuple[int, dict[str, Any]], rest: Iterator[tuple[int, str]]) -> Iterator[EntryRow]:
    number, item = first
    while True:
        if item.get("type", "entry") != "entry":
            raise ExportError(f"导出文件第 {number} 行：检查点应位于条目之前")
        try:
            row = _entry(item)
        except (KeyError, TypeError) as exc:
            raise ExportError(f"导出文件第 {number} 行无法解析：{exc}") from exc
        yield row
        while True:
            try:
                number, line = next(rest)
            except StopIteration:
                return
            parsed = _parse(number, line)
            if parsed is not None:
                item = parsed
                break
