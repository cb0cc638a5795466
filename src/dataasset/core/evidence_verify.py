"""Checking the whole evidence log (湖南方案第3条 全程可追溯): from the database, or offline from an
export file with no database.

:func:`verify_log` recomputes every leaf from the stored entry bytes and checks the entry's fields
against the row's columns, rebuilds the tree from those leaves and compares every stored subtree hash,
checks every checkpoint's signature and that its root is the root of the current log's prefix, and
(from the database) compares each subject's current row with the state digest its latest evidence
carries, through the digests the domains registered (``core.evidence.register_state``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dataasset.core import merkle
from dataasset.core.signed_note import NoteError, verify_checkpoint

_MAX_PROBLEMS = 500
Progress = Callable[[str, int, int], None]
"""``progress(phase, advance, total)``: called as work is done (for progress bars)."""

# index, recorded_at (aware, or text: see _same_time), actor user, actor organisation, action,
# subject type, subject id, payload sha256, state sha256, entry text, leaf hash (hex)
EntryRow = tuple[int, datetime | str, int | None, int | None, str, str, str, str, str | None, str, str]
NodeRows = Callable[[int], Iterable[tuple[int, str]]]
"""``stored_nodes(level)`` → ``(index, hash hex)`` of the stored nodes of that level."""


@dataclass(frozen=True)
class CheckpointRow:
    id: int
    tree_size: int
    root_hash: str
    origin: str
    public_key: str
    note: str


@dataclass(frozen=True)
class Problem:
    """Something wrong, at the first leaf index it concerns (``None``: not tied to a leaf)."""

    index: int | None
    reason: str


@dataclass
class VerifyReport:
    """What :func:`verify_log` found: the log's size and every problem (the first few hundred)."""

    size: int = 0
    nodes_checked: int = 0
    checkpoints_checked: int = 0
    subjects_checked: int = 0
    subjects_without_state: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        """The problem at the lowest index (problems not tied to a leaf come last)."""
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.index is None, p.index or 0))

    def add(self, index: int | None, reason: str) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(Problem(index, reason))


_FIELDS = frozenset({"index", "time", "actor", "action", "subject", "payload_sha256", "state_sha256"})


def _mismatch(row: EntryRow, body: Any) -> str | None:
    """The first field of the entry that disagrees with the row's columns, or None."""
    if type(body) is dict:
        actor = body.get("actor")
        if (
            body.get("index") == row[0]
            and body.get("action") == row[4]
            and body.get("payload_sha256") == row[7]
            and body.get("state_sha256") == row[8]
            and body.get("subject") == {"type": row[5], "id": row[6]}
            and type(actor) is dict
            and actor.get("user") == row[2]
            and actor.get("organisation") == row[3]
            and type(body.get("time")) is str
            and _same_time(body["time"], row[1])
            and body.keys() <= _FIELDS
        ):
            return None
    return _which_field(row, body)


def _same_time(text: str, moment: datetime | str) -> bool:
    """Does the entry's time equal the row's? Row times given as text are ISO 8601 (export files)
    or naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLite; PostgreSQL rows are read in that form)."""
    if isinstance(moment, str):
        if moment == text:
            return True
        if len(text) in (25, 32) and text.endswith("+00:00") and text[10] == "T":
            # "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00" against "YYYY-MM-DD HH:MM:SS.ffffff"
            return f"{text[:10]} {text[11:-6]}{'' if len(text) == 32 else '.000000'}" == moment
    try:
        return datetime.fromisoformat(text) == aware(moment)
    except ValueError:
        return False


def aware(moment: datetime | str) -> datetime:
    """A row time as an aware datetime (text without an offset is UTC, as SQLite stores it)."""
    if not isinstance(moment, str):
        return moment
    parsed = datetime.fromisoformat(moment)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _which_field(row: EntryRow, body: Any) -> str:
    if not isinstance(body, dict) or not body.keys() <= _FIELDS:
        return "字段集合"
    actor = body.get("actor")
    checks = (
        ("index", body.get("index") == row[0]),
        ("time", isinstance(body.get("time"), str) and _same_time(body["time"], row[1])),
        ("actor", isinstance(actor, dict) and (actor.get("user"), actor.get("organisation")) == row[2:4]),
        ("action", body.get("action") == row[4]),
        ("subject", body.get("subject") == {"type": row[5], "id": row[6]}),
        ("payload_sha256", body.get("payload_sha256") == row[7]),
        ("state_sha256", body.get("state_sha256") == row[8]),
    )
    return next((name for name, good in checks if not good), "字段集合")


@dataclass
class CheckedEntries:
    """The entry pass over a run of the log starting at ``start`` (what a worker process returns):
    recomputed leaf hashes, positions whose stored leaf hash differs, problems, and the latest
    ``(index, state digest)`` per subject of the registered types."""

    start: int
    leaves: list[bytes] = field(default_factory=list)
    bad: set[int] = field(default_factory=set)
    gap: int | None = None  # first position whose entry is missing or out of order
    problems: list[Problem] = field(default_factory=list)
    latest: dict[tuple[str, str], tuple[int, str | None]] = field(default_factory=dict)


def _note(problems: list[Problem], index: int, reason: str) -> None:
    if len(problems) < _MAX_PROBLEMS:
        problems.append(Problem(index, reason))


def check_entries(
    rows: Iterable[EntryRow],
    *,
    start: int = 0,
    subject_types: frozenset[str] = frozenset(),
    progress: Progress | None = None,
    total: int = 0,
) -> CheckedEntries:
    """Recompute each leaf from the entry's bytes and compare the entry's fields with the row's."""
    out = CheckedEntries(start)
    leaves, bad, latest, problems = out.leaves, out.bad, out.latest, out.problems
    sha256, decode = hashlib.sha256, json.JSONDecoder().raw_decode
    step = 0
    for row in rows:
        index, position = row[0], start + len(leaves)
        if index != position and out.gap is None:
            out.gap = position
            _note(problems, position, f"条目序号不连续：应为 {position}，实为 {index}")
        leaf = sha256(b"\x00" + row[9].encode()).digest()
        if leaf.hex() != row[10]:
            _note(problems, index, "叶子哈希与条目内容不符")
            bad.add(position)
        try:
            body, end = decode(row[9])
            wrong = _mismatch(row, body) if end == len(row[9]) else "JSON"
        except ValueError:
            wrong = "JSON"
        if wrong is not None:
            _note(problems, index, f"条目内容与记录字段 {wrong} 不符")
        if row[5] in subject_types:
            latest[(row[5], row[6])] = (index, row[8])
        leaves.append(leaf)
        step += 1
        if progress is not None and step == 65536:
            progress("entries", step, total)
            step = 0
    if progress is not None:
        progress("entries", step, total)
    return out


def _tree(
    report: VerifyReport,
    leaves: list[bytes],
    bad: set[int],
    stored: NodeRows | None,
    top_stored_level: int,
    wanted: set[merkle.NodeKey],
    progress: Progress | None,
) -> dict[merkle.NodeKey, bytes]:
    """Rebuild every perfect subtree level by level from the recomputed leaves; compare with the
    stored nodes (a mismatch above one already reported is its consequence, not reported again);
    keep the ``wanted`` hashes."""
    kept = {key: leaves[key[1]] for key in wanted if key[0] == 0}
    sha256 = hashlib.sha256
    hashes, level = leaves, 0
    total = max(len(leaves) - 1, 0)
    while len(hashes) > 1 or (stored is not None and level < top_stored_level):
        level += 1
        hashes = [sha256(b"\x01" + a + b).digest() for a, b in zip(hashes[0::2], hashes[1::2], strict=False)]
        for key in wanted:
            if key[0] == level:
                kept[key] = hashes[key[1]]
        if stored is not None:
            bad = _compare_level(report, level, hashes, stored(level), bad)
        if progress is not None:
            progress("tree", len(hashes), total)
    return kept


def _compare_level(
    report: VerifyReport, level: int, hashes: list[bytes], rows: Iterable[tuple[int, str]], below: set[int]
) -> set[int]:
    seen = 0
    bad = {i // 2 for i in below}
    for index, value in rows:
        report.nodes_checked += 1
        if index >= len(hashes) or index < 0:
            report.add(index << level, f"多余的树节点：第 {level} 层第 {index} 个")
            continue
        seen += 1
        if value != hashes[index].hex() and index not in bad:
            report.add(index << level, f"存储的树节点（第 {level} 层第 {index} 个）与重算结果不符")
            bad.add(index)
    if seen != len(hashes):
        report.add(None, f"第 {level} 层缺少 {len(hashes) - seen} 个树节点")
    return bad


def _checkpoints(
    report: VerifyReport,
    checkpoints: Sequence[CheckpointRow],
    kept: Mapping[merkle.NodeKey, bytes],
    size: int,
    trusted_keys: set[bytes] | None,
) -> None:
    for cp in checkpoints:
        report.checkpoints_checked += 1
        where = f"检查点 #{cp.id}（大小 {cp.tree_size}）"
        at = max(cp.tree_size - 1, 0)
        try:
            key = base64.b64decode(cp.public_key, validate=True)
            signed = verify_checkpoint(cp.note, cp.origin, key)
        except (NoteError, ValueError) as exc:
            report.add(at, f"{where}签名无效：{exc}")
            continue
        if trusted_keys is not None and key not in trusted_keys:
            report.add(at, f"{where}由不受信任的密钥签名")
        if (signed.origin, signed.tree_size, signed.root_hash.hex()) != (
            cp.origin,
            cp.tree_size,
            cp.root_hash,
        ):
            report.add(at, f"{where}的记录与签名内容不符")
            continue
        if cp.tree_size > size:
            report.add(size, f"{where}超过当前日志长度 {size}：日志被截断")
            continue
        root = merkle.fold([kept[k] for k in merkle.root_keys(cp.tree_size)])
        if root != signed.root_hash:
            report.add(at, f"{where}的根哈希与当前日志的前 {cp.tree_size} 条不一致")


def _states(
    report: VerifyReport,
    latest: Mapping[tuple[str, str], tuple[int, str | None]],
    current: Mapping[str, Iterable[tuple[str, str]]],
) -> None:
    for subject_type, digests in current.items():
        seen: set[str] = set()
        for subject_id, digest in digests:
            seen.add(subject_id)
            report.subjects_checked += 1
            found = latest.get((subject_type, subject_id))
            if found is None:
                report.add(None, f"{subject_type} {subject_id} 没有任何存证")
            elif found[1] is None:
                report.subjects_without_state += 1
            elif found[1] != digest:
                report.add(
                    found[0], f"{subject_type} {subject_id} 的当前数据与其最新存证（第 {found[0]} 条）不符"
                )
        for (kind, subject_id), (index, state) in latest.items():
            if kind == subject_type and subject_id not in seen and state is not None:
                report.add(index, f"存证中的 {subject_type} {subject_id} 在数据库中不存在")


def verify_log(
    entries: Iterable[EntryRow],
    *,
    size_hint: int,
    checkpoints: Sequence[CheckpointRow] = (),
    stored_nodes: NodeRows | None = None,
    top_stored_level: int = 0,
    trusted_keys: set[bytes] | None = None,
    current_states: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    progress: Progress | None = None,
) -> VerifyReport:
    """Check a log given as rows in index order; see the module docstring for what is checked.

    ``trusted_keys`` (raw Ed25519 keys) limits who may have signed the checkpoints; ``None`` accepts
    each checkpoint's recorded key. ``current_states`` maps a subject type to its current rows'
    ``(subject id, state digest)``; ``stored_nodes`` reads the stored subtree hashes of one level
    (``top_stored_level`` is the highest level stored, so that stray nodes above the tree are found).
    """
    types = frozenset(current_states or ())
    checked = check_entries(entries, subject_types=types, progress=progress, total=size_hint)
    return verify_checked(
        [checked],
        checkpoints=checkpoints,
        stored_nodes=stored_nodes,
        top_stored_level=top_stored_level,
        trusted_keys=trusted_keys,
        current_states=current_states,
        progress=progress,
    )


def verify_checked(
    parts: Iterable[CheckedEntries],
    *,
    checkpoints: Sequence[CheckpointRow] = (),
    stored_nodes: NodeRows | None = None,
    top_stored_level: int = 0,
    trusted_keys: set[bytes] | None = None,
    current_states: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    progress: Progress | None = None,
) -> VerifyReport:
    """The rest of :func:`verify_log` once the entries were checked, in consecutive runs (possibly by
    several processes): the tree, the stored nodes, the checkpoints and the subjects' states."""
    report = VerifyReport()
    leaves: list[bytes] = []
    bad: set[int] = set()
    latest: dict[tuple[str, str], tuple[int, str | None]] = {}
    gap: int | None = None
    for part in parts:
        if part.start != len(leaves) and gap is None:
            gap = len(leaves)
            report.add(len(leaves), f"条目序号不连续：缺少第 {len(leaves)} 至 {part.start - 1} 条")
        if part.gap is not None and gap is None:
            gap = part.gap - part.start + len(leaves)
        for problem in part.problems:
            report.add(problem.index, problem.reason)
        leaves.extend(part.leaves)
        bad |= part.bad
        latest.update(part.latest)
    report.size = len(leaves)
    if gap is not None:  # every later leaf sits at the wrong position: its nodes say nothing more
        bad.update(range(gap, len(leaves)))
    wanted: set[merkle.NodeKey] = set()
    for cp in checkpoints:
        if 0 < cp.tree_size <= report.size:
            wanted.update(merkle.root_keys(cp.tree_size))
    kept = _tree(report, leaves, bad, stored_nodes, top_stored_level, wanted, progress)
    _checkpoints(report, checkpoints, kept, report.size, trusted_keys)
    if current_states:
        _states(report, latest, current_states)
    return report
