"""Secrets at rest (data-source passwords and URLs): Fernet (AES-128-CBC + HMAC-SHA256) with a key
derived from the platform secret, so a copy of the database alone reveals no credential."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from dataasset.core.errors import Invalid


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(b"dataasset/secrets/v1\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret_key: str, plain: str) -> str:
    return _fernet(secret_key).encrypt(plain.encode()).decode()


def decrypt(secret_key: str, token: str) -> str:
    try:
        return _fernet(secret_key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise Invalid(
            "无法解密已保存的连接信息：平台密钥已更换。请重新填写该数据源的连接信息",
            code="secret_undecryptable",
        ) from exc
