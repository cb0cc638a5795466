"""Signed checkpoints of the evidence log: C2SP tlog-checkpoint bodies in C2SP signed-note envelopes,
signed with Ed25519.

A checkpoint note reads::

    dataasset.local/evidence
    1234
    <base64 root hash>

    — dataasset.local/evidence <base64(key hash ‖ signature)>

The key hash is the first four bytes of ``SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)``; the signature
covers the body (the three lines, each ending in a newline). Anyone holding the 32-byte public key
checks a checkpoint with this module alone (湖南方案第3条 全程可追溯).

The signing key is generated on first use and kept (PEM, mode 0600) in the file the settings name;
nothing is derived from the platform's secret key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_ED25519 = b"\x01"
_DASH = "\u2014"


class NoteError(ValueError):
    """A note that is malformed or whose signature does not verify."""


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 key in C2SP signed-note."""
    return hashlib.sha256(name.encode() + b"\n" + _ED25519 + public_key).digest()[:4]


def checkpoint_body(origin: str, size: int, root_hash: bytes) -> str:
    """The C2SP tlog-checkpoint body: origin, decimal tree size, base64 root hash."""
    if not origin or "\n" in origin or origin != origin.strip():
        raise ValueError("origin must be one non-empty line without surrounding spaces")
    return f"{origin}\n{size}\n{base64.b64encode(root_hash).decode()}\n"


@dataclass(frozen=True)
class NoteSigner:
    """An Ed25519 key signing notes under ``name`` (the checkpoint origin)."""

    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def verifier_key(self) -> str:
        """``<name>+<hex key hash>+<base64(0x01 ‖ key)>``, the form note verifiers take."""
        raw = self.public_key
        return f"{self.name}+{key_hash(self.name, raw).hex()}+{base64.b64encode(_ED25519 + raw).decode()}"

    def sign(self, body: str) -> str:
        """The signed note: body, a blank line, one signature line."""
        signature = self.private_key.sign(body.encode())
        blob = base64.b64encode(key_hash(self.name, self.public_key) + signature).decode()
        return f"{body}\n{_DASH} {self.name} {blob}\n"


def load_or_create_signer(path: Path, name: str) -> NoteSigner:
    """The key in ``path``; created (atomically, mode 0600) when the file does not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    data = path.read_bytes()
    if not data:
        raise NoteError(f"签名密钥文件为空：{path}")
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"签名密钥不是 Ed25519 私钥：{path}")
    return NoteSigner(name, key)


@dataclass(frozen=True)
class Checkpoint:
    """A parsed checkpoint whose signature has been verified."""

    origin: str
    tree_size: int
    root_hash: bytes
    body: str


def verify_checkpoint(note: str, name: str, public_key: bytes) -> Checkpoint:
    """Check the note's signature by the key (``name``, 32-byte Ed25519 ``public_key``) and parse
    its body; raise :class:`NoteError` on any defect. Signatures by other keys are ignored."""
    body, sep, signatures = note.rpartition("\n\n")
    if not sep or not body or not signatures.endswith("\n"):
        raise NoteError("not a signed note: body, blank line and signature lines expected")
    body += "\n"
    wanted = key_hash(name, public_key)
    verifier = Ed25519PublicKey.from_public_bytes(public_key)
    found = False
    for line in signatures[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != _DASH:
            raise NoteError(f"malformed signature line: {line!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError as exc:
            raise NoteError("signature is not base64") from exc
        if parts[1] != name or blob[:4] != wanted:
            continue
        try:
            verifier.verify(blob[4:], body.encode())
        except InvalidSignature as exc:
            raise NoteError("signature does not verify") from exc
        found = True
    if not found:
        raise NoteError(f"no signature by key {name}+{wanted.hex()}")
    lines = body[:-1].split("\n")
    if len(lines) < 3 or not lines[1].isdigit() or (lines[1] != "0" and lines[1].startswith("0")):
        raise NoteError("checkpoint body must be origin, decimal tree size and root hash")
    try:
        root_hash = base64.b64decode(lines[2], validate=True)
    except ValueError as exc:
        raise NoteError("root hash is not base64") from exc
    if len(root_hash) != 32:
        raise NoteError("root hash must be 32 bytes")
    return Checkpoint(lines[0], int(lines[1]), root_hash, body)
