"""验证本次抽取: downloads, CLI steps, server-side recomputation (一致 / 不一致 on tampering)."""

from __future__ import annotations

import copy
import hashlib

import pytest
from django.test import Client

from shuangsuiji.directory.models import Target
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
    assert "ssj draw verify" in html and "--pool" in html and "sha256sum" in html
    record = Client().get(f"/gs/draws/{draw.pk}/record.json")
    assert record.status_code == 200 and record.json()["record_digest"] == draw.record_digest
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
