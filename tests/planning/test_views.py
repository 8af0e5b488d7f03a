"""The planning pages, walked through as the users of each role would."""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from shuangsuiji.planning.models import AnnualPlan, JointPlan, NationalTask, PlanStatus, Task, TaskState
from tests.conftest import World
from tests.planning.conftest import make_published_plan, make_task
from tests.planning.test_joint_and_national import GOOD, xlsx

RATIO_POST = {"A": "1", "B": "2", "C": "10", "D": "30"}


def _post(client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    response = client.post(url, data or {})
    assert response.status_code == 302, (url, response.status_code)
    return response


def test_plan_through_pages(pw: World) -> None:
    admin = pw.client("a_admin")
    response = _post(admin, "/planning/plans/new/", {"year": 2026, "title": "2026年度抽查计划", "overall_goal_percent": "3"})
    plan = AnnualPlan.objects.get()
    assert response["Location"] == f"/planning/plans/{plan.pk}/lines/"
    page = admin.get(f"/planning/plans/{plan.pk}/lines/")
    assert "一键纳入全部未处理事项" in page.content.decode()
    line_data = {"line-item": pw.items["a"].pk, "line-frequency": "每年1次", "line-months": ["4", "5"],
                 **{f"line-ratio_{k}": v for k, v in RATIO_POST.items()}}
    _post(admin, f"/planning/plans/{plan.pk}/lines/", line_data)
    assert plan.lines.count() == 1
    # submit is refused while YL-a is neither covered nor explained: the message names it
    _post(admin, f"/planning/plans/{plan.pk}/do/submit/")
    page = admin.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "对医疗机构依法执业的监督检查" in page and "既未纳入计划" in page
    _post(admin, f"/planning/plans/{plan.pk}/uncovered/", {"unc-item": pw.items["a2"].pk, "unc-reason": "已纳入国家监督抽检"})
    # below the 3% floor: the page warns and asks for a justification; without one nothing changes
    page = admin.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "低于最低抽查比例 3%" in page and 'name="justification"' in page
    _post(admin, f"/planning/plans/{plan.pk}/do/submit/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    _post(admin, f"/planning/plans/{plan.pk}/do/submit/", {"justification": "辖区仅一户，按实际安排"})
    assert "辖区仅一户，按实际安排" in admin.get(f"/planning/plans/{plan.pk}/").content.decode()
    # a 科室 user without the 政策法规 role sees no review button and is refused
    staff = pw.client("a_staff")
    assert "合法性审查通过" not in staff.get(f"/planning/plans/{plan.pk}/").content.decode()
    _post(staff, f"/planning/plans/{plan.pk}/do/review/")
    assert "政策法规" in staff.get(f"/planning/plans/{plan.pk}/").content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    legal = pw.client("a_legal")
    assert "合法性审查通过" in legal.get(f"/planning/plans/{plan.pk}/").content.decode()
    _post(legal, f"/planning/plans/{plan.pk}/do/review/", {"comment": "合法"})
    _post(pw.client("a_leader"), f"/planning/plans/{plan.pk}/do/approve/", {"comment": "同意"})
    _post(admin, f"/planning/plans/{plan.pk}/do/file/")
    _post(admin, f"/planning/plans/{plan.pk}/do/publish/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    # the city sees the filed plan
    assert pw.client("city_admin").get(f"/planning/plans/{plan.pk}/").status_code == 200
    # adjustment through the page, then the history shows the diff
    _post(admin, f"/planning/plans/{plan.pk}/do/adjust/", {"comment": "新增专项"})
    v2 = AnnualPlan.objects.get(version=2)
    _post(admin, f"/planning/plans/{v2.pk}/lines/", {**line_data, "line-ratio_D": "60"})
    history = admin.get(f"/planning/plans/{v2.pk}/history/").content.decode()
    assert "新增专项" in history and "D 60" in history and "<del>" in history


def test_task_and_scheme_through_pages(pw: World) -> None:
    plan = make_published_plan(pw)
    admin = pw.client("a_admin")
    line = plan.lines.get(item=pw.items["a"])
    form = admin.get(f"/planning/tasks/new/?line={line.pk}").content.decode()
    assert "公共场所卫生的监督检查随机抽查" in form
    data = {"title": "公共场所抽查", "items": [pw.items["a"].pk], "methods": ["on_site"], "team_size": 2,
            "max_targets_per_inspector": 8, "floor_percent": "0", "min_per_stratum": 1, "exclusion_months": 0,
            "window_start": "2026-04-01", "window_end": "2026-06-30", **{f"ratio_{k}": v for k, v in RATIO_POST.items()}}
    _post(admin, f"/planning/tasks/new/?line={line.pk}", data)
    task = Task.objects.get()
    page = admin.get(f"/planning/tasks/{task.pk}/").content.decode()
    for label in ("起草", "方案已公布", "已抽取对象", "已匹配人员", "检查中", "已完成", "已公示"):
        assert label in page
    _post(admin, f"/planning/tasks/{task.pk}/scheme/generate/")
    edit = admin.get(f"/planning/tasks/{task.pk}/scheme/").content.decode()
    assert "一、工作目的" in edit
    scheme = task.scheme
    _post(admin, f"/planning/tasks/{task.pk}/scheme/", {"title": scheme.title, "document_number": "莲卫监〔2026〕5号",
                                                        "body": scheme.body + "\n十、其他\n本方案自公布之日起施行。"})
    _post(pw.client("a_leader"), f"/planning/tasks/{task.pk}/scheme/do/approve/")
    _post(admin, f"/planning/tasks/{task.pk}/scheme/do/publish/")
    task.refresh_from_db()
    assert task.state == TaskState.SCHEME_PUBLISHED
    word = admin.get(f"/planning/tasks/{task.pk}/scheme.docx")
    assert word.status_code == 200 and "attachment" in word["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert scheme.title in text and "莲卫监〔2026〕5号" in text and "本方案自公布之日起施行。" in text
    pdf = admin.get(f"/planning/tasks/{task.pk}/scheme.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # an illegal transition from the page gives a Chinese message, not a 500
    _post(admin, f"/planning/tasks/{task.pk}/transition/", {"to_state": "completed"})
    assert "不能变更为" in admin.get(f"/planning/tasks/{task.pk}/").content.decode()
    assert pw.client("b_admin").get(f"/planning/tasks/{task.pk}/scheme.pdf").status_code == 404


def test_joint_plan_through_pages(pw: World) -> None:
    admin = pw.client("a_admin")
    _post(admin, "/planning/joint/new/", {
        "title": "联合抽查", "year": 2026, "target_scope": "娱乐场所", "ratio_percent": "5",
        "window_start": "2026-04-01", "window_end": "2026-06-30",
        "participants": [pw.orgs["a_culture"].pk, pw.orgs["a_medins"].pk], "owner_items": [pw.items["a"].pk],
    })
    joint = JointPlan.objects.get()
    _post(admin, f"/planning/joint/{joint.pk}/do/send/")
    culture = joint.participants.get(organization=pw.orgs["a_culture"])
    # the health bureau's admin gets no confirm form for 文广旅局 and is refused
    assert f"/participants/{culture.pk}/confirm/" not in admin.get(f"/planning/joint/{joint.pk}/").content.decode()
    _post(admin, f"/planning/joint/participants/{culture.pk}/confirm/", {"item_titles": "x"})
    culture.refresh_from_db()
    assert culture.confirmed_at is None
    culture_client = pw.client("a_culture")
    assert f"/participants/{culture.pk}/confirm/" in culture_client.get(f"/planning/joint/{joint.pk}/").content.decode()
    _post(culture_client, f"/planning/joint/participants/{culture.pk}/confirm/", {"item_titles": "娱乐场所检查"})
    medins = joint.participants.get(organization=pw.orgs["a_medins"])
    _post(pw.client("a_medins"), f"/planning/joint/participants/{medins.pk}/confirm/", {"item_titles": "定点医药机构检查"})
    _post(admin, f"/planning/joint/{joint.pk}/do/publish/")
    joint.refresh_from_db()
    assert joint.status == "published"
    assert admin.get(f"/planning/tasks/new/?joint={joint.pk}").status_code == 200


def test_national_import_page_shows_row_errors(pw: World) -> None:
    admin = pw.client("a_admin")
    bad = [[*GOOD[0][:5], "abc", GOOD[0][6]]]
    page = admin.post("/planning/national/import/", {"file": _upload(xlsx(bad))}).content.decode()
    assert "第2行" in page and "比例" in page and NationalTask.objects.count() == 0
    _post(admin, "/planning/national/import/", {"file": _upload(xlsx(GOOD))})
    assert NationalTask.objects.count() == 2
    national = NationalTask.objects.get(code="GJ2026-01")
    _post(admin, f"/planning/national/{national.pk}/claim/")
    task = Task.objects.get(national_task=national)
    edit = admin.get(f"/planning/tasks/{task.pk}/edit/").content.decode()
    assert "由上级确定，不可修改" in edit


def _upload(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("tasks.xlsx", content)


def test_lists_do_not_grow_queries_with_rows(pw: World, django_assert_max_num_queries: Any) -> None:
    make_task(pw)
    admin = pw.client("a_admin")
    for url in ("/planning/plans/", "/planning/tasks/", "/planning/joint/", "/planning/national/"):
        with django_assert_max_num_queries(12):
            assert admin.get(url).status_code == 200
