"""验证本次抽取: downloads, CLI steps, server-side recomputation (一致 / 不一致 on tampering)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from django.test import Client

from shuangsuiji.core.draw.public import verify_membership_proof
from shuangsuiji.directory.models import Target
from shuangsuiji.draws import commitments
from shuangsuiji.draws.models import TargetDraw
from tests.disclosure.factories import Portal

pytestmark = pytest.mark.django_db


def verdict(draw: TargetDraw) -> str:
    html = Client().get(f"/gs/draws/{draw.pk}/verify/").content.decode()
    start = html.index('id="verdict">') + len('id="verdict">')
    return html[start : html.index("<", start)]


def test_consistent_draw_shows_yizhi_with_downloads_and_cli_steps(portal: Portal) -> None:
    draw = portal.draw
    assert verdict(draw) == "一致"
    html = Client().get(f"/gs/draws/{draw.pk}/verify/").content.decode()
    public_digest = commitments.draw_public_pool(draw).digest
    assert "ssj audit proof verify" in html and "--pool" in html and public_digest in html
    record = Client().get(f"/gs/draws/{draw.pk}/record.json")
    assert record.status_code == 200 and record.json()["pool"]["public_digest"] == public_digest
    assert record["X-Content-SHA256"] == hashlib.sha256(record.content).hexdigest()
    pool = Client().get(f"/gs/draws/{draw.pk}/pool.csv")
    assert pool.status_code == 200 and str(draw.pool_size + 1) == str(len(pool.content.decode().strip().splitlines()))


def test_tampered_stored_record_shows_buyizhi(portal: Portal) -> None:
    draw = portal.draw
    record = copy.deepcopy(draw.record)
    assert record is not None
    record["randomness"] = ["2026-03-01 福彩3D 9 9 9"]  # someone edits the stored record in the database
    TargetDraw.objects.filter(pk=draw.pk).update(record=record)
    assert verdict(draw) == "不一致"
    api = Client().get(f"/api/public/draws/{draw.pk}/verification").json()
    assert api["verdict"] == "不一致" and api["messages"]


def test_changed_drawn_targets_show_buyizhi(portal: Portal) -> None:
    draw = portal.draw
    selection = draw.selections.order_by("rank").first()
    assert selection is not None
    drawn_ids = draw.selections.values_list("target_id", flat=True)
    other = Target.objects.filter(owner=draw.owner).exclude(pk__in=drawn_ids).first()
    type(selection).objects.filter(pk=selection.pk).update(target=other)  # the list shown no longer matches
    assert verdict(draw) == "不一致"


def test_membership_proof_inclusion_and_non_inclusion_checkable_offline(portal: Portal, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shuangsuiji.cli.main import app

    draw = portal.draw
    member = draw.selections.select_related("target").first()
    assert member is not None
    html = Client().get(f"/gs/draws/{draw.pk}/verify/", {"id": member.target.uscc}).content.decode()
    assert "在本次抽取的对象池中" in html and "ssj audit proof verify" in html
    proof = Client().get(f"/gs/draws/{draw.pk}/proof.json", {"id": member.target.uscc})
    assert proof.status_code == 200 and proof.json()["present"] is True
    root = commitments.draw_public_pool(draw).digest
    assert verify_membership_proof(proof.json(), root).ok
    assert proof.json()["leaf"]["row"][4] != member.target.risk_class  # a commitment, not the class
    path = tmp_path / "proof.json"
    path.write_bytes(proof.content)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "proof", "verify", str(path), "--root", root])
    assert ok.exit_code == 0, ok.output

    outsider = "91130606MA0ZZZZZ9" + "0"
    api = Client().get(f"/api/public/draws/{draw.pk}/proof", {"id": outsider}).json()
    assert api["included"] is False and api["proof"]["present"] is False
    assert verify_membership_proof(api["proof"], root).ok
    path.write_text(json.dumps(api["proof"]), encoding="utf-8")
    assert runner.invoke(app, ["audit", "proof", "verify", str(path), "--root", root]).exit_code == 0
    # A proof does not hold against another digest (e.g. a pool swapped after publication).
    bad = runner.invoke(app, ["audit", "proof", "verify", str(path), "--root", "0" * 64])
    assert bad.exit_code != 0


def test_proof_available_while_pool_is_frozen(portal: Portal) -> None:
    draw = portal.frozen_draw
    code = draw.task.owner.target_set.first().code  # type: ignore[attr-defined]
    html = Client().get(f"/gs/draws/{draw.pk}/verify/", {"id": code}).content.decode()
    assert "在本次抽取的对象池中" in html and commitments.draw_public_pool(draw).digest in html
