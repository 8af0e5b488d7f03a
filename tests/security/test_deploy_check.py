"""Production settings pass `manage.py check --deploy` cleanly; development keys are refused there."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess  # nosec B404
import sys
from pathlib import Path


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SSJ_")}
    base.update({"SSJ_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "shuangsuiji.settings", **env})
    return subprocess.run(  # nosec B603
        [sys.executable, "-m", "shuangsuiji.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=base, capture_output=True, text=True, timeout=120, check=False,
    )


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _check(
        tmp_path, SSJ_PRODUCTION="1", SSJ_SECRET_KEY=secrets.token_urlsafe(50), SSJ_FIELD_KEY=_key(),
        SSJ_TREE_SIGNING_KEY=_key(), SSJ_RISK_COMMITMENT_KEY=_key(), SSJ_ALLOWED_HOSTS="shuangsuiji.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_development_keys_and_demo(tmp_path: Path) -> None:
    result = _check(tmp_path, SSJ_PRODUCTION="1", SSJ_ALLOWED_HOSTS="shuangsuiji.example.gov.cn")
    assert result.returncode != 0
    for code in ("ssj.E003", "ssj.E004", "ssj.E005", "ssj.E006"):
        assert code in result.stderr, result.stderr
    dev = _check(tmp_path)  # the development defaults are not deployable
    assert dev.returncode != 0 and "ssj.E001" in dev.stderr
