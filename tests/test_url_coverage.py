"""Every page and API endpoint must have an access check here: a new URL without one fails this test.

For each URL name we say how to build it for county A's objects; the test then checks
anonymous → login/401, another county → 404 (or 403 for scope-less pages), and the owner → 2xx/3xx.
Pages for one role name their user in RIGHT_USER (default a_admin) and a refused user in WRONG_ROLE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import World
from tests.directory import flag_url_builders as fb
from tests.draws.factories import sample_match, sample_redraw_request
from tests.inspections import team_url_builders as tb
from tests.inspections import url_builders as ib
from tests.oversight import report_url_builders as rb
from tests.planning import url_builders as pb

UrlBuilder = Callable[[World], str]


def _oversight(w: World) -> dict[str, Any]:
    """County A's overdue deadline with its 督办, 问责 and a notification to a_admin (tests/deadlines)."""
    from tests.deadlines.factories import oversight_objects

    return oversight_objects(w)

# url name → (builder, scoped): scoped pages must answer 404 to another county's user.
PAGES: dict[str, tuple[UrlBuilder, bool]] = {
    "home": (lambda w: "/", False),
    "stats": (lambda w: "/stats/", False),
    "directory:item_list": (lambda w: "/directory/items/", False),
    "directory:item_create": (lambda w: "/directory/items/new/", False),
    "directory:item_detail": (lambda w: f"/directory/items/{w.items['a'].pk}/", True),
    "directory:item_edit": (lambda w: f"/directory/items/{w.items['a'].pk}/edit/", True),
    "directory:target_list": (lambda w: "/directory/targets/", False),
    "directory:target_create": (lambda w: "/directory/targets/new/", False),
    "directory:target_detail": (lambda w: f"/directory/targets/{w.targets['a'].pk}/", True),
    "directory:target_edit": (lambda w: f"/directory/targets/{w.targets['a'].pk}/edit/", True),
    "directory:inspector_list": (lambda w: "/directory/inspectors/", False),
    "directory:inspector_create": (lambda w: "/directory/inspectors/new/", False),
    "directory:inspector_detail": (lambda w: f"/directory/inspectors/{w.inspectors['a'].pk}/", True),
    "directory:inspector_edit": (lambda w: f"/directory/inspectors/{w.inspectors['a'].pk}/edit/", True),
    "directory:export": (lambda w: "/directory/targets/export/", False),
    "directory:import": (lambda w: "/directory/targets/import/", False),
    "directory:import_template": (lambda w: "/directory/targets/template.xlsx", False),
    "directory:import_list": (lambda w: "/directory/imports/", False),
    "directory:item_review_list": (lambda w: "/directory/item-reviews/", False),
    "directory:flag_create": (lambda w: f"/directory/targets/{w.targets['a'].pk}/flags/new/", True),
    "directory:flag_end": (lambda w: f"/directory/flags/{fb.flag_record(w).pk}/end/", True),
    "directory:flag_withdraw": (lambda w: f"/directory/flags/{fb.flag_record(w).pk}/withdraw/", True),
    "directory:flag_list_list": (lambda w: "/directory/flag-lists/", False),
    "directory:flag_list_import": (lambda w: "/directory/flag-lists/import/", False),
    "directory:flag_list_template": (lambda w: "/directory/flag-lists/template.csv", False),
    "directory:flag_list_detail": (lambda w: f"/directory/flag-lists/{fb.flag_list(w).pk}/", True),
    "directory:flag_list_unmatched": (lambda w: f"/directory/flag-lists/{fb.flag_list(w).pk}/unmatched.csv", True),
    "directory:item_review_detail": (lambda w: f"/directory/item-reviews/{_item_review(w).pk}/", True),
    "disclosure_staff:deadlines": (lambda w: "/disclosure/deadlines/", False),
    "disclosure_staff:national_export": (lambda w: "/disclosure/national-export/", False),
    "supervision:campaign_list": (lambda w: "/supervision/", False),
    "supervision:campaign_create": (lambda w: "/supervision/new/", False),
    "supervision:campaign_detail": (lambda w: f"/supervision/{_campaign(w).pk}/", True),
    "supervision:notice_file": (lambda w: f"/supervision/{_campaign(w).pk}/notice.pdf", True),
    "supervision:part_detail": (lambda w: f"/supervision/parts/{_campaign(w).parts.get(bureau=w.orgs['a']).pk}/", True),
    "oversight:task_archive": (lambda w: f"/oversight/tasks/{_archive(w).task_id}/archive/", True),
    "oversight:task_summary_file": (lambda w: f"/oversight/tasks/{_archive(w).task_id}/summary.pdf", True),
    "oversight:task_archive_download": (lambda w: f"/oversight/archives/{_archive(w).pk}/download/", True),
    "oversight:task_archive_summary": (lambda w: f"/oversight/archives/{_archive(w).pk}/summary.pdf", True),
    "disclosure_staff:task_publish": (lambda w: f"/disclosure/tasks/{_portal(w).task.pk}/publish/", True),
    "draws:index": (lambda w: "/draws/", False),
    "draws:task_draw": (lambda w: f"/draws/tasks/{sample_match(w).task_id}/", True),
    "draws:draw_detail": (lambda w: f"/draws/{sample_match(w).draw_id}/", True),
    "draws:draw_record": (lambda w: f"/draws/{sample_match(w).draw_id}/record.json", True),
    "draws:draw_pool": (lambda w: f"/draws/{sample_match(w).draw_id}/pool.csv", True),
    "draws:draw_verify": (lambda w: f"/draws/{sample_match(w).draw_id}/verify/", True),
    "draws:match_detail": (lambda w: f"/draws/matches/{sample_match(w).pk}/", True),
    "draws:match_record": (lambda w: f"/draws/matches/{sample_match(w).pk}/record.json", True),
    "draws:match_inputs": (lambda w: f"/draws/matches/{sample_match(w).pk}/inputs.zip", True),
    "draws:match_verify": (lambda w: f"/draws/matches/{sample_match(w).pk}/verify/", True),
    "planning:plan_list": (lambda w: "/planning/plans/", False),
    "planning:draw_rules": (lambda w: "/planning/rules/", False),
    "planning:plan_rules": (lambda w: f"/planning/plans/{pb.plan(w).pk}/rules/", True),
    "planning:plan_create": (lambda w: "/planning/plans/new/", False),
    "planning:plan_detail": (lambda w: f"/planning/plans/{pb.plan(w).pk}/", True),
    "planning:plan_lines": (lambda w: f"/planning/plans/{pb.plan(w).pk}/lines/", True),
    "planning:plan_history": (lambda w: f"/planning/plans/{pb.plan(w).pk}/history/", True),
    "planning:joint_list": (lambda w: "/planning/joint/", False),
    "planning:joint_create": (lambda w: "/planning/joint/new/", False),
    "planning:joint_detail": (lambda w: f"/planning/joint/{pb.joint(w).pk}/", True),
    "planning:joint_edit": (lambda w: f"/planning/joint/{pb.joint(w).pk}/edit/", True),
    "planning:joint_history": (lambda w: f"/planning/joint/{pb.joint(w).pk}/history/", True),
    "planning:national_list": (lambda w: "/planning/national/", False),
    "planning:national_import": (lambda w: "/planning/national/import/", False),
    "planning:task_list": (lambda w: "/planning/tasks/", False),
    "planning:task_create": (lambda w: f"/planning/tasks/new/?line={pb.line(w).pk}", True),
    "planning:task_detail": (lambda w: f"/planning/tasks/{pb.task(w).pk}/", True),
    "planning:task_edit": (lambda w: f"/planning/tasks/{pb.task(w).pk}/edit/", True),
    "planning:scheme_edit": (lambda w: f"/planning/tasks/{pb.task_with_scheme(w).pk}/scheme/", True),
    "planning:scheme_download": (lambda w: f"/planning/tasks/{pb.task_with_scheme(w).pk}/scheme.pdf", True),
    "deadlines:deadline_list": (lambda w: "/oversight/", False),
    "deadlines:deadline_export": (lambda w: "/oversight/deadlines.xlsx", False),
    "deadlines:deadline_detail": (lambda w: f"/oversight/deadlines/{_oversight(w)['deadline'].pk}/", True),
    "deadlines:notification_list": (lambda w: "/oversight/notifications/", False),
    "deadlines:notification_open": (
        lambda w: f"/oversight/notifications/{_oversight(w)['notification'].pk}/", True
    ),
    "deadlines:supervision_list": (lambda w: "/oversight/supervisions/", False),
    "deadlines:supervision_export": (lambda w: "/oversight/supervisions/export.xlsx", False),
    "deadlines:supervision_detail": (lambda w: f"/oversight/supervisions/{_oversight(w)['supervision'].pk}/", True),
    "deadlines:accountability_list": (lambda w: "/oversight/accountability/", False),
    "deadlines:accountability_export": (lambda w: "/oversight/accountability/export.xlsx", False),
    "deadlines:accountability_detail": (
        lambda w: f"/oversight/accountability/{_oversight(w)['accountability'].pk}/", True
    ),
    "deadlines:calendar": (lambda w: "/oversight/calendar/", False),
    "deadlines:calendar_year": (lambda w: "/oversight/calendar/2026/", False),
    "deadlines:calendar_export": (lambda w: "/oversight/calendar/2026/notice.csv", False),
    "deadlines:calendar_import": (lambda w: "/oversight/calendar/import/", False),
    "oversight:dashboard": (lambda w: "/oversight/dashboard/", False),
    "oversight:dashboard_drill": (lambda w: f"/oversight/dashboard/drill/drawn/?org={w.orgs['a'].pk}", True),
    "oversight:dashboard_export": (lambda w: "/oversight/dashboard/specialty.xlsx", False),
    "oversight:dashboard_drill_export": (
        lambda w: f"/oversight/dashboard/drill/drawn.xlsx?org={w.orgs['a'].pk}", True
    ),
    "oversight:statistics": (lambda w: "/oversight/statistics/?table=month", False),
    "oversight:statistics_export": (lambda w: "/oversight/statistics/specialty.xlsx", False),
    "oversight:register": (lambda w: "/oversight/register/", False),
    "oversight:register_create": (lambda w: "/oversight/register/events/new/", False),
    "oversight:register_edit": (lambda w: f"/oversight/register/members/{rb.member(w).pk}/edit/", True),
    "oversight:report_list": (lambda w: "/oversight/reports/", False),
    "oversight:monthly_detail": (lambda w: f"/oversight/reports/monthly/{rb.monthly(w).pk}/", True),
    "oversight:monthly_xlsx": (lambda w: f"/oversight/reports/monthly/{rb.monthly(w).pk}/report.xlsx", True),
    "oversight:monthly_pdf": (lambda w: f"/oversight/reports/monthly/{rb.monthly(w).pk}/report.pdf", True),
    "oversight:period_detail": (lambda w: f"/oversight/reports/period/{rb.period(w).pk}/", True),
    "oversight:period_docx": (lambda w: f"/oversight/reports/period/{rb.period(w).pk}/report.docx", True),
    "oversight:period_pdf": (lambda w: f"/oversight/reports/period/{rb.period(w).pk}/report.pdf", True),
    "inspections:record_list": (lambda w: "/inspections/", False),
    "inspections:task_list": (lambda w: "/inspections/tasks/", False),
    "inspections:task_records": (lambda w: f"/inspections/tasks/{ib.task(w).pk}/", True),
    "inspections:review_queue": (lambda w: "/inspections/review/", False),
    "inspections:record_detail": (lambda w: f"/inspections/records/{ib.record(w).pk}/", True),
    "inspections:record_entry": (lambda w: f"/inspections/records/{ib.record(w).pk}/entry/", True),
    "inspections:record_pdf": (lambda w: f"/inspections/records/{ib.record(w).pk}/form.pdf", True),
    "inspections:record_docx": (lambda w: f"/inspections/records/{ib.record(w).pk}/form.docx", True),
    "inspections:notice_pdf": (lambda w: f"/inspections/notices/{ib.notice(w).pk}/notice.pdf", True),
    "inspections:notice_docx": (lambda w: f"/inspections/notices/{ib.notice(w).pk}/notice.docx", True),
    "draws:task_experts": (lambda w: f"/draws/tasks/{ib.task(w).pk}/experts/", True),
    "planning:nonrandom_create": (lambda w: "/planning/tasks/nonrandom/new/", False),
    "inspections:nonrandom_team": (lambda w: f"/inspections/tasks/{tb.nonrandom_task(w).pk}/nonrandom/", True),
    "draws:expert_draw_detail": (lambda w: f"/draws/experts/{tb.expert_draw(w).pk}/", True),
    "draws:expert_draw_record": (lambda w: f"/draws/experts/{tb.expert_draw(w).pk}/record.json", True),
    "inspections:evidence_file": (lambda w: f"/inspections/evidence/{ib.evidence(w).pk}/", True),
    "inspections:case_list": (lambda w: "/inspections/cases/", False),
    "inspections:case_export": (lambda w: "/inspections/cases/export.xlsx", False),
    "inspections:case_detail": (lambda w: f"/inspections/cases/{ib.case(w).pk}/", True),
    "inspections:target_history": (lambda w: f"/inspections/targets/{ib.record(w).target_id}/", True),
    "inspections:settings": (lambda w: "/inspections/settings/", False),
    "accounts:password_change": (lambda w: "/accounts/password/change/", False),
    "accounts:otp_setup": (lambda w: "/accounts/2fa/setup/", False),
    "accounts:otp_verify": (lambda w: "/accounts/2fa/verify/", False),
    "accounts:account_list": (lambda w: "/accounts/security/users/", False),
    "audit:entry_list": (lambda w: "/audit/", False),
    "audit:verify": (lambda w: "/audit/verify/", False),
}
# Who gets 2xx on a page or action when it is not the program administrator (三权分立 pages).
RIGHT_USER: dict[str, str] = {
    "accounts:account_list": "a_security",
    "accounts:account_action": "a_security",
    "audit:entry_list": "a_auditor",
    "audit:verify": "a_auditor",
}
# A same-county user whose role must be refused (403).
WRONG_ROLE: dict[str, str] = {
    "accounts:account_list": "a_sysadmin",
    "accounts:account_action": "a_auditor",
    "audit:entry_list": "a_sysadmin",
    "audit:verify": "a_security",
    "oversight:dashboard": "a_inspector",
    "oversight:statistics_export": "a_inspector",
    "oversight:dashboard_export": "a_inspector",
    "oversight:dashboard_drill_export": "a_inspector",
    "deadlines:accountability_export": "a_staff",
    "oversight:monthly_detail": "a_inspector",
    "stats": "a_inspector",
}
# The other-county user for actions, when it is not b_admin.
OTHER_COUNTY_USER: dict[str, str] = {"accounts:account_action": "b_security"}
# POST-only actions: checked for anonymous and out-of-scope refusal.
ACTIONS: dict[str, UrlBuilder] = {
    "supervision:campaign_action": lambda w: f"/supervision/{_campaign(w).pk}/do/issue/",
    "supervision:part_action": lambda w: f"/supervision/parts/{_campaign(w).parts.get(bureau=w.orgs['a']).pk}/do/answer/",
    "oversight:task_archive_create": lambda w: f"/oversight/tasks/{_archive(w).task_id}/archive/new/",
    "directory:item_review_decide": lambda w: f"/directory/item-reviews/{_item_review(w).pk}/decide/",
    "directory:item_review_publish": lambda w: f"/directory/item-reviews/{_item_review(w).pk}/publish/",
    "directory:item_action": lambda w: f"/directory/items/{w.items['a'].pk}/retire/",
    "directory:target_retire": lambda w: f"/directory/targets/{w.targets['a'].pk}/retire/",
    "directory:inspector_retire": lambda w: f"/directory/inspectors/{w.inspectors['a'].pk}/retire/",
    "directory:conflict_create": lambda w: f"/directory/inspectors/{w.inspectors['a'].pk}/conflicts/",
    "draws:task_freeze": lambda w: f"/draws/tasks/{sample_match(w).task_id}/freeze/",
    "draws:draw_execute": lambda w: f"/draws/{sample_match(w).draw_id}/execute/",
    "draws:draw_confirm": lambda w: f"/draws/{sample_match(w).draw_id}/confirm/",
    "draws:department_confirm": lambda w: f"/draws/department-confirmations/{_department_confirmation(w).pk}/confirm/",
    "draws:draw_redraw_request": lambda w: f"/draws/{sample_match(w).draw_id}/redraw/",
    "draws:draw_match": lambda w: f"/draws/{sample_match(w).draw_id}/match/",
    "draws:redraw_decide": lambda w: f"/draws/redraw-requests/{sample_redraw_request(w).pk}/decide/",
    "draws:assignment_replace": lambda w: f"/draws/assignments/{sample_match(w).assignments.first().pk}/replace/",
    "draws:match_confirm": lambda w: f"/draws/matches/{sample_match(w).pk}/confirm/",
    "planning:plan_uncovered_add": lambda w: f"/planning/plans/{pb.plan(w).pk}/uncovered/",
    "planning:plan_add_missing": lambda w: f"/planning/plans/{pb.plan(w).pk}/add-missing/",
    "planning:plan_action": lambda w: f"/planning/plans/{pb.plan(w).pk}/do/adjust/",
    "planning:plan_line_delete": lambda w: f"/planning/plan-lines/{pb.line(w).pk}/delete/",
    "planning:plan_uncovered_delete": lambda w: f"/planning/plan-uncovered/{pb.draft_plan_uncovered(w).pk}/delete/",
    "planning:joint_action": lambda w: f"/planning/joint/{pb.joint(w).pk}/do/send/",
    "planning:joint_confirm": lambda w: f"/planning/joint/participants/{pb.participant(w).pk}/confirm/",
    "planning:national_claim": lambda w: f"/planning/national/{pb.national(w).pk}/claim/",
    "planning:task_transition": lambda w: f"/planning/tasks/{pb.task(w).pk}/transition/",
    "planning:scheme_generate": lambda w: f"/planning/tasks/{pb.task(w).pk}/scheme/generate/",
    "planning:scheme_action": lambda w: f"/planning/tasks/{pb.task_with_scheme(w).pk}/scheme/do/approve/",
    "deadlines:notification_read": lambda w: f"/oversight/notifications/{_oversight(w)['notification'].pk}/read/",
    "oversight:register_delete": lambda w: f"/oversight/register/members/{rb.member(w).pk}/delete/",
    "oversight:monthly_submit": lambda w: f"/oversight/reports/monthly/{rb.monthly(w).pk}/submit/",
    "oversight:period_submit": lambda w: f"/oversight/reports/period/{rb.period(w).pk}/submit/",
    "accounts:account_action": lambda w: f"/accounts/security/users/{w.users['a_staff'].pk}/unlock/",
    "inspections:records_generate": lambda w: f"/inspections/tasks/{ib.task(w).pk}/generate/",
    "inspections:record_review": lambda w: f"/inspections/records/{ib.record(w).pk}/review/",
    "inspections:evidence_upload": lambda w: f"/inspections/records/{ib.record(w).pk}/evidence/",
    "inspections:notice_issue": lambda w: f"/inspections/records/{ib.record(w).pk}/notices/",
    "inspections:case_evidence": lambda w: f"/inspections/cases/{ib.case(w).pk}/evidence/",
    "inspections:case_action": lambda w: f"/inspections/cases/{ib.case(w).pk}/do/close/",
    "inspections:member_assign": lambda w: f"/inspections/records/{ib.record(w).pk}/members/",
    "inspections:member_remove": lambda w: f"/inspections/members/{tb.assigned_member(w).pk}/remove/",
    "inspections:testing_create": lambda w: f"/inspections/records/{ib.record(w).pk}/testings/",
    "inspections:measure_create": lambda w: f"/inspections/records/{ib.record(w).pk}/measures/",
    "inspections:testing_report": lambda w: f"/inspections/testings/{tb.testing(w).pk}/report/",
}


def _campaign(w: World) -> Any:
    """A 专项督查 of county A by county A's own bureau (the world has no city-level writer in county scope: the
    access checks need county A's users to own it and county B's to be refused)."""
    import datetime

    from shuangsuiji.supervision.models import Campaign, CampaignPart, CampaignStatus

    store = w.__dict__.setdefault("_campaign_cache", {})
    if "campaign" not in store:
        campaign = Campaign.objects.create(
            owner=w.orgs["a"], kind="special", year=2026, title="专项督查", basis="依据",
            window_start=datetime.date(2026, 11, 2), window_end=datetime.date(2026, 11, 20),
            status=CampaignStatus.OPEN, created_by=w.users["a_admin"],
        )
        CampaignPart.objects.create(campaign=campaign, bureau=w.orgs["a"])
        store["campaign"] = campaign
    return store["campaign"]


def _archive(w: World) -> Any:
    """An archive package of county A's task, marked completed (built once per world)."""
    from shuangsuiji.oversight.task_archive import task_archive_create
    from shuangsuiji.planning.models import Task, TaskState

    store = w.__dict__.setdefault("_archive_cache", {})
    if "archive" not in store:
        task = pb.task(w)
        Task.objects.filter(pk=task.pk).update(state=TaskState.COMPLETED)
        task.refresh_from_db()
        store["archive"] = task_archive_create(actor=w.users["a_admin"], task=task)
    return store["archive"]


def _item_review(w: World) -> Any:
    """A 合法性审查 of county A's draft item, waiting for the reviewer (built once per world)."""
    from shuangsuiji.directory import item_review
    from shuangsuiji.directory.models import CheckItem

    store = w.__dict__.setdefault("_review_cache", {})
    if "review" not in store:
        item = CheckItem.objects.get(pk=w.items["a"].pk)
        item.pk, item.code, item.status = None, "GG-a-draft", "draft"
        item.save()
        store["review"] = item_review.item_review_submit(actor=w.users["a_admin"], items=[item])
    return store["review"]


def _portal(w: World) -> Any:
    """The published demo-like world of the portal tests, built once per world."""
    from tests.disclosure.factories import build_portal

    store = w.__dict__.setdefault("_portal_cache", {})
    if "portal" not in store:
        store["portal"] = build_portal(w)
    return store["portal"]


# Public portal pages (no login): anonymous → 200, and a logged-in user of another county sees the same page.
PUBLIC: dict[str, UrlBuilder] = {
    "disclosure:index": lambda w: "/gs/",
    "disclosure:item_list": lambda w: "/gs/items/",
    "disclosure:item_detail": lambda w: f"/gs/items/{_portal(w).item.pk}/",
    "disclosure:plan_list": lambda w: "/gs/plans/",
    "disclosure:plan_detail": lambda w: f"/gs/plans/{_portal(w).plan_v2.pk}/",
    "disclosure:joint_plan_detail": lambda w: f"/gs/joint-plans/{_portal(w).joint.pk}/",
    "disclosure:task_list": lambda w: "/gs/tasks/",
    "disclosure:task_detail": lambda w: f"/gs/tasks/{_portal(w).task.pk}/",
    "disclosure:task_results": lambda w: f"/gs/tasks/{_portal(w).task.pk}/results/",
    "disclosure:draw_detail": lambda w: f"/gs/draws/{_portal(w).draw.pk}/",
    "disclosure:draw_verify": lambda w: f"/gs/draws/{_portal(w).draw.pk}/verify/",
    "disclosure:draw_record": lambda w: f"/gs/draws/{_portal(w).draw.pk}/record.json",
    "disclosure:draw_pool": lambda w: f"/gs/draws/{_portal(w).draw.pk}/pool.csv",
    "disclosure:draw_proof": lambda w: f"/gs/draws/{_portal(w).draw.pk}/proof.json?id={_portal(w).results[0].uscc}",
    "disclosure:result_search": lambda w: "/gs/results/?q=宾馆",
    "disclosure:result_detail": lambda w: f"/gs/results/{_portal(w).results[0].pk}/",
    "disclosure:enterprise_results": lambda w: f"/gs/results/e/{_portal(w).results[0].uscc}/",
    "disclosure:data_index": lambda w: "/gs/data/",
    "disclosure:dataset_download": lambda w: "/gs/data/results.csv",
    "disclosure:feed": lambda w: "/gs/feed/",
    "disclosure:transparency": lambda w: "/gs/transparency/",
}
PUBLIC_API_PREFIX = "public_api:"
# Checked elsewhere (their own test modules) or not ours.
COVERED_ELSEWHERE = {
    "login", "logout", "directory:import_detail", "deadlines:notification_read_all",
    # public JSON of the transparency log: tests/audit/test_transparency.py
    "audit:tree_head", "audit:inclusion_proof",
    # reports: opening is per own bureau (tests/oversight/test_reports_monthly.py); charts need data
    # (tests/oversight/test_reports_period.py)
    "oversight:report_create", "oversight:period_chart",
    # signed tree heads and proofs need a signed head first; anonymous access, 404 before the draw is logged
    # and the staff audit bundle's scope (404 for another county): tests/disclosure/test_transparency_portal.py
    "disclosure:draw_inclusion", "disclosure:transparency_head", "disclosure:transparency_head_id",
    "disclosure:transparency_consistency", "disclosure_staff:draw_audit_bundle",
}
API_PREFIX = "api:"


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_url_has_an_access_test() -> None:
    names = {n for n in _names(get_resolver()) if not n.startswith((API_PREFIX, PUBLIC_API_PREFIX))}
    missing = names - set(PAGES) - set(ACTIONS) - set(PUBLIC) - COVERED_ELSEWHERE
    assert not missing, f"URLs without an access test: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access(world: World, name: str) -> None:
    builder, scoped = PAGES[name]
    url = builder(world)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url
    if scoped:
        assert world.client("b_admin").get(url).status_code == 404, url
    if name in WRONG_ROLE:
        assert world.client(WRONG_ROLE[name]).get(url).status_code == 403, url
    right = world.client(RIGHT_USER.get(name, "a_admin")).get(url)
    assert right.status_code in (200, 302), (url, right.status_code)
    if right.status_code == 302:
        assert "/accounts/" not in right["Location"], (url, right["Location"])


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_page_access(world: World, name: str) -> None:
    url = PUBLIC[name](world)
    anonymous = Client().get(url)
    assert anonymous.status_code == 200, (url, anonymous.status_code)
    assert world.client("b_admin").get(url).status_code == 200, url


PUBLIC_API_SAMPLES: dict[str, Callable[[World], str]] = {
    "{item_id}": lambda w: str(_portal(w).item.pk),
    "{plan_id}": lambda w: str(_portal(w).plan_v2.pk),
    "{task_id}": lambda w: str(_portal(w).task.pk),
    "{draw_id}": lambda w: str(_portal(w).draw.pk),
    "{result_id}": lambda w: str(_portal(w).results[0].pk),
}
PUBLIC_API_QUERIES = {"/api/public/draws/{draw_id}/proof": "?id=91130606MA00000001"}


def test_every_public_api_operation_answers_anonymous(world: World) -> None:
    from shuangsuiji.disclosure.api import public_api

    schema: dict[str, Any] = public_api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        assert set(ops) == {"get"}, f"the public API is read-only: {path}"
        url = path
        for placeholder, value in PUBLIC_API_SAMPLES.items():
            if placeholder in url:
                url = url.replace(placeholder, value(world))
        if path == "/api/public/joint-plans/{plan_id}":
            url = f"/api/public/joint-plans/{_portal(world).joint.pk}"
        assert "{" not in url, f"no sample id for {path}: add one to PUBLIC_API_SAMPLES"
        response = Client().get(url + PUBLIC_API_QUERIES.get(path, ""))
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_action_access(world: World, name: str) -> None:
    url = ACTIONS[name](world)
    assert Client().post(url, {"reason": "x"}).status_code == 302
    other = OTHER_COUNTY_USER.get(name, "b_admin")
    assert world.client(other).post(url, {"reason": "x"}).status_code == 404
    if name in WRONG_ROLE:
        assert world.client(WRONG_ROLE[name]).post(url, {"reason": "x"}).status_code == 403, url
    right = world.client(RIGHT_USER.get(name, "a_admin")).post(url, {"reason": "x"})
    # 400: the right user reached the action and the dummy form data was refused with a message.
    assert right.status_code in (200, 302, 400), (url, right.status_code)


def _plan_line(w: World) -> Any:
    from shuangsuiji.planning.models import AnnualPlanLine

    pb.plan(w)
    found = AnnualPlanLine.objects.filter(plan__owner=w.orgs["a"]).order_by("pk").first()
    assert found is not None
    return found


def _api_operations() -> list[tuple[str, str]]:
    from shuangsuiji.api.api import api

    schema: dict[str, Any] = api.get_openapi_schema()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


API_SAMPLES: dict[str, Callable[[World], str]] = {
    "{campaign_id}": lambda w: str(_campaign(w).pk),
    "{part_id}": lambda w: str(_campaign(w).parts.get(bureau=w.orgs["a"]).pk),
    "{review_id}": lambda w: str(_item_review(w).pk),
    "{item_id}": lambda w: str(w.items["a"].pk),
    "{target_id}": lambda w: str(w.targets["a"].pk),
    "{flag_id}": lambda w: str(fb.flag_record(w).pk),
    "{list_id}": lambda w: str(fb.flag_list(w).pk),
    "{inspector_id}": lambda w: str(w.inspectors["a"].pk),
    "{draw_id}": lambda w: str(sample_match(w).draw_id),
    "{match_id}": lambda w: str(sample_match(w).pk),
    "{request_id}": lambda w: str(sample_redraw_request(w).pk),
    "{assignment_id}": lambda w: str(sample_match(w).assignments.first().pk),
    "{plan_id}": lambda w: str(pb.plan(w).pk),
    "{line_id}": lambda w: str(_plan_line(w).pk),
    "{entry_id}": lambda w: str(pb.draft_plan_uncovered(w).pk),
    "{joint_plan_id}": lambda w: str(pb.joint(w).pk),
    "{participant_id}": lambda w: str(pb.participant(w).pk),
    "{national_task_id}": lambda w: str(pb.national(w).pk),
    "{task_id}": lambda w: str(pb.task_with_scheme(w).pk),
    "{record_id}": lambda w: str(ib.record(w).pk),
    "{case_id}": lambda w: str(ib.case(w).pk),
    "{deadline_id}": lambda w: str(_oversight(w)["deadline"].pk),
    "{expert_draw_id}": lambda w: str(tb.expert_draw(w).pk),
    "{member_id}": lambda w: str(tb.assigned_member(w).pk),
    "{confirmation_id}": lambda w: str(_department_confirmation(w).pk),
    "{testing_id}": lambda w: str(tb.testing(w).pk),
    "{archive_id}": lambda w: str(_archive(w).pk),
    "{kind}": lambda w: "zip",
}


def _department_confirmation(w: World) -> Any:
    """A participating department's confirmation of a joint draw (文广旅局 takes part)."""
    from shuangsuiji.draws.models import DepartmentConfirmation
    from tests.draws.factories import add_targets, drawn, make_task

    found = DepartmentConfirmation.objects.first()
    if found is not None:
        return found
    add_targets(w, counts={"B": 3}, salt="9")
    task = make_task(w, code="RW-2026-099")
    task.participants.set([w.orgs["a_culture"]])
    return DepartmentConfirmation.objects.get(draw=drawn(w, task))


def test_every_api_operation_requires_auth_and_scope(world: World) -> None:
    operations = _api_operations()
    assert operations
    for method, path in operations:
        url = path
        for placeholder, value in API_SAMPLES.items():
            if placeholder in url:  # built only when used: some builders create objects
                url = url.replace(placeholder, value(world))
        assert "{" not in url, f"no sample id for {path}: add one to API_SAMPLES"
        anonymous = Client().generic(method, url, "{}", content_type="application/json")
        assert anonymous.status_code == 401, (method, url)
        if path != url:  # object endpoints: another county gets 404
            other = world.client("b_admin").generic(method, url, "{}", content_type="application/json")
            assert other.status_code in (404, 403), (method, url, other.status_code)
        if method == "GET":  # the right role reads it
            owner = world.client("a_admin").get(url)
            assert owner.status_code == 200, (method, url, owner.status_code)
