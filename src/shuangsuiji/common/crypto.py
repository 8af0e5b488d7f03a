"""Field-level encryption for personal data (AES-256-GCM, key from settings) and display masking."""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

_PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _cipher(key_b64: str) -> AESGCM:
    key = base64.urlsafe_b64decode(key_b64 + "=" * (-len(key_b64) % 4))
    if len(key) != 32:
        raise ValueError("SSJ_FIELD_KEY 必须是 32 字节的 base64 编码密钥")
    return AESGCM(key)


def encrypt_text(plain: str) -> str:
    if plain == "":
        return ""
    nonce = os.urandom(12)
    sealed = _cipher(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plain.encode("utf-8"), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_text(stored: str) -> str:
    if not stored or not stored.startswith(_PREFIX):
        return stored
    raw = base64.b64decode(stored[len(_PREFIX) :])
    return _cipher(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[:12], raw[12:], None).decode("utf-8")


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
