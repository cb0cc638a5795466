"""The evidence API as a third party uses it: checkpoints, entries and proofs over HTTP, checked with a
verifier written here from the RFC 9162 and C2SP texts (it imports nothing of the platform)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

# --- an independent verifier (RFC 9162 §2.1.3.2, §2.1.4.2; C2SP signed-note, tlog-checkpoint) ------


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def rfc_verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: list[bytes], root: bytes
) -> bool:
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = _node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def rfc_verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]
) -> bool:
    if first == second:
        return not path and first_hash == second_hash
    if not path or first == 0:
        return False
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


def open_checkpoint(note: str, public_key: bytes) -> tuple[str, int, bytes]:
    """Check the Ed25519 signature line of a signed note; return (origin, size, root)."""
    body, _, signatures = note.partition("\n\n")
    body += "\n"
    origin, size, root_b64 = body[:-1].split("\n")[:3]
    key_id = hashlib.sha256(origin.encode() + b"\n\x01" + public_key).digest()[:4]
    for line in signatures.splitlines():
        dash, name, blob_b64 = line.split(" ")
        blob = base64.b64decode(blob_b64)
        if dash == "\u2014" and name == origin and blob[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(public_key).verify(blob[4:], body.encode())
            return origin, int(size), base64.b64decode(root_b64)
    raise AssertionError("no signature by the published key")


# --- the tests ------------------------------------------------------------------------------------


def _is_hex(value: str) -> bool:
    return len(value) == 64 and value == value.lower() and bytes.fromhex(value) is not None


def _checkpoint(client: TestClient) -> dict[str, Any]:
    r = client.get("/api/evidence/checkpoint")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _new_card(client: TestClient, auth: Any) -> int:
    body = {"basic": {"name": "存证接口测试", "industry": "D"}}
    r = client.post("/api/catalog/assets", json=body, headers=auth("xn_admin"))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_a_third_party_checks_checkpoints_entries_and_proofs(client: TestClient, auth: Any) -> None:
    old = _checkpoint(client)
    key = base64.b64decode(old["public_key"])
    assert len(key) == 32 and _is_hex(old["root_hash"]) and old["timestamp"]
    origin, size, root = open_checkpoint(old["checkpoint"], key)
    assert (size, root.hex()) == (old["tree_size"], old["root_hash"]) and origin == "dataasset.local/evidence"
    assert _checkpoint(client)["checkpoint"] == old["checkpoint"]  # not grown: the same checkpoint

    _new_card(client, auth)
    new = _checkpoint(client)
    _, size2, root2 = open_checkpoint(new["checkpoint"], key)
    assert size2 > size and new["public_key"] == old["public_key"]

    proof = client.get("/api/evidence/proof/consistency", params={"first": size, "second": size2}).json()
    assert proof["first"] == size and proof["second"] == size2 and all(_is_hex(h) for h in proof["proof"])
    assert rfc_verify_consistency(size, size2, root, root2, [bytes.fromhex(h) for h in proof["proof"]])
    assert not rfc_verify_consistency(size, size2, root2, root, [bytes.fromhex(h) for h in proof["proof"]])

    for index in sorted({0, 1, size // 2, size - 1, size, size2 - 1}):
        entry = client.get(f"/api/evidence/entries/{index}", headers=auth("admin")).json()
        content = base64.b64decode(entry["entry"])
        leaf = hashlib.sha256(b"\x00" + content).digest()
        assert entry["index"] == index and leaf.hex() == entry["leaf_hash"]
        path = client.get("/api/evidence/proof/inclusion", params={"index": index, "tree_size": size2}).json()
        assert path["leaf_index"] == index and path["tree_size"] == size2
        audit = [bytes.fromhex(h) for h in path["audit_path"]]
        assert rfc_verify_inclusion(index, size2, leaf, audit, root2)
        assert not rfc_verify_inclusion(index, size2, hashlib.sha256(content).digest(), audit, root2)


def test_entry_content_follows_the_subjects_visibility(client: TestClient, auth: Any) -> None:
    card_id = _new_card(client, auth)  # a non-public card of 湖南湘能电力集团
    listed = client.get(
        "/api/evidence/entries",
        params={"subject_type": "asset_card", "subject_id": str(card_id)},
        headers=auth("xn_admin"),
    ).json()
    assert listed["total"] == 1 and listed["items"][0]["subject"] == {
        "type": "asset_card",
        "id": str(card_id),
    }
    index = listed["items"][0]["index"]
    expected = {"admin": True, "xn_finance": True, "sjj": True, "jys_reviewer": False, "ss_merchant": False}
    for username, sees in expected.items():
        body = client.get(f"/api/evidence/entries/{index}", headers=auth(username)).json()
        assert (body["entry"] is not None) == sees, username
        assert body["leaf_hash"] and body["action"] == "asset_card.create"
    anonymous = client.get(f"/api/evidence/entries/{index}").json()
    assert anonymous["entry"] is None and _is_hex(anonymous["leaf_hash"])
    hidden = client.get(
        "/api/evidence/entries", params={"subject_id": str(card_id)}, headers=auth("jys_reviewer")
    ).json()
    assert all(
        i["subject"]["id"] != str(card_id) or i["subject"]["type"] != "asset_card" for i in hidden["items"]
    )


def test_the_list_needs_a_login_and_pages(client: TestClient, auth: Any) -> None:
    assert client.get("/api/evidence/entries").status_code == 401
    page = client.get(
        "/api/evidence/entries", params={"page_size": 5, "page": 2}, headers=auth("admin")
    ).json()
    assert len(page["items"]) == 5 and page["page"] == 2 and page["total"] >= 10
    indexes = [i["index"] for i in page["items"]]
    assert indexes == sorted(indexes, reverse=True)
    bad = client.get("/api/evidence/entries", params={"subject_type": "a b"}, headers=auth("admin"))
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        (
            "/api/evidence/proof/inclusion",
            {"index": 5, "tree_size": 5},
            422,
            "evidence_leaf_index_out_of_range",
        ),
        (
            "/api/evidence/proof/inclusion",
            {"index": 0, "tree_size": 10**9},
            422,
            "evidence_tree_size_out_of_range",
        ),
        (
            "/api/evidence/proof/inclusion",
            {"index": 0, "tree_size": 0},
            422,
            "evidence_tree_size_out_of_range",
        ),
        ("/api/evidence/proof/inclusion", {"index": -1, "tree_size": 3}, 422, "validation_error"),
        (
            "/api/evidence/proof/consistency",
            {"first": 0, "second": 3},
            422,
            "evidence_consistency_from_empty_tree",
        ),
        (
            "/api/evidence/proof/consistency",
            {"first": 4, "second": 3},
            422,
            "evidence_consistency_range_invalid",
        ),
        (
            "/api/evidence/proof/consistency",
            {"first": 1, "second": 10**9},
            422,
            "evidence_tree_size_out_of_range",
        ),
        ("/api/evidence/entries/1000000000", {}, 404, "evidence_entry_not_found"),
    ],
)
def test_bad_ranges_answer_in_chinese(
    client: TestClient, path: str, params: dict[str, int], status: int, code: str
) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_an_invalid_login_on_a_public_route_is_refused(client: TestClient) -> None:
    r = client.get("/api/evidence/entries/0", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
