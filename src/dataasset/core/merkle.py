"""RFC 9162 Merkle tree kernel: hashes, roots, proofs and their verification (hashlib only, no I/O).

The evidence log (存证, 湖南方案第3条 全程可追溯) is a Merkle tree over its entries as RFC 9162 §2.1
defines it:

- leaf hash ``SHA-256(0x00 ‖ entry)``, node hash ``SHA-256(0x01 ‖ left ‖ right)``;
- a tree of ``n > 1`` leaves splits at ``k``, the largest power of two smaller than ``n``;
- the empty tree's hash is ``SHA-256("")``.

Storage keeps the hash of every *perfect* subtree once it is complete, addressed as
``(level, index)``: the subtree of ``2**level`` leaves starting at leaf ``index * 2**level``
(level 0 is a leaf). Every subtree an RFC proof names is a range ``[begin, end)`` that decomposes
into at most ``log2(n)`` such perfect subtrees, so a root or a proof reads ``O(log n)`` stored
hashes. Functions that need hashes take a ``reader``: given a list of ``(level, index)`` keys it
returns their hashes (from a database, or from :class:`MemoryTree` in tests).

The ``verify_*`` functions are what a third party runs: they follow RFC 9162 §2.1.3.2 and §2.1.4.2
step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
Reader = Callable[[Sequence[NodeKey]], Mapping[NodeKey, bytes]]


class ProofError(ValueError):
    """A proof does not verify, or was asked for with impossible sizes."""


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 ‖ entry)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 ‖ left ‖ right)`` (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n > 1``)."""
    if n < 2:
        raise ValueError("split_point needs n > 1")
    return 1 << ((n - 1).bit_length() - 1)


# --- ranges and perfect subtrees --------------------------------------------------------------


def perfect_subtrees(begin: int, end: int) -> list[NodeKey]:
    """The perfect subtrees, left to right, that make up the range ``[begin, end)``.

    ``begin`` must be aligned as it is for every subtree of a Merkle tree: a multiple of the largest
    power of two not exceeding ``end - begin``.
    """
    out: list[NodeKey] = []
    while begin < end:
        size = 1 << ((end - begin).bit_length() - 1)
        if begin % size:
            raise ValueError(f"range [{begin}, {end}) is not a subtree")
        level = size.bit_length() - 1
        out.append((level, begin >> level))
        begin += size
    return out


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a subtree from its perfect subtrees' hashes (left to right): the smaller ones on
    the right hang under their left neighbours, ``H(P1, H(P2, H(P3, ...)))``."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for value in reversed(hashes[:-1]):
        acc = node_hash(value, acc)
    return acc


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The subtrees ``[begin, end)`` whose hashes form PATH(index, D[size]) (RFC 9162 §2.1.3.1),
    in proof order (nearest the leaf first)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    out: list[tuple[int, int]] = []
    begin, end = 0, size
    while end - begin > 1:
        k = split_point(end - begin)
        if index < begin + k:
            out.append((begin + k, end))
            end = begin + k
        else:
            out.append((begin, begin + k))
            begin += k
    out.reverse()
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The subtrees whose hashes form PROOF(first, D[second]) (RFC 9162 §2.1.4.1), in proof order."""
    if first < 1:
        raise ProofError("a consistency proof from an empty tree is not defined")
    if first > second:
        raise ProofError(f"first size {first} is larger than second size {second}")
    out: list[tuple[int, int]] = []
    begin, end, m, complete = 0, second, first, True
    while m != end - begin:
        k = split_point(end - begin)
        if m <= k:
            out.append((begin + k, end))
            end = begin + k
        else:
            out.append((begin, begin + k))
            begin += k
            m -= k
            complete = False
    if not complete:
        out.append((begin, end))
    out.reverse()
    return out


def _keys(ranges: Iterable[tuple[int, int]]) -> list[NodeKey]:
    keys: list[NodeKey] = []
    for begin, end in ranges:
        keys.extend(perfect_subtrees(begin, end))
    return keys


def _hash_ranges(ranges: Sequence[tuple[int, int]], reader: Reader) -> list[bytes]:
    found = reader(_keys(ranges))
    return [fold([found[key] for key in perfect_subtrees(b, e)]) for b, e in ranges]


def root_keys(size: int) -> list[NodeKey]:
    """The stored nodes a root of ``size`` leaves is computed from."""
    return perfect_subtrees(0, size)


def root(size: int, reader: Reader) -> bytes:
    """MTH(D[size]) from stored perfect subtrees."""
    if size == 0:
        return EMPTY_ROOT
    found = reader(root_keys(size))
    return fold([found[key] for key in root_keys(size)])


def inclusion_proof(index: int, size: int, reader: Reader) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return _hash_ranges(inclusion_ranges(index, size), reader)


def consistency_proof(first: int, second: int, reader: Reader) -> list[bytes]:
    """The consistency proof between the trees of ``first`` and ``second`` leaves."""
    return _hash_ranges(consistency_ranges(first, second), reader)


# --- appending --------------------------------------------------------------------------------


def append_siblings(index: int) -> list[NodeKey]:
    """The stored left siblings needed to complete the subtrees that leaf ``index`` closes."""
    out: list[NodeKey] = []
    count, level = index + 1, 0
    while count % 2 == 0:
        count //= 2
        out.append((level, 2 * count - 2))
        level += 1
    return out


def completed_nodes(
    index: int, leaf: bytes, siblings: Mapping[NodeKey, bytes]
) -> list[tuple[int, int, bytes]]:
    """``(level, index, hash)`` of every perfect subtree (level ≥ 1) that leaf ``index`` completes."""
    out: list[tuple[int, int, bytes]] = []
    current = leaf
    for level, left_index in append_siblings(index):
        current = node_hash(siblings[(level, left_index)], current)
        out.append((level + 1, left_index // 2, current))
    return out


def complete_subtrees(leaves: Iterable[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """Every perfect subtree of level ≥ 1 over the leaves, in the order they complete."""
    stack: list[bytes] = []
    for i, leaf in enumerate(leaves):
        current, count, level = leaf, i + 1, 0
        while count % 2 == 0:
            current = node_hash(stack.pop(), current)
            count //= 2
            level += 1
            yield level, count - 1, current
        stack.append(current)


class MemoryTree:
    """A tree held in memory, every level kept: a :data:`Reader` for tests and benchmarks."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        self.levels[0].append(leaf)
        level = 0
        while len(self.levels[level]) % 2 == 0:
            row = self.levels[level]
            if level + 1 == len(self.levels):
                self.levels.append([])
            self.levels[level + 1].append(node_hash(row[-2], row[-1]))
            level += 1

    def read(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {(level, index): self.levels[level][index] for level, index in keys}

    def root(self, size: int | None = None) -> bytes:
        return root(self.size if size is None else size, self.read)


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) computed recursively from the RFC's definition (slow; for tests)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = split_point(len(leaves))
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


# --- verification (RFC 9162 §2.1.3.2, §2.1.4.2) ------------------------------------------------


def _check_size(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that an audit path leads to (RFC 9162 §2.1.3.2 steps 1–4)."""
    _check_size(leaf, "leaf hash")
    for p in proof:
        _check_size(p, "proof element")
    if index < 0 or index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows leaf ``index`` in the tree with ``root_hash``."""
    if root_from_inclusion_proof(index, size, leaf, proof) != root_hash:
        raise ProofError("inclusion proof leads to a different root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows the tree of ``first`` leaves is a prefix of the
    tree of ``second`` leaves (RFC 9162 §2.1.4.2). A consistency proof from size 0 is always refused:
    it would prove nothing."""
    for p in proof:
        _check_size(p, "proof element")
    if first < 1:
        raise ProofError("a consistency proof from an empty tree is not defined")
    if first > second:
        raise ProofError(f"first size {first} is larger than second size {second}")
    if first == second:
        if proof:
            raise ProofError("sizes are equal but the proof is not empty")
        if first_root != second_root:
            raise ProofError("sizes are equal but the roots differ")
        return
    # 1. an empty path fails
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    # 2. if first is an exact power of two, prepend first_hash
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    # 3.
    fn, sn = first - 1, second - 1
    # 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != first_root:
        raise ProofError("consistency proof leads to a different first root")
    if sr != second_root:
        raise ProofError("consistency proof leads to a different second root")
