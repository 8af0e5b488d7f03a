"""Field-level encryption for personal data (AES-256-GCM, key from settings) and display masking.

Stored form: ``enc1:<key id>:<base64(nonce ‖ ciphertext)>`` where the key id is the first 8 hex digits
of SHA-256(key). Values are written with `FIELD_ENCRYPTION_KEY` and read with it or any of
`FIELD_ENCRYPTION_OLD_KEYS`, so a key rotation works while `ssj crypto rotate-key` re-encrypts
(README "安全 · 密钥轮换"). The first form without a key id (``enc1:<base64>``; base64 has no colon)
is still read by trying every key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

_PREFIX = "enc1:"


def _key_bytes(key_b64: str) -> bytes:
    key = base64.urlsafe_b64decode(key_b64 + "=" * (-len(key_b64) % 4))
    if len(key) != 32:
        raise ValueError("SSJ_FIELD_KEY 必须是 32 字节的 base64 编码密钥")
    return key


@lru_cache(maxsize=8)
def _cipher(key_b64: str) -> AESGCM:
    return AESGCM(_key_bytes(key_b64))


@lru_cache(maxsize=8)
def key_id(key_b64: str) -> str:
    return hashlib.sha256(_key_bytes(key_b64)).hexdigest()[:8]


def _all_keys() -> list[str]:
    return [settings.FIELD_ENCRYPTION_KEY, *getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", [])]


def encrypt_text(plain: str) -> str:
    if plain == "":
        return ""
    key = settings.FIELD_ENCRYPTION_KEY
    nonce = os.urandom(12)
    sealed = _cipher(key).encrypt(nonce, plain.encode("utf-8"), None)
    return f"{_PREFIX}{key_id(key)}:" + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_text(stored: str) -> str:
    if not stored:
        return stored
    if not stored.startswith(_PREFIX):
        return stored
    rest = stored[len(_PREFIX) :]
    if ":" in rest:
        kid, _, body = rest.partition(":")
        keys = [k for k in _all_keys() if key_id(k) == kid]
        if not keys:
            raise ValueError(f"找不到解密所需的密钥（密钥编号 {kid}）：请把旧密钥加入 SSJ_FIELD_OLD_KEYS")
    else:
        body = rest
        keys = _all_keys()
    raw = base64.b64decode(body)
    for key in keys:
        try:
            return _cipher(key).decrypt(raw[:12], raw[12:], None).decode("utf-8")
        except InvalidTag:
            continue
    raise ValueError("个人信息密文无法用现有密钥解密")


def needs_reencryption(stored: str | None) -> bool:
    """True when a stored value is not encrypted under the current key (old key, old format, plain)."""
    if not stored:
        return False
    return not stored.startswith(f"{_PREFIX}{key_id(settings.FIELD_ENCRYPTION_KEY)}:")


class EncryptedTextField(models.TextField):
    """Stores the value AES-GCM encrypted; Python code sees plain text. Not searchable by design."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt_text(str(value))


def mask_phone(phone: str) -> str:
    """138****5678 — keeps the first 3 and the last 4 digits."""
    phone = (phone or "").strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """1101**********1234 — keeps the first 4 and the last 4 characters."""
    value = (id_number or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
