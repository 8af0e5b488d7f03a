"""透明日志 on the portal: signed tree heads, inclusion proof of a draw's record, consistency proofs, the public
draw files checkable offline, the auditors' bundle (in scope only), breadcrumbs and the staff link."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from shuangsuiji.audit import transparency
from shuangsuiji.cli.main import app
from shuangsuiji.disclosure import commitments
from tests.disclosure.factories import Portal

pytestmark = pytest.mark.django_db


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, ["audit", "proof", "verify", *args])


def _save(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_transparency_page_shows_latest_head_history_and_consistency(portal: Portal, tmp_path: Path) -> None:
    first = transparency.tree_head_sign()
    transparency.transparency_append(kind="test", ref="x", digest="ab" * 32)
    latest = transparency.tree_head_sign()
    html = Client().get("/gs/transparency/").content.decode()
    for value in (latest.root_hash, latest.signature, transparency.public_key_b64(), transparency.key_id(),
                  first.root_hash, str(latest.tree_size)):
        assert value in html
    assert 'class="verdict-ok"' in html.replace("mt-3 verdict-ok", "verdict-ok") and "一致" in html
    assert '<nav aria-label="当前位置"' in html and "透明日志" in html
    head = Client().get("/gs/transparency/head.json")
    assert head.status_code == 200 and head.json()["root_hash"] == latest.root_hash
    key = transparency.public_key_b64()
    assert _cli(_save(tmp_path, "head.json", head.content), "--public-key", key).exit_code == 0
    consistency = Client().get("/gs/transparency/consistency.json", {"from": first.pk, "to": latest.pk})
    data = consistency.json()
    assert data["old_size"] == first.tree_size and data["new_size"] == latest.tree_size
    path = _save(tmp_path, "consistency.json", consistency.content)
    assert _cli(path, "--public-key", key).exit_code == 0
    data["new_head"]["root_hash"] = "00" * 32  # a rewritten history does not verify
    forged = _cli(_save(tmp_path, "forged.json", json.dumps(data).encode()), "--public-key", key)
    assert forged.exit_code == 1
    other_key = "A" * 43 + "="
    assert _cli(path, "--public-key", other_key).exit_code == 1


def test_draw_verify_page_has_inclusion_proof_checkable_offline(portal: Portal, tmp_path: Path) -> None:
    draw = portal.draw
    html = Client().get(f"/gs/draws/{draw.pk}/verify/").content.decode()
    assert "将收录在下一个每日签名树头中" in html  # registered at confirmation, no head yet
    assert Client().get(f"/gs/draws/{draw.pk}/inclusion.json").status_code == 404
    head = transparency.tree_head_sign()
    html = Client().get(f"/gs/draws/{draw.pk}/verify/").content.decode()
    leaf = commitments.draw_leaf(draw)
    assert leaf is not None and head.root_hash in html and leaf.digest in html
    proof = Client().get(f"/gs/draws/{draw.pk}/inclusion.json")
    assert proof.status_code == 200 and proof.json()["digest"] == leaf.digest
    ok = _cli(_save(tmp_path, "inclusion.json", proof.content), "--public-key", transparency.public_key_b64())
    assert ok.exit_code == 0, ok.output
    bad = proof.json()
    bad["leaf_data"] = bad["leaf_data"].replace(leaf.digest, "0" * 64)
    assert _cli(_save(tmp_path, "bad.json", json.dumps(bad).encode())).exit_code == 1


def test_public_record_and_pool_verify_offline_and_match_the_log(portal: Portal, tmp_path: Path) -> None:
    draw = portal.draw
    record = Client().get(f"/gs/draws/{draw.pk}/record.json")
    pool = Client().get(f"/gs/draws/{draw.pk}/pool.csv")
    record_path = _save(tmp_path, "record.json", record.content)
    pool_path = _save(tmp_path, "pool.csv", pool.content)
    result = _cli(record_path, "--pool", pool_path)
    assert result.exit_code == 0, result.output
    assert record.json()["public_record_digest"] == commitments.draw_leaf(draw).digest  # type: ignore[union-attr]
    lines = pool.content.decode().splitlines()
    lines[1] = lines[1][:-1] + ("0" if lines[1][-1] != "0" else "1")  # change one commitment
    assert _cli(record_path, "--pool", _save(tmp_path, "pool2.csv", "\n".join(lines).encode())).exit_code == 1


def test_audit_bundle_only_in_scope_and_recomputes_offline(portal: Portal, tmp_path: Path) -> None:
    draw = portal.draw
    url = f"/disclosure/draws/{draw.pk}/audit-bundle.json"
    anonymous = Client().get(url)
    assert anonymous.status_code in (302, 401, 403)
    assert portal.world.client("b_admin").get(url).status_code == 404
    for user in ("a_admin", "city_supervisor"):
        response = portal.world.client(user).get(url)
        assert response.status_code == 200, user
    bundle = response.json()
    assert bundle["full_record"]["strata"] and bundle["salt"]
    assert bundle["public_record"] == json.loads(Client().get(f"/gs/draws/{draw.pk}/record.json").content)
    ok = _cli(_save(tmp_path, "bundle.json", response.content))
    assert ok.exit_code == 0, ok.output
    stratum = next(s for s in bundle["full_record"]["strata"] if s["selected"])  # A类 may be all 非请勿扰
    stratum["selected"][0]["id"] = "91130606MA0ZZZZZ90"
    assert _cli(_save(tmp_path, "bundle2.json", json.dumps(bundle).encode())).exit_code == 1


def test_breadcrumbs_and_staff_link(portal: Portal) -> None:
    pages = ["/gs/items/", "/gs/plans/", "/gs/tasks/", f"/gs/tasks/{portal.task.pk}/", f"/gs/draws/{portal.draw.pk}/",
             f"/gs/draws/{portal.draw.pk}/verify/", "/gs/results/", f"/gs/results/{portal.results[0].pk}/",
             "/gs/data/", "/gs/transparency/", f"/gs/plans/{portal.plan_v2.pk}/", f"/gs/items/{portal.item.pk}/"]
    for url in pages:
        response = Client().get(url)
        html = response.content.decode()
        assert '<nav aria-label="当前位置"' in html and 'aria-current="page"' in html, url
        assert "返回工作平台" not in html and not response.get("Cache-Control", "").startswith("private"), url
    assert '<nav aria-label="当前位置"' not in Client().get("/gs/").content.decode()
    staff = portal.world.client("a_admin").get(f"/gs/draws/{portal.draw.pk}/verify/")
    html = staff.content.decode()
    assert "返回工作平台" in html and "audit-bundle.json" in html and staff["Cache-Control"].startswith("private")
    assert "audit-bundle.json" not in Client().get(f"/gs/draws/{portal.draw.pk}/verify/").content.decode()


def test_daily_tree_head_job_is_scheduled() -> None:
    from huey.contrib.djhuey import HUEY

    from shuangsuiji.audit import tasks

    periodic = [t for t in HUEY._registry.periodic_tasks if type(t) is tasks.daily_tree_head.task_class]
    assert len(periodic) == 1
    assert periodic[0].validate_datetime(datetime.datetime(2026, 11, 25, 0, 10))  # daily at 00:10
    assert not periodic[0].validate_datetime(datetime.datetime(2026, 11, 25, 12, 10))
    tasks.daily_tree_head.call_local()
    assert transparency.latest_tree_head() is not None
