"""The organization register: own bureau writes (audited), others read; phones encrypted and masked."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import NotFoundError, PermissionDeniedError
from shuangsuiji.oversight import register
from shuangsuiji.oversight.models_reports import DutyAssignment, LeadingGroupMember, WorkEvent
from tests.conftest import World


def _member(world: World) -> LeadingGroupMember:
    return register.entry_save(actor=world.users["a_admin"], kind="members", data={
        "name": "尉迟培俊", "group_role": "leader", "position": "区卫生监督所所长", "phone": "13912345678",
        "email": "", "sort_order": 1, "is_active": True,
    })


def test_create_encrypts_and_audits(world: World) -> None:
    member = _member(world)
    assert member.owner == world.orgs["a"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM oversight_leadinggroupmember WHERE id = %s", [member.pk])
        assert cursor.fetchone()[0].startswith("enc1:")
    entry = AuditEntry.objects.get(event="register.members.create")
    assert "13912345678" not in str(entry.changes) and "139****5678" in str(entry.changes)


def test_only_own_program_admin_writes(world: World) -> None:
    member = _member(world)
    for user in ("a_leader", "city_admin", "a_staff"):
        with pytest.raises(PermissionDeniedError):
            register.entry_save(actor=world.users[user], kind="members", entry=member, data={"name": "x"})
    with pytest.raises(NotFoundError):
        register.entry_get(actor=world.users["b_admin"], kind="members", pk=member.pk)
    register.entry_delete(actor=world.users["a_admin"], kind="members", entry=member)
    assert not LeadingGroupMember.objects.exists()


def test_pages_mask_phones_for_readers(world: World) -> None:
    _member(world)
    own = world.client("a_admin").get("/oversight/register/").content.decode()
    assert "13912345678" in own and "尉迟培俊" in own
    city = world.client("city_supervisor").get(f"/oversight/register/?org={world.orgs['a'].pk}")
    assert city.status_code == 200
    html = city.content.decode()
    assert "139****5678" in html and "13912345678" not in html and "只读" in html
    leader = world.client("a_leader").get("/oversight/register/").content.decode()
    assert "139****5678" in leader and "13912345678" not in leader
    assert world.client("b_admin").get(f"/oversight/register/?org={world.orgs['a'].pk}").status_code == 404


def test_forms_create_edit_delete(world: World) -> None:
    client = world.client("a_admin")
    response = client.post("/oversight/register/events/new/", {
        "kind": "training", "title": "双随机业务培训班", "held_on": "2026-10-15", "document_number": "",
        "participants": "36", "content": "平台操作",
    })
    assert response.status_code == 302
    event = WorkEvent.objects.get()
    assert event.created_by == world.users["a_admin"] and event.held_on == datetime.date(2026, 10, 15)
    response = client.post("/oversight/register/duties/new/", {
        "year": "2026", "kind": "expert", "work_content": "公共场所、消毒产品", "section": "监督一科", "person": "刘亚军",
        "phone": "8970399", "email": "a@example.com", "sort_order": "1",
    })
    assert response.status_code == 302 and DutyAssignment.objects.get().person == "刘亚军"
    edit = client.post(f"/oversight/register/events/{event.pk}/edit/", {
        "kind": "training", "title": "双随机业务培训班（第二期）", "held_on": "2026-10-16", "participants": "40",
    })
    assert edit.status_code == 302 and WorkEvent.objects.get().participants == 40
    assert world.client("b_admin").post(f"/oversight/register/events/{event.pk}/delete/").status_code == 404
    assert world.client("city_supervisor").post(f"/oversight/register/events/{event.pk}/delete/").status_code == 403
    refused = world.client("a_leader").post("/oversight/register/events/new/", {
        "kind": "meeting", "title": "x", "held_on": "2026-10-15"})
    assert refused.status_code == 200 and WorkEvent.objects.count() == 1
    assert client.post(f"/oversight/register/events/{event.pk}/delete/").status_code == 302
    assert not WorkEvent.objects.exists()
    assert client.get("/oversight/register/nope/new/").status_code == 404


def test_dashboard_shows_the_leading_group(world: World) -> None:
    _member(world)
    html = world.client("a_leader").get("/oversight/dashboard/").content.decode()
    assert "尉迟培俊" in html and "区卫生监督所所长" in html and "13912345678" not in html
