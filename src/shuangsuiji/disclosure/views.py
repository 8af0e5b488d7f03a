"""Public portal pages (/gs/): no login, server-rendered, usable without JavaScript.

Each view parses its input, calls selectors, renders. Every page passes ``published_at``: the publication
date shown under its heading.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shuangsuiji.accounts.scope import Perm, get_visible_or_404, has_perm
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.disclosure import (
    selectors,
    selectors_results,
    services,
    transparency_pages,
    verification,
)
from shuangsuiji.disclosure.models import ResultGroup
from shuangsuiji.disclosure.page_cache import CountingGate, public_page
from shuangsuiji.disclosure.ratelimit import allow, search_limit
from shuangsuiji.disclosure.search import uscc_query
from shuangsuiji.draws import commitments
from shuangsuiji.draws import selectors as draws_selectors
from shuangsuiji.planning.models import Task

LIST_PAGE = 50


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, f"disclosure/{template}", context, status=status)
    # A logged-in staff member sees a link back to the staff side: that page must not land in a shared cache.
    staff = getattr(request, "user", None) is not None and request.user.is_authenticated
    response["Cache-Control"] = "private, max-age=0" if staff else "public, max-age=60"
    return response


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return _render(request, "rate_limited.html", {"title": "请求过于频繁", "published_at": None}, status=429)


def _search_allowed(request: HttpRequest) -> bool:
    """A search with conditions counts against the client's rate limit, served from the cache or not."""
    if selectors_results.ResultFilters.from_params(request.GET).is_empty:
        return True
    return allow(request, scope="search", limit=search_limit())


def _proof_allowed(request: HttpRequest) -> bool:
    return allow(request, scope="proof", limit=search_limit())


# Counted by the cache middleware before its look-up; a refusal is rendered by the view.
_search_gate = CountingGate(_search_allowed, _rate_limited)
_proof_file_gate = CountingGate(_proof_allowed, _rate_limited)


def _proof_gate(request: HttpRequest) -> HttpResponse | None:
    if not selectors_results.clean_text(request.GET.get("id"))[:64]:
        return None
    return _proof_file_gate(request)  # type: ignore[return-value]


def _latest(*values: datetime.datetime | None) -> datetime.datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


@require_GET
@public_page()
def index(request: HttpRequest) -> HttpResponse:
    announcements = selectors.recent_announcements(limit=15)
    return _render(request, "index.html", {
        "title": "双随机、一公开 信息公示",
        "announcements": announcements,
        "published_at": announcements[0].published_at if announcements else None,
        "groups": ResultGroup.choices,
    })


# ---------------------------------------------------------------- 抽查事项清单


@require_GET
@public_page()
def item_list(request: HttpRequest) -> HttpResponse:
    org_id = selectors.parse_int(request.GET.get("org"))
    specialty_id = selectors.parse_int(request.GET.get("specialty"))
    items = selectors.public_items(organization_id=org_id, specialty_id=specialty_id)
    page = Paginator(items, LIST_PAGE).get_page(request.GET.get("page"))
    return _render(request, "item_list.html", {
        "query_string": _query_string(request),
        "title": "随机抽查事项清单",
        "page": page,
        "organizations": selectors.item_organizations(),
        "specialties": selectors.specialties(),
        "org_id": org_id,
        "specialty_id": specialty_id,
        "published_at": _latest(*(i.published_at for i in page.object_list)),
    })


@require_GET
@public_page()
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.public_item_get(pk=pk)
    return _render(request, "item_detail.html", {
        "title": item.name,
        "item": item,
        "versions": selectors.public_item_versions(item=item),
        "in_force": selectors.item_in_force(item=item),
        "published_at": item.published_at,
    })


# ---------------------------------------------------------------- 计划


@require_GET
@public_page()
def plan_list(request: HttpRequest) -> HttpResponse:
    org_id = selectors.parse_int(request.GET.get("org"))
    year = selectors.parse_int(request.GET.get("year"))
    plans = list(selectors.public_annual_plans(organization_id=org_id, year=year)[:200])
    joint = list(selectors.public_joint_plans(organization_id=org_id, year=year)[:200])
    return _render(request, "plan_list.html", {
        "title": "年度抽查计划和联合抽查计划",
        "plans": plans,
        "joint_plans": joint,
        "organizations": selectors.portal_organizations(),
        "years": selectors.plan_years(),
        "org_id": org_id,
        "year": year,
        "published_at": _latest(*(p.published_at for p in plans), *(j.published_at for j in joint)),
    })


@require_GET
@public_page()
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.public_annual_plan_get(pk=pk)
    return _render(request, "plan_detail.html", {
        "title": str(plan),
        "plan": plan,
        "lines": selectors.public_plan_lines(plan=plan),
        "uncovered": plan.uncovered.select_related("item"),
        "versions": selectors.public_plan_versions(plan=plan),
        "published_at": plan.published_at,
    })


@require_GET
@public_page()
def joint_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.public_joint_plan_get(pk=pk)
    return _render(request, "joint_plan_detail.html", {
        "title": plan.title,
        "plan": plan,
        "participants": selectors.public_joint_participants(plan=plan),
        "tasks": selectors.public_tasks().filter(joint_plan=plan),
        "versions": selectors.public_joint_plan_versions(plan=plan),
        "published_at": plan.published_at,
    })


# ---------------------------------------------------------------- 抽查任务公告


@require_GET
@public_page()
def task_list(request: HttpRequest) -> HttpResponse:
    org_id = selectors.parse_int(request.GET.get("org"))
    year = selectors.parse_int(request.GET.get("year"))
    specialty_id = selectors.parse_int(request.GET.get("specialty"))
    tasks = selectors.public_tasks(organization_id=org_id, year=year, specialty_id=specialty_id)
    page = Paginator(tasks, LIST_PAGE).get_page(request.GET.get("page"))
    return _render(request, "task_list.html", {
        "query_string": _query_string(request),
        "title": "抽查任务公告",
        "page": page,
        "organizations": selectors.task_organizations(),
        "specialties": selectors.specialties(),
        "years": selectors.plan_years(),
        "org_id": org_id,
        "year": year,
        "specialty_id": specialty_id,
        "published_at": _latest(*(t.scheme.published_at for t in page.object_list)),
    })


@require_GET
@public_page()
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.public_task_get(pk=pk)
    draws = list(selectors.public_draws(task=task))
    return _render(request, "task_detail.html", {
        "title": task.title,
        "task": task,
        "scheme": task.scheme,
        "draws": draws,
        "releases": selectors_results.task_releases(task=task),
        "published_at": task.scheme.published_at,
    })


@require_GET
@public_page()
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.public_draw_get(pk=pk)
    has_result = selectors.draw_has_result(draw)
    return _render(request, "draw_detail.html", {
        "title": f"{draw.task.title} 第{draw.sequence}次抽取",
        "draw": draw,
        "task": draw.task,
        "has_result": has_result,
        "selections": selectors.draw_selections(draw=draw) if has_result else [],
        "teams": selectors.draw_teams(draw=draw) if has_result else [],
        "params_text": verification.pretty_json(draw.params),
        "public_pool_digest": verification.public_pool_digest(draw),
        "public_record_digest": verification.public_record_digest(draw) if has_result else "",
        "published_at": draw.drawn_at if has_result else draw.frozen_at,
        "frozen_at": draw.frozen_at,
    })


@require_GET
@public_page(gate=_proof_gate, shared=False)  # recomputed on every request: a tampered record shows at once
def draw_verify(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.public_draw_get(pk=pk)
    has_result = selectors.draw_has_result(draw)
    outcome = verification.verify_draw(draw) if has_result else None
    proof = None
    query = selectors_results.clean_text(request.GET.get("id"))[:64]
    if query:
        proof = verification.membership(draw, query)
    return _render(request, "draw_verify.html", {
        "title": f"验证本次抽取：{draw.task.title} 第{draw.sequence}次",
        "draw": draw,
        "task": draw.task,
        "has_result": has_result,
        "outcome": outcome,
        "query": query,
        "proof": proof,
        "commands": verification.cli_steps(draw),
        "public_pool_digest": verification.public_pool_digest(draw),
        "public_record_digest": verification.public_record_digest(draw) if has_result else "",
        "inclusion": commitments.draw_inclusion(draw) if has_result else None,
        "published_at": draw.drawn_at if has_result else draw.frozen_at,
    })


@require_GET
@public_page()
def draw_record(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.public_draw_get(pk=pk)
    return verification.download(request, verification.record_bytes(draw), f"draw-{draw.task.code}-{draw.sequence}-record.json",
                                 "application/json; charset=utf-8")


@require_GET
@public_page()
def draw_pool(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.public_draw_get(pk=pk)
    return verification.download(request, verification.pool_bytes(draw), f"draw-{draw.task.code}-{draw.sequence}-pool.csv",
                                 "text/csv; charset=utf-8")


@require_GET
@public_page(gate=_proof_file_gate)
def draw_proof(request: HttpRequest, pk: int) -> HttpResponse:
    draw = selectors.public_draw_get(pk=pk)
    query = selectors_results.clean_text(request.GET.get("id"))[:64]
    proof = verification.membership(draw, query)
    return verification.download(request, proof.json_bytes, f"proof-{draw.task.code}-{draw.sequence}-{proof.id}.json",
                                 "application/json; charset=utf-8")


@require_GET
@public_page()
def draw_inclusion(request: HttpRequest, pk: int) -> HttpResponse:
    """The draw record's inclusion proof in the transparency log against the latest signed tree head."""
    draw = selectors.public_draw_get(pk=pk)
    found = commitments.draw_inclusion(draw)
    if found.proof is None:
        raise Http404(found.message)
    return verification.download(request, (verification.pretty_json(found.proof) + "\n").encode("utf-8"),
                                 f"inclusion-{draw.task.code}-{draw.sequence}.json", "application/json; charset=utf-8")


# ---------------------------------------------------------------- 透明日志（签名树头）


@require_GET
@public_page()
def transparency_log(request: HttpRequest) -> HttpResponse:
    page = transparency_pages.log_page(request.GET)
    return _render(request, "transparency.html", {
        "title": "透明日志（每日签名树头）",
        "page": page,
        "published_at": page.latest.signed_at if page.latest else None,
    })


@require_GET
@public_page()
def transparency_head(request: HttpRequest, head_id: int | None = None) -> HttpResponse:
    head = transparency_pages.head_get(head_id)
    return verification.download(request, transparency_pages.head_bytes(head), f"tree-head-{head.pk}.json",
                                 "application/json; charset=utf-8")


@require_GET
@public_page()
def transparency_consistency(request: HttpRequest) -> HttpResponse:
    old, new = transparency_pages.head_pair(request.GET)
    return verification.download(request, transparency_pages.consistency_bytes(old, new),
                                 f"consistency-{old.pk}-{new.pk}.json", "application/json; charset=utf-8")


# ---------------------------------------------------------------- 抽查结果公示


def _options(choices: Any, selected: Any) -> list[tuple[Any, str, bool]]:
    return [(value, label, value == selected) for value, label in choices]


@require_GET
@public_page(gate=_search_gate)
def result_search(request: HttpRequest) -> HttpResponse:
    filters = selectors_results.ResultFilters.from_params(request.GET)
    page = selectors_results.search_results(filters, page=selectors.parse_int(request.GET.get("page")) or 1)
    choices = selectors_results.search_choices()
    return _render(request, "result_search.html", {
        "title": "抽查结果公示",
        "result_page": page,
        "filters": filters,
        "query_string": _query_string(request),
        "regions": _options(choices.regions, filters.region_id),
        "specialties": _options(choices.specialties, filters.specialty_id),
        "years": _options(choices.years, filters.year),
        "groups": _options(ResultGroup.choices, filters.group),
        "published_at": _latest(*(r.published_at for r in page.rows)),
    })


@require_GET
@public_page()
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = selectors_results.public_result_get(pk=pk)
    return _render(request, "result_detail.html", {
        "title": f"{result.enterprise_name} 抽查结果",
        "result": result,
        "penalties": selectors_results.public_penalties(result=result),
        "published_at": result.published_at,
    })


@require_GET
@public_page()
def enterprise_results(request: HttpRequest, uscc: str) -> HttpResponse:
    code = uscc_query(uscc.replace("\x00", ""))
    if code is None:
        raise Http404("统一社会信用代码格式不正确")
    uscc = code
    results = list(selectors_results.enterprise_results(uscc=uscc)[:500])
    name = results[0].enterprise_name if results else ""
    return _render(request, "enterprise_results.html", {
        "title": f"{name or uscc} 抽查结果",
        "uscc": uscc,
        "name": name,
        "results": results,
        "published_at": _latest(*(r.published_at for r in results)),
    }, status=200 if results else 404)


@require_GET
@public_page()
def task_results(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.public_task_get(pk=pk)
    results = Paginator(selectors_results.task_results(task=task), LIST_PAGE).get_page(request.GET.get("page"))
    releases = list(selectors_results.task_releases(task=task))
    return _render(request, "task_results.html", {
        "query_string": _query_string(request),
        "title": f"{task.title} 抽查结果公示",
        "task": task,
        "page": results,
        "releases": releases,
        "withheld": selectors_results.task_withheld_count(task=task),
        "deadline": selectors_results.task_publication_deadline(task=task, today=timezone.localdate()),
        "published_at": releases[0].published_at if releases else None,
    })


# ---------------------------------------------------------------- staff: publication deadlines, audit bundle


@login_required
def draw_audit_bundle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Auditors and 上级监督 in scope: the full record with risk classes, the full pool and the salt."""
    draw = draws_selectors.draw_get(actor=request.user, pk=pk)
    if not selectors.draw_has_result(draw):
        raise Http404("本次抽取尚未进行")
    body = (verification.pretty_json(commitments.audit_bundle(draw)) + "\n").encode("utf-8")
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-bundle-{draw.task.code}-{draw.sequence}.json"'
    response["Cache-Control"] = "private, no-store"
    return response



@login_required
def deadline_overview(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors_results.publication_deadline_rows(actor=request.user, today=today)
    late = [r for r in rows if r.deadline.is_late]
    return render(request, "disclosure/staff_deadlines.html", {
        "title": "公示时限", "rows": rows, "late_count": len(late), "today": today,
    })


@login_required
def task_publish(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """公示 of a task's reviewed results and decided penalties (staff; withholding needs a legal ground)."""
    task = get_visible_or_404(Task.objects.select_related("owner"), request.user, pk=pk)
    if request.method == "POST":
        with user_errors(request):
            if request.POST.get("penalty"):
                services.penalty_publish_case(
                    actor=request.user, case_id=int(request.POST["penalty"]),
                    withheld_reason=request.POST.get("penalty_withheld", ""),
                )
                messages.success(request, "行政处罚信息已公示")
            else:
                withheld = {
                    int(key.removeprefix("withhold_")): str(request.POST.get(key, "")).strip()
                    for key in request.POST
                    if key.startswith("withhold_") and key.removeprefix("withhold_").isdigit()
                    and str(request.POST.get(key, "")).strip()
                }
                summary = services.results_publish_task(actor=request.user, task=task, withheld=withheld)
                messages.success(request, f"已公示 {summary.published} 户，依法不予公开 {summary.withheld} 户")
        return redirect("disclosure_staff:task_publish", pk=task.pk)
    today = timezone.localdate()
    return render(request, "disclosure/staff_publish.html", {
        "title": f"结果公示：{task}",
        "task": task,
        "records": [(r, *selectors_results.record_result(r)) for r in
                    selectors_results.publishable_records(actor=request.user, task=task)],
        "cases": selectors_results.unpublished_penalty_cases(actor=request.user, task=task),
        "releases": selectors_results.task_releases(task=task),
        "deadline": selectors_results.task_publication_deadline(task=task, today=today),
        "can_publish": has_perm(request.user, Perm.PLAN_EDIT),
    })
