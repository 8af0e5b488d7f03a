"""Pages of the draws: each view parses input, calls one selector or service, renders or redirects."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.deadlines.selectors import deadlines_for_subject
from shuangsuiji.draws import selectors, services, storage
from shuangsuiji.draws.confirmations import can_confirm_part, pending_departments
from shuangsuiji.draws.forms import (
    ConfirmForm,
    ExecuteForm,
    FreezeForm,
    MatchForm,
    RedrawDecideForm,
    RedrawRequestForm,
    ReplaceForm,
)
from shuangsuiji.draws.instructions import draw_verify_commands, match_verify_commands
from shuangsuiji.draws.match_fairness import randomness_report
from shuangsuiji.draws.models import DepartmentConfirmation
from shuangsuiji.draws.presentation import draw_params_lines, fallback_label, strata_rows
from shuangsuiji.draws.rules import task_batches
from shuangsuiji.draws.verification import verify_draw, verify_match
from shuangsuiji.planning.models import Task


def _task_url(task_id: int) -> str:
    return reverse("draws:task_draw", args=[task_id])


def _task_page(request: AuthedHttpRequest, task: Task, status: int = 200, **extra: Any) -> HttpResponse:
    overview = selectors.task_draw_overview(actor=request.user, task=task)
    context = {
        "title": f"{task.code} {task.title} · 双随机抽取",
        "o": overview,
        "freeze_form": extra.pop("freeze_form", None) or FreezeForm(),
        "execute_form": extra.pop("execute_form", None) or ExecuteForm(),
        "match_form": extra.pop("match_form", None) or MatchForm(),
        "confirm_form": ConfirmForm(),
        **extra,
    }
    return render(request, "draws/task_draw.html", context, status=status)


def _fail(request: AuthedHttpRequest, error: ApplicationError, url: str) -> HttpResponse:
    messages.error(request, error.message)
    return redirect(url)


@login_required
def index(request: AuthedHttpRequest) -> HttpResponse:
    tasks = selectors.task_list(actor=request.user)
    return render(request, "draws/index.html", {"title": "双随机抽取", "tasks": tasks})


@login_required
def task_draw(request: AuthedHttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, selectors.task_get(actor=request.user, pk=task_id))


@login_required
@require_POST
def task_freeze(request: AuthedHttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=task_id)
    form = FreezeForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, status=400, freeze_form=form)
    try:
        services.draw_freeze_pool(actor=request.user, task=task, **form.cleaned_data)
    except ApplicationError as error:
        return _fail(request, error, _task_url(task.pk))
    messages.success(request, "对象池已冻结，对象池摘要和抽取参数已公布；请在随机数公布后进行抽取")
    return redirect(_task_url(task.pk))


@login_required
def draw_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    overview = selectors.task_draw_overview(actor=request.user, task=draw.task)
    selections = list(selectors.draw_selections(draw=draw))
    reasons = (draw.rules or {}).get("mandatory", {})
    context = {
        "title": f"{draw.task.code} 第{draw.sequence}次抽取",
        "draw": draw,
        "o": overview,
        "selections": selections,
        "selection_rows": [(s, reasons.get(s.target.code, [])) for s in selections],
        "rule_lines": (draw.rules or {}).get("lines", []),
        "batches": task_batches(draw.task, draw.record),
        "commands": draw_verify_commands(draw),
        "params_lines": draw_params_lines(draw.params),
        "strata": strata_rows(draw.record),
        "notes": (draw.record or {}).get("notes", []),
        "redraw_form": RedrawRequestForm(),
        "decide_form": RedrawDecideForm(),
        "confirm_form": ConfirmForm(),
        "history": [d for d in overview.draws],
        "requests": [r for r in overview.requests if r.draw_id == draw.pk],
        "deadlines": deadlines_for_subject(actor=request.user, subject=draw),
        "department_confirmations": [
            (c, c.confirmed_at is None and draw.status == "drawn" and can_confirm_part(request.user, c))
            for c in draw.department_confirmations.select_related("organization", "confirmed_by")
        ],
    }
    return render(request, "draws/draw_detail.html", context)


@login_required
@require_POST
def draw_execute(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    form = ExecuteForm(request.POST)
    form.is_valid()
    try:
        services.draw_execute(
            actor=request.user, draw=draw, randomness=form.randomness_list(), reveal=form.cleaned_data.get("reveal", "")
        )
    except ApplicationError as error:
        return _fail(request, error, _task_url(draw.task_id))
    messages.success(request, "抽取完成，请由另一人在2个工作日内进行双人确认")
    return redirect(draw)


@login_required
@require_POST
def draw_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        draw = services.draw_confirm(actor=request.user, draw=draw, comment=form.cleaned_data.get("comment", ""))
    except ApplicationError as error:
        return _fail(request, error, draw.get_absolute_url())
    if draw.status == "confirmed":
        messages.success(request, "抽取结果已确认并锁定")
    else:
        messages.success(request, f"本单位已确认；尚待{'、'.join(pending_departments(draw))}确认本部门部分")
    return redirect(draw)


@login_required
@require_POST
def department_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    confirmation = get_object_or_404(DepartmentConfirmation.objects.visible_to(request.user), pk=pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        draw = services.draw_department_confirm(
            actor=request.user, confirmation=confirmation, comment=form.cleaned_data.get("comment", "")
        )
    except ApplicationError as error:
        return _fail(request, error, confirmation.draw.get_absolute_url())
    messages.success(request, f"{confirmation.organization.name}已确认本部门部分"
                     + ("，抽取结果已全部确认并锁定" if draw.status == "confirmed" else ""))
    return redirect(draw)


@login_required
@require_POST
def draw_redraw_request(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    form = RedrawRequestForm(request.POST)
    form.is_valid()
    try:
        services.redraw_request_create(actor=request.user, draw=draw, reason=form.cleaned_data.get("reason", ""))
    except ApplicationError as error:
        return _fail(request, error, draw.get_absolute_url())
    messages.success(request, "重新抽取申请已提交，等待领导或双随机办管理员审批")
    return redirect(draw)


@login_required
@require_POST
def redraw_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    redraw = selectors.redraw_request_get(actor=request.user, pk=pk)
    form = RedrawDecideForm(request.POST)
    form.is_valid()
    approve = form.cleaned_data.get("decision") == "approve"
    try:
        services.redraw_request_decide(
            actor=request.user, request=redraw, approve=approve, comment=form.cleaned_data.get("comment", "")
        )
    except ApplicationError as error:
        return _fail(request, error, redraw.draw.get_absolute_url())
    if approve:
        messages.success(request, "已批准重新抽取：原抽取记录保留并标记为已取代，请重新冻结对象池")
        return redirect(_task_url(redraw.draw.task_id))
    messages.success(request, "已不批准该重新抽取申请")
    return redirect(redraw.draw)


@login_required
def draw_record(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    if draw.record is None:
        messages.error(request, "尚未抽取，没有抽取记录")
        return redirect(draw)
    body = json.dumps(draw.record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.task.code}-{draw.sequence}.json"'
    return response


@login_required
def draw_pool(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    response = HttpResponse(storage.read_file(draw.pool_file), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pool-{draw.task.code}-{draw.sequence}.csv"'
    return response


@login_required
def draw_verify(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    context = {
        "title": f"{draw.task.code} 第{draw.sequence}次抽取 · 验证",
        "obj": draw,
        "result": verify_draw(draw),
        "commands": draw_verify_commands(draw),
        "back": draw.get_absolute_url(),
    }
    return render(request, "draws/verify.html", context)


@login_required
@require_POST
def draw_match(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, pk=pk)
    form = MatchForm(request.POST)
    if not form.is_valid():
        return _task_page(request, draw.task, status=400, match_form=form)
    try:
        match = services.match_run(
            actor=request.user, draw=draw, randomness=form.randomness_list(), options=form.options(),
            allow_unstaffed=form.cleaned_data["allow_unstaffed"], reason=form.cleaned_data.get("reason", ""),
        )
    except ApplicationError as error:
        if "unstaffed" in error.extra:
            messages.error(request, error.message)
            return _task_page(request, draw.task, status=400, match_form=form, unstaffed=error.extra["unstaffed"])
        return _fail(request, error, _task_url(draw.task_id))
    messages.success(request, "执法检查人员已随机匹配")
    return redirect(match)


@login_required
def match_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get(actor=request.user, pk=pk)
    overview = selectors.task_draw_overview(actor=request.user, task=match.task)
    assignments = list(selectors.match_assignments(match=match))
    teams: dict[int, dict[str, Any]] = {}
    for row in assignments:
        team = teams.setdefault(row.drawn_target_id, {"target": row.drawn_target.target, "members": []})
        team["members"].append(row)
    context = {
        "title": f"{match.task.code} 第{match.sequence}次人员匹配",
        "match": match,
        "o": overview,
        "teams": list(teams.values()),
        "fairness": match.record.get("fairness", {}),
        "loads": selectors.fairness_rows(match),
        "randomness": randomness_report(match.record, {t["target"].code: t["target"].name for t in teams.values()}),
        "commands": match_verify_commands(match),
        "replace_form": ReplaceForm(),
        "confirm_form": ConfirmForm(),
        "can_confirm": overview.permissions.get("confirm_match", False) and match.status == "matched",
        "changes": match.record.get("changes", []),
        "fallback": fallback_label(str(match.params.get("fallback", ""))),
    }
    return render(request, "draws/match_detail.html", context)


@login_required
@require_POST
def match_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get(actor=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        services.match_confirm(actor=request.user, match=match, comment=form.cleaned_data.get("comment", ""))
    except ApplicationError as error:
        return _fail(request, error, match.get_absolute_url())
    messages.success(request, "人员匹配结果已确认，可以生成一企一表")
    return redirect(match)


@login_required
def match_record(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get(actor=request.user, pk=pk)
    body = json.dumps(match.record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="match-{match.task.code}-{match.sequence}.json"'
    return response


@login_required
def match_inputs(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get(actor=request.user, pk=pk)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in storage.read_bundle(match.inputs_file).items():
            archive.writestr(name, content)
        archive.writestr("record.json", json.dumps(match.record, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
        if match.previous is not None:
            archive.writestr(
                "previous.json", json.dumps(match.previous.record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            )
        archive.writestr("如何验证.txt", "\n".join(match_verify_commands(match, in_archive=True)) + "\n")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="match-{match.task.code}-{match.sequence}.zip"'
    return response


@login_required
def match_verify(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get(actor=request.user, pk=pk)
    context = {
        "title": f"{match.task.code} 第{match.sequence}次人员匹配 · 验证",
        "obj": match,
        "result": verify_match(match),
        "commands": match_verify_commands(match),
        "back": match.get_absolute_url(),
    }
    return render(request, "draws/verify.html", context)


@login_required
@require_POST
def assignment_replace(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(actor=request.user, pk=pk)
    form = ReplaceForm(request.POST)
    form.is_valid()
    try:
        match = services.assignment_replace(
            actor=request.user, assignment=assignment, reason=form.cleaned_data.get("reason", ""),
            randomness=form.randomness_list(),
        )
    except ApplicationError as error:
        return _fail(request, error, assignment.match.get_absolute_url())
    messages.success(request, "已重新抽取该位置的检查人员，原分派保留在历史记录中")
    return redirect(match)
