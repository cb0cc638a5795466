"""The RFC 9162 kernel against the published transparency-dev vectors and hypothesis properties."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataasset.core import merkle
from dataasset.core.merkle import MemoryTree, ProofError

VECTORS = Path(__file__).parent / "fixtures" / "rfc9162"


def _cases(kind: str) -> list[Any]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert files, f"no vectors under {VECTORS / kind}"
    return [pytest.param(json.loads(f.read_text()), id=str(f.relative_to(VECTORS))) for f in files]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


@pytest.mark.parametrize("case", _cases("inclusion"))
def test_inclusion_vectors(case: dict[str, Any]) -> None:
    proof = [_b64(p) for p in case.get("proof") or []]
    args = (case["leafIdx"], case["treeSize"], _b64(case["leafHash"]), proof, _b64(case["root"]))
    if case["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(*args)
    else:
        merkle.verify_inclusion(*args)


@pytest.mark.parametrize("case", _cases("consistency"))
def test_consistency_vectors(case: dict[str, Any]) -> None:
    proof = [_b64(p) for p in case.get("proof") or []]
    args = (case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof)
    if case["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)


def test_every_vector_file_is_run() -> None:
    assert len(_cases("inclusion")) + len(_cases("consistency")) == 196


# The 8-leaf tree of RFC 6962 §2.1.3 / the transparency-dev reference, from its published roots.
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def test_roots_of_the_reference_tree() -> None:
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    tree = MemoryTree()
    for n, data in enumerate(LEAVES, start=1):
        tree.append(merkle.leaf_hash(data))
        assert tree.root().hex() == ROOTS[n - 1]
        assert merkle.reference_root(tree.levels[0]).hex() == ROOTS[n - 1]


def test_rfc_example_proof_shapes() -> None:
    """RFC 9162 §2.1.5: the audit path for d0 in a 7-leaf tree is [b, h, l]; PROOF(3, D[7]) = [c, d, g, l]."""
    assert merkle.inclusion_ranges(0, 7) == [(1, 2), (2, 4), (4, 7)]
    assert merkle.consistency_ranges(3, 7) == [(2, 3), (3, 4), (0, 2), (4, 7)]
    assert merkle.consistency_ranges(4, 7) == [(4, 7)]
    assert merkle.consistency_ranges(6, 7) == [(4, 6), (6, 7), (0, 4)]
    assert merkle.consistency_ranges(5, 5) == []


def test_impossible_requests() -> None:
    tree = MemoryTree(merkle.leaf_hash(bytes([i])) for i in range(5))
    for index, size in ((5, 5), (-1, 5), (0, 0)):
        with pytest.raises(ProofError):
            merkle.inclusion_proof(index, size, tree.read)
    for first, second in ((0, 3), (4, 3)):
        with pytest.raises(ProofError):
            merkle.consistency_proof(first, second, tree.read)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(0, 1, b"short", [], merkle.EMPTY_ROOT)


def test_proofs_read_logarithmically_many_nodes() -> None:
    tree = MemoryTree(merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(1000))
    reads: list[int] = []

    def counting(keys: Any) -> Any:
        reads.append(len(keys))
        return tree.read(keys)

    for index in (0, 1, 511, 998, 999):
        merkle.inclusion_proof(index, 1000, counting)
    merkle.consistency_proof(333, 1000, counting)
    merkle.root(1000, counting)
    assert max(reads) <= 2 * 10  # ⌈log2 1000⌉ = 10; each range is at most that many subtrees


def test_appending_and_streaming_give_the_same_nodes() -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(300)]
    tree = MemoryTree()
    appended: list[tuple[int, int, bytes]] = []
    for i, leaf in enumerate(leaves):
        siblings = tree.read(merkle.append_siblings(i))
        appended.extend(merkle.completed_nodes(i, leaf, siblings))
        tree.append(leaf)
    assert appended == list(merkle.complete_subtrees(leaves))
    assert appended == [
        (level, index, tree.levels[level][index])
        for level, index, _ in sorted(appended, key=lambda n: ((n[1] + 1) << n[0], n[0]))
    ]


# --- properties ---------------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)


def _tree(n: int) -> MemoryTree:
    return MemoryTree(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n))


def _flip(values: list[bytes], which: int, byte: int, bit: int) -> list[bytes]:
    item = bytearray(values[which])
    item[byte % len(item)] ^= 1 << bit
    return [*values[:which], bytes(item), *values[which + 1 :]]


@settings(max_examples=300, deadline=None)
@given(n=sizes, data=st.data())
def test_every_inclusion_proof_verifies_and_any_flipped_byte_fails(n: int, data: st.DataObject) -> None:
    tree = _tree(n)
    index = data.draw(st.integers(0, n - 1))
    size = data.draw(st.integers(index + 1, n))
    proof = merkle.inclusion_proof(index, size, tree.read)
    leaf, root = tree.levels[0][index], tree.root(size)
    assert root == merkle.reference_root(tree.levels[0][:size])
    merkle.verify_inclusion(index, size, leaf, proof, root)
    byte, bit = data.draw(st.integers(0, 31)), data.draw(st.integers(0, 7))
    target = data.draw(st.sampled_from(["leaf", "root"] + (["proof"] if proof else [])))
    if target == "proof":
        bad = _flip(proof, data.draw(st.integers(0, len(proof) - 1)), byte, bit)
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, leaf, bad, root)
    elif target == "leaf":
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, _flip([leaf], 0, byte, bit)[0], proof, root)
    else:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(index, size, leaf, proof, _flip([root], 0, byte, bit)[0])


@settings(max_examples=300, deadline=None)
@given(n=sizes, data=st.data())
def test_every_consistency_proof_verifies_and_any_flipped_byte_fails(n: int, data: st.DataObject) -> None:
    tree = _tree(n)
    first = data.draw(st.integers(1, n))
    second = data.draw(st.integers(first, n))
    proof = merkle.consistency_proof(first, second, tree.read)
    r1, r2 = tree.root(first), tree.root(second)
    merkle.verify_consistency(first, second, r1, r2, proof)
    byte, bit = data.draw(st.integers(0, 31)), data.draw(st.integers(0, 7))
    target = data.draw(st.sampled_from(["first", "second"] + (["proof"] if proof else [])))
    if target == "proof":
        bad_proof = _flip(proof, data.draw(st.integers(0, len(proof) - 1)), byte, bit)
        with pytest.raises(ProofError):
            merkle.verify_consistency(first, second, r1, r2, bad_proof)
    elif target == "first":
        with pytest.raises(ProofError):
            merkle.verify_consistency(first, second, _flip([r1], 0, byte, bit)[0], r2, proof)
    else:
        with pytest.raises(ProofError):
            merkle.verify_consistency(first, second, r1, _flip([r2], 0, byte, bit)[0], proof)


@settings(max_examples=100, deadline=None)
@given(n=sizes, data=st.data())
def test_a_proof_for_another_size_or_index_fails(n: int, data: st.DataObject) -> None:
    tree = _tree(n)
    index = data.draw(st.integers(0, n - 1))
    proof = merkle.inclusion_proof(index, n, tree.read)
    other = data.draw(st.integers(0, n - 1).filter(lambda i: i != index))
    with pytest.raises(ProofError):
        merkle.verify_inclusion(other, n, tree.levels[0][index], proof, tree.root())
