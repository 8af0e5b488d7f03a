"""Protected files, the rate-limit helper, and personal-data key rotation."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.utils.functional import empty
from typer.testing import CliRunner

from shuangsuiji.accounts.models import User
from shuangsuiji.cli.main import app
from shuangsuiji.common import crypto
from shuangsuiji.common.exceptions import PermissionDeniedError
from shuangsuiji.common.files import private_storage, serve_protected
from shuangsuiji.common.ratelimit import client_ip, ratelimit
from shuangsuiji.directory.models import Inspector, Target
from tests.conftest import World


@pytest.fixture
def private_root(tmp_path: Path, settings: Any) -> Path:
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    private_storage._wrapped = empty  # type: ignore[attr-defined]  # re-read the setting
    return settings.PRIVATE_MEDIA_ROOT  # type: ignore[no-any-return]


def test_private_media_is_outside_static_and_unrouted(world: World) -> None:
    media = Path(django_settings.PRIVATE_MEDIA_ROOT).resolve()
    for static_dir in [*django_settings.STATICFILES_DIRS, django_settings.STATIC_ROOT]:
        assert Path(static_dir).resolve() not in [media, *media.parents]
    assert world.client("a_admin").get("/files/evidence/x.pdf").status_code == 404


def test_serve_protected_checks_permission_and_path(world: World, private_root: Path) -> None:
    name = private_storage.save("evidence/现场照片.png", _content(b"\x89PNG fake"))
    request = RequestFactory().get("/x")
    request.user = world.users["a_admin"]
    response = serve_protected(request, name, check=lambda r: True)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"\x89PNG fake"  # type: ignore[union-attr]
    assert response["Content-Type"] == "image/png" and response["Cache-Control"] == "private, no-store"
    assert "inline" in response["Content-Disposition"]
    with pytest.raises(PermissionDeniedError):
        serve_protected(request, name, check=lambda r: False)
    for bad in ("../secret.txt", "/etc/passwd", "", "evidence/../../x"):
        with pytest.raises(Http404):
            serve_protected(request, bad, check=lambda r: True)
    html = private_storage.save("evidence/page.html", _content(b"<script>alert(1)</script>"))
    response = serve_protected(request, html, check=lambda r: True)
    assert response["Content-Disposition"].startswith("attachment")  # never rendered by the browser
    anonymous = RequestFactory().get("/x")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    with pytest.raises(PermissionDeniedError):
        serve_protected(anonymous, name, check=lambda r: True)


def test_x_accel_redirect(world: World, private_root: Path, settings: Any) -> None:
    settings.SSJ_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    name = private_storage.save("a/b.pdf", _content(b"%PDF"))
    request = RequestFactory().get("/x")
    request.user = world.users["a_admin"]
    response = serve_protected(request, name, check=lambda r: True)
    assert response["X-Accel-Redirect"] == "/protected/a/b.pdf" and not response.content


def _content(data: bytes) -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(data)


def test_rate_limit_answers_429_after_the_limit(settings: Any) -> None:
    cache.clear()

    @ratelimit(scope="test_search", limit=3, period=60)
    def search(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    factory = RequestFactory()
    codes = [search(factory.get("/gs/search", REMOTE_ADDR="203.0.113.1")).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    limited = search(factory.get("/gs/search", REMOTE_ADDR="203.0.113.1"))
    assert int(limited["Retry-After"]) > 0 and "频繁" in limited.content.decode()
    assert search(factory.get("/gs/search", REMOTE_ADDR="203.0.113.2")).status_code == 200
    settings.SSJ_TRUSTED_PROXY_COUNT = 1
    forwarded = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.1")
    assert client_ip(forwarded) == "10.0.0.1"
    forwarded = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert client_ip(forwarded) == "198.51.100.9"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # nosec B608: test constants
        return str(cursor.fetchone()[0])


def test_key_rotation_re_encrypts_everything(world: World, settings: Any) -> None:
    old_key = settings.FIELD_ENCRYPTION_KEY
    user: User = world.users["a_staff"]
    user.phone = "13600001111"
    user.save()
    inspector = world.inspectors["a"]
    old_raw = _raw("directory_inspector", "id_number", inspector.pk)
    assert old_raw.startswith(f"enc1:{crypto.key_id(old_key)}:")
    new_key = base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")
    settings.FIELD_ENCRYPTION_KEY = new_key
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old_key]
    # during the rotation both keys read
    assert Inspector.objects.get(pk=inspector.pk).id_number == "110101199003071234"
    result = CliRunner().invoke(app, ["crypto", "rotate-key", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "directory.inspector.id_number：2 条" in result.output
    for table, column, pk in (
        ("directory_inspector", "id_number", inspector.pk), ("directory_inspector", "phone", inspector.pk),
        ("directory_target", "contact_phone", world.targets["a"].pk), ("accounts_user", "phone", user.pk),
    ):
        raw = _raw(table, column, pk)
        assert raw.startswith(f"enc1:{crypto.key_id(new_key)}:"), (table, column)
    settings.FIELD_ENCRYPTION_OLD_KEYS = []  # old key removed after the rotation
    assert Inspector.objects.get(pk=inspector.pk).id_number == "110101199003071234"
    assert Target.objects.get(pk=world.targets["a"].pk).contact_phone == "13812345678"
    assert User.objects.get(pk=user.pk).phone == "13600001111"
    # idempotent
    again = CliRunner().invoke(app, ["crypto", "rotate-key"])
    assert again.exit_code == 0 and "共重新加密 0 个值" in again.output
    settings.FIELD_ENCRYPTION_KEY = old_key
    with pytest.raises(ValueError, match="SSJ_FIELD_OLD_KEYS"):
        Inspector.objects.get(pk=inspector.pk)


def test_legacy_values_without_key_id_still_read(settings: Any) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = base64.urlsafe_b64decode(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    legacy = "enc1:" + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, b"13800000000", None)).decode()
    assert crypto.decrypt_text(legacy) == "13800000000"
    assert crypto.needs_reencryption(legacy) and not crypto.needs_reencryption(crypto.encrypt_text("x"))


def test_generate_key_command() -> None:
    result = CliRunner().invoke(app, ["crypto", "generate-key"])
    assert result.exit_code == 0 and len(base64.urlsafe_b64decode(result.output.strip())) == 32


def test_api_masks_personal_data_for_roles_without_the_permission(world: World) -> None:
    inspector = world.inspectors["a"]
    staff: Client = world.client("a_staff")
    body = staff.get(f"/api/directory/inspectors/{inspector.pk}").json()
    assert body["id_number"] == "1101**********1234" and body["phone"] == "139****5678"
    target = staff.get(f"/api/directory/targets/{world.targets['a'].pk}").json()
    assert target["contact_phone"] == "138****5678"
    full = world.client("a_admin").get(f"/api/directory/inspectors/{inspector.pk}").json()
    assert full["id_number"] == "110101199003071234"


def test_exports_and_audit_page_mask_personal_data(world: World) -> None:
    from python_calamine import CalamineWorkbook

    content = world.client("a_staff").get("/directory/inspectors/export/").content
    import io

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    text = str(rows)
    assert "13912345678" not in text and "110101199003071234" not in text
    assert "139****5678" in text and "1101**********1234" in text
    from shuangsuiji.directory import services

    services.inspector_update(actor=world.users["a_admin"], inspector=world.inspectors["a"], data={"phone": "13700001111"})
    page = world.client("a_auditor").get("/audit/?event=inspector.update").content.decode()
    assert "139****5678 → 137****1111" in page and "13700001111" not in page
