"""Signed notes against the reference vector of golang.org/x/mod/sumdb/note (note_test.go): Ed25519
is deterministic, so our signer must reproduce the published note byte for byte, which makes our
checkpoints readable by Go-ecosystem verifiers and witnesses."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dataasset.core.signed_note import NoteError, NoteSigner, checkpoint_body, key_hash, verify_checkpoint

VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIG = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def _signer() -> NoteSigner:
    seed = base64.b64decode(SKEY.split("+", 4)[4])
    assert seed[0] == 1
    return NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed[1:]))


def test_the_reference_note_is_reproduced_byte_for_byte() -> None:
    signer = _signer()
    assert signer.verifier_key == VKEY
    assert key_hash("PeterNeumann", signer.public_key).hex() == "c74f20a3"
    assert signer.sign(TEXT) == TEXT + "\n" + SIG


def test_checkpoints_verify_and_refuse_changes() -> None:
    signer = _signer()
    note = signer.sign(checkpoint_body("PeterNeumann", 7, bytes(range(32))))
    parsed = verify_checkpoint(note, "PeterNeumann", signer.public_key)
    assert (parsed.origin, parsed.tree_size, parsed.root_hash) == ("PeterNeumann", 7, bytes(range(32)))
    for bad in (note.replace("\n7\n", "\n8\n"), note.replace("— ", "- "), note[:-2] + "\n", "no note"):
        with pytest.raises(NoteError):
            verify_checkpoint(bad, "PeterNeumann", signer.public_key)
    with pytest.raises(ValueError):
        checkpoint_body("two\nlines", 1, bytes(32))
