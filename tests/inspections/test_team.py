"""Teams as the seeds staff them: 专家 drawn from the 专家库 for items that need one, 辅助检查人员 and 协助 members
指派 with the reason — shown on the 一企一表 and the 检查通知, never counted among the two 执法人员."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory.models import InspectorKind, Specialty
from shuangsuiji.draws.experts import expert_draw_run, expert_draw_verify
from shuangsuiji.draws.models import ExpertDrawStatus
from shuangsuiji.inspections.documents import notice_docx, record_pdf
from shuangsuiji.inspections.models import MemberRole, MemberSource, RecordMember
from shuangsuiji.inspections.services import notice_issue, record_submit_result, records_generate_for_task
from shuangsuiji.inspections.team import record_member_assign, record_member_remove
from tests.conftest import World
from tests.inspections.factories import entry_for, inspection_setup, make_inspector
from tests.pdf_tools import compact, pdf_text

pytestmark = pytest.mark.django_db


def _experts(world: World) -> list:
    medical = Specialty.objects.get(code="medical")
    made = []
    for name in ("专家甲", "专家乙", "专家丙"):
        expert = make_inspector(world, "a", name, kind=InspectorKind.EXPERT)
        expert.qualifications.set([medical])
        made.append(expert)
    return made


def _setup_with_expert_item(world: World):  # type: ignore[no-untyped-def]
    s = inspection_setup(world)
    medical_item = s.task.items.get(code="YL-a")
    medical_item.needs_expert = True
    medical_item.save()
    return s


def test_expert_draw_for_items_that_need_one(world: World) -> None:
    s = _setup_with_expert_item(world)
    experts = _experts(world)
    done = expert_draw_run(actor=world.users["a_admin"], task=s.task, randomness=["2026-11-20 开奖 05 11 23"],
                           randomness_source="2026年11月20日福利彩票开奖号码")
    selections = list(done.selections.select_related("drawn_target__target", "inspector"))
    # only the clinic has the 医疗 专业 of the item needing an expert; the hotel gets none
    assert [sel.drawn_target.target.name for sel in selections] == ["莲池区康宁诊所"]
    assert selections[0].inspector in experts and selections[0].eligible == 3
    assert expert_draw_verify(done).ok
    assert AuditEntry.objects.filter(event="expert_draw.run").count() == 1

    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    clinic_members = RecordMember.objects.filter(record__target=s.targets[1])
    expert_member = clinic_members.get(role=MemberRole.EXPERT)
    assert expert_member.source == MemberSource.EXPERT_DRAW and not expert_member.is_counted_officer
    assert not RecordMember.objects.filter(record__target=s.targets[0], role=MemberRole.EXPERT).exists()

    # a second draw needs a reason and supersedes the first; the pending record's team follows it
    with pytest.raises(ApplicationError, match="须写明原因"):
        expert_draw_run(actor=world.users["a_admin"], task=s.task, randomness=["x"], randomness_source="y")
    again = expert_draw_run(actor=world.users["a_admin"], task=s.task, randomness=["2026-11-21 开奖 01"],
                            randomness_source="次日开奖号码", reason="原抽中专家病休")
    done.refresh_from_db()
    assert done.status == ExpertDrawStatus.SUPERSEDED and again.previous == done
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    drawn_expert = again.selections.get().inspector
    assert list(RecordMember.objects.filter(record__target=s.targets[1], role=MemberRole.EXPERT)
                .values_list("inspector", flat=True)) == [drawn_expert.pk]


def test_expert_draw_refusals(world: World) -> None:
    s = inspection_setup(world)
    with pytest.raises(ApplicationError, match="需专家参与"):
        expert_draw_run(actor=world.users["a_admin"], task=s.task, randomness=["x"], randomness_source="y")
    s.task.items.filter(code="YL-a").update(needs_expert=True)
    with pytest.raises(PermissionDeniedError):
        expert_draw_run(actor=world.users["b_admin"], task=s.task, randomness=["x"], randomness_source="y")
    with pytest.raises(ApplicationError, match="公开随机数"):
        expert_draw_run(actor=world.users["a_admin"], task=s.task, randomness=[" "], randomness_source="y")
    # nobody in the 专家库: the shortfall is recorded with its reason (the bureau then 指派s one)
    done = expert_draw_run(actor=world.users["a_admin"], task=s.task, randomness=["x"], randomness_source="y")
    assert done.record["shortfalls"] and done.record["shortfalls"][0][2] == "专家库中没有该专业的专家"


def test_assist_and_helper_members_are_assigned_with_reason_and_not_counted(world: World) -> None:
    s = inspection_setup(world)
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    clinic = s.task.inspection_records.get(target=s.targets[1])
    # a 放射 specialist of the 监督所 (another unit than the drawn officers' bureau library entry)
    specialist = make_inspector(world, "a", "钱七")
    specialist.organization = world.orgs["a_institute"]
    specialist.save()
    helper = make_inspector(world, "a", "孙八", kind=InspectorKind.ASSISTANT)
    with pytest.raises(ApplicationError, match="写明原因"):
        record_member_assign(actor=world.users["a_admin"], record=clinic, inspector=specialist, role="assist", reason=" ")
    with pytest.raises(ApplicationError, match="辅助检查人员库"):
        record_member_assign(actor=world.users["a_admin"], record=clinic, inspector=specialist, role="helper", reason="r")
    with pytest.raises(PermissionDeniedError):
        record_member_assign(actor=world.users["b_admin"], record=clinic, inspector=specialist, role="assist", reason="r")
    assist = record_member_assign(
        actor=world.users["a_admin"], record=clinic, inspector=specialist, role="assist",
        reason="抽中的执法人员不具备放射诊疗专业检查能力",
    )
    assert assist.source == MemberSource.ASSIGNED and assist.sent_by == world.orgs["a_institute"]
    assert assist.source_text == "指派（派出单位：莲池区卫生监督所；原因：抽中的执法人员不具备放射诊疗专业检查能力）"
    assert not assist.is_counted_officer  # an officer with a licence, but 指派: not one of the two
    record_member_assign(actor=world.users["a_admin"], record=clinic, inspector=helper, role="helper", reason="协助采样")
    assert AuditEntry.objects.filter(event="inspection.member_assign").count() == 2

    # re-generation keeps the 指派 members
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    assert clinic.members.filter(source=MemberSource.ASSIGNED).count() == 2

    # one drawn officer absent + the 协助 officer present: still fewer than two counted officers
    wang = clinic.members.get(name="王五")
    present = [m.pk for m in clinic.members.all() if m.pk != wang.pk]
    with pytest.raises(ApplicationError, match="指派的协助人员不计入"):
        record_submit_result(actor=world.users["a_admin"], record=clinic,
                             entry=entry_for(clinic, present_member_ids=present))

    # printed as 指派 with the reason on the 一企一表 and the 检查通知 (PDF and Word)
    flat = compact(pdf_text(record_pdf(clinic)))
    assert "协助" in flat and compact("指派（派出单位：莲池区卫生监督所") in flat and "辅助检查" in flat
    clinic.methods = ["on_site", "testing"]
    clinic.save()
    notice = notice_issue(actor=world.users["a_admin"], record=clinic, method="testing")
    text = "\n".join(p.text for p in Document(io.BytesIO(notice_docx(notice))).paragraphs)
    assert "钱七" in text and "协助，指派（派出单位：莲池区卫生监督所；原因：抽中的执法人员不具备放射诊疗专业检查能力）" in text
    assert "王五" in text and "随机匹配" in text

    with pytest.raises(ApplicationError, match="不能直接移出"):
        record_member_remove(actor=world.users["a_admin"], member=wang, reason="x")
    record_member_remove(actor=world.users["a_admin"], member=assist, reason="改派他人")
    assert not clinic.members.filter(pk=assist.pk).exists()


def test_team_pages_and_api(world: World) -> None:
    s = inspection_setup(world)
    s.task.items.filter(code="YL-a").update(needs_expert=True)
    _experts(world)
    records_generate_for_task(actor=world.users["a_admin"], task=s.task)
    clinic = s.task.inspection_records.get(target=s.targets[1])
    specialist = make_inspector(world, "a", "钱七")
    client = world.client("a_admin")

    page = client.get(f"/inspections/records/{clinic.pk}/")
    assert page.status_code == 200 and "指派到检查组" in page.content.decode()
    reply = client.post(f"/inspections/records/{clinic.pk}/members/", {
        "role": "assist", "inspector": specialist.pk, "sent_by": world.orgs["a_institute"].pk, "reason": "放射专业",
    })
    assert reply.status_code == 302
    page = client.get(f"/inspections/records/{clinic.pk}/").content.decode()
    assert "派出单位：莲池区卫生监督所；原因：放射专业" in page

    api = client.get(f"/api/inspections/records/{clinic.pk}/members").json()
    assert {m["name"]: m["counts_as_officer"] for m in api} == {"王五": True, "赵六": True, "钱七": False}
    helper = make_inspector(world, "a", "孙八", kind=InspectorKind.ASSISTANT)
    created = client.post(f"/api/inspections/records/{clinic.pk}/members",
                          {"inspector_id": helper.pk, "role": "helper", "reason": "采样辅助"},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["source_text"] == "指派（原因：采样辅助）"
    bad = client.post(f"/api/inspections/records/{clinic.pk}/members",
                      {"inspector_id": helper.pk, "role": "leader", "reason": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "只能是" in bad.json()["detail"]
    outsider = world.client("b_admin").get(f"/api/inspections/records/{clinic.pk}/members")
    assert outsider.status_code == 404

    # expert draw through the page and the API
    page = client.get(f"/draws/tasks/{s.task.pk}/experts/")
    assert page.status_code == 200 and "医疗机构/医疗卫生" in page.content.decode()
    reply = client.post(f"/draws/tasks/{s.task.pk}/experts/",
                        {"randomness": "2026-11-20 开奖 05 11 23", "randomness_source": "福彩开奖"})
    assert reply.status_code == 302
    detail = client.get(reply["Location"]).content.decode()
    assert "一致" in detail and "莲池区康宁诊所" in detail
    pk = int(reply["Location"].rstrip("/").split("/")[-1])
    out = client.get(f"/api/draws/expert-draws/{pk}").json()
    assert out["verdict"] == "一致" and len(out["selections"]) == 1
    record = json.loads(client.get(f"/draws/experts/{pk}/record.json").content)
    assert record["record_digest"] == out["record_digest"]
    again = client.post(f"/api/draws/tasks/{s.task.pk}/expert-draws",
                        {"randomness": ["y"], "randomness_source": "z"}, content_type="application/json")
    assert again.status_code == 400 and "原因" in again.json()["detail"]
    assert world.client("b_admin").get(f"/api/draws/expert-draws/{pk}").status_code == 404
