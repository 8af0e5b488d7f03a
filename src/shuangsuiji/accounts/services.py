"""Writes on accounts: API tokens (users themselves are managed in the admin and the demo loader)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from shuangsuiji.accounts.models import ApiToken, User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its plain value (shown once)."""
    if not actor.is_authenticated or not actor.is_active:
        raise ApplicationError("账号不可用")
    plain = "ssj_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name.strip() or "接口访问", key_hash=hash_token(plain))
    audit_record(actor=actor, event="api_token.create", target=token, changes={"name": token.name})
    return token, plain
