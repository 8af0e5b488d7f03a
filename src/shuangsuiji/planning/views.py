"""Pages of planning: each view parses input, calls one selector or service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.deadlines.selectors import deadlines_for_subject
from shuangsuiji.planning import selectors, services
from shuangsuiji.planning.coverage import joint_estimate, plan_estimate, task_estimate
from shuangsuiji.planning.documents import scheme_docx, scheme_pdf
from shuangsuiji.planning.forms import (
    AddMissingForm,
    CommentForm,
    ConfirmForm,
    JointPlanForm,
    NationalImportForm,
    PlanForm,
    PlanLineForm,
    SchemeForm,
    TaskForm,
    UncoveredForm,
)
from shuangsuiji.planning.models import JointPlanStatus, PlanStatus, TaskState
from shuangsuiji.planning.permissions import can_approve, can_confirm_for, can_edit_plans, can_review
from shuangsuiji.planning.rules import joint_ratios, task_rules
from shuangsuiji.planning.task_pages import task_page_context

# ---------------------------------------------------------------- annual plans


@login_required
def plan_list(request: AuthedHttpRequest) -> HttpResponse:
    plans = selectors.plan_list(actor=request.user)
    can_edit = has_perm(request.user, Perm.PLAN_EDIT)
    return render(request, "planning/plan_list.html", {"title": "年度抽查计划", "plans": plans, "can_edit": can_edit})


@login_required
def plan_create(request: AuthedHttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "年度抽查计划已创建，请添加计划事项")
            return redirect("planning:plan_lines", pk=plan.pk)
    return render(request, "form.html", {"form": form, "title": "新建年度抽查计划"})


def _plan_context(request: AuthedHttpRequest, plan: Any) -> dict[str, Any]:
    user = request.user
    return {
        "plan": plan,
        "title": str(plan),
        "lines": selectors.plan_lines(plan=plan),
        "uncovered": selectors.plan_uncovered(plan=plan),
        "coverage": selectors.plan_coverage(plan=plan),
        "steps": plan.steps.select_related("actor"),
        "can_edit": can_edit_plans(user, plan.owner_id),
        "can_review": can_review(user, plan.owner_id),
        "can_approve": can_approve(user, plan.owner_id),
        "diff": selectors.plan_diff(old=plan.previous, new=plan) if plan.previous_id else None,
        "has_next": plan.status == PlanStatus.SUPERSEDED or _has_next(plan),
        "comment_form": CommentForm(),
        "can_create_tasks": plan.status == PlanStatus.PUBLISHED and can_edit_plans(user, plan.owner_id),
        "deadlines": deadlines_for_subject(actor=user, subject=plan),
        "estimate": plan_estimate(plan, today=timezone.localdate()),
    }


def _has_next(plan: Any) -> bool:
    try:
        return plan.next_version is not None
    except Exception:  # RelatedObjectDoesNotExist
        return False


@login_required
def plan_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    return render(request, "planning/plan_detail.html", _plan_context(request, plan))


@login_required
def plan_lines(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    form = PlanLineForm(request.POST or None, plan=plan, prefix="line")
    uncovered_form = UncoveredForm(plan=plan, prefix="unc")
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("ratio_")}
        try:
            services.plan_line_save(actor=request.user, plan=plan, ratios=form.ratios(), **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "计划事项已保存")
            return redirect("planning:plan_lines", pk=plan.pk)
    context = _plan_context(request, plan) | {
        "form": form, "uncovered_form": uncovered_form, "missing_form": AddMissingForm(prefix="all"),
        "title": f"编辑计划事项 · {plan}",
    }
    return render(request, "planning/plan_lines.html", context)


@login_required
@require_POST
def plan_uncovered_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    form = UncoveredForm(request.POST, plan=plan, prefix="unc")
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("请选择事项并填写未纳入原因")
        services.plan_uncovered_save(actor=request.user, plan=plan, **form.cleaned_data)
        messages.success(request, "已记录未纳入原因")
    return redirect("planning:plan_lines", pk=plan.pk)


@login_required
@require_POST
def plan_add_missing(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    form = AddMissingForm(request.POST, prefix="all")
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("请填写A、B、C、D各类的抽查比例")
        lines = services.plan_lines_add_missing(
            actor=request.user, plan=plan, ratios=form.ratios(), months=form.cleaned_data["months"]
        )
        messages.success(request, f"已纳入{len(lines)}个事项")
    return redirect("planning:plan_lines", pk=plan.pk)


@login_required
@require_POST
def plan_line_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    line = selectors.plan_line_get(actor=request.user, pk=pk)
    with user_errors(request):
        services.plan_line_delete(actor=request.user, line=line)
        messages.success(request, "已从计划中移除")
    return redirect("planning:plan_lines", pk=line.plan_id)


@login_required
@require_POST
def plan_uncovered_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    entry = selectors.plan_uncovered_get(actor=request.user, pk=pk)
    with user_errors(request):
        services.plan_uncovered_delete(actor=request.user, entry=entry)
        messages.success(request, "已删除未纳入原因")
    return redirect("planning:plan_lines", pk=entry.plan_id)


@login_required
@require_POST
def plan_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    comment = request.POST.get("comment", "")
    with user_errors(request):
        if action == "adjust":
            new = services.plan_adjust(actor=request.user, plan=plan, reason=comment)
            messages.success(request, f"已生成第{new.version}版（调整稿），修改后按程序审查、批准、备案和公布")
            return redirect("planning:plan_lines", pk=new.pk)
        plan = services.plan_transition(
            actor=request.user, plan=plan, action=action, comment=comment,
            justification=request.POST.get("justification", ""),
        )
        messages.success(request, f"计划状态：{plan.get_status_display()}")
    return redirect("planning:plan_detail", pk=plan.pk)


@login_required
def plan_history(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    versions = selectors.plan_versions(actor=request.user, plan=plan)
    rows = []
    for version in versions:
        previous = next((v for v in versions if v.pk == version.previous_id), None)
        diff = selectors.plan_diff(old=previous, new=version) if previous else None
        rows.append({"plan": version, "diff": diff, "steps": list(version.steps.all())})
    return render(request, "planning/plan_history.html", {"plan": plan, "rows": rows, "title": f"{plan.title} · 版本记录"})


# ---------------------------------------------------------------- joint plans


@login_required
def joint_list(request: AuthedHttpRequest) -> HttpResponse:
    plans = selectors.joint_plan_list(actor=request.user)
    return render(request, "planning/joint_list.html", {
        "title": "联合抽查计划", "plans": plans, "can_edit": has_perm(request.user, Perm.PLAN_EDIT)})


@login_required
def joint_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    joint = selectors.joint_plan_get(actor=request.user, pk=pk) if pk else None
    form = JointPlanForm(request.POST or None, instance=joint)
    form.restrict(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            kwargs = {"participants": list(form.cleaned_data["participants"]),
                      "owner_items": list(form.cleaned_data["owner_items"])}
            if joint is None:
                joint = services.joint_plan_create(actor=request.user, data=form.service_data(), **kwargs)
            else:
                joint = services.joint_plan_update(
                    actor=request.user, joint_plan=joint, data=form.service_data(), **kwargs
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "联合抽查计划已保存")
            return redirect(joint)
    title = "修改联合抽查计划" if joint else "新建联合抽查计划"
    return render(request, "form.html", {"form": form, "title": title})


@login_required
def joint_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    joint = selectors.joint_plan_get(actor=request.user, pk=pk)
    participants = list(selectors.joint_participants(joint_plan=joint))
    for participant in participants:
        participant.can_confirm = (  # type: ignore[attr-defined]
            joint.status == JointPlanStatus.CONFIRMING and participant.confirmed_at is None
            and can_confirm_for(request.user, participant.organization)
        )
    return render(request, "planning/joint_detail.html", {
        "joint": joint, "title": joint.title, "participants": participants,
        "can_edit": can_edit_plans(request.user, joint.owner_id), "confirm_form": ConfirmForm(),
        "tasks": selectors.task_list(actor=request.user).filter(joint_plan=joint),
        "deadlines": deadlines_for_subject(actor=request.user, subject=joint),
        "diff": selectors.joint_plan_diff(old=joint.previous, new=joint) if joint.previous else None,
        "next_version": selectors.joint_plan_list(actor=request.user).filter(previous=joint).first(),
        "estimate": joint_estimate(joint), "joint_ratios": joint_ratios(joint),
    })


@login_required
@require_POST
def joint_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    joint = selectors.joint_plan_get(actor=request.user, pk=pk)
    try:
        if action == "send":
            services.joint_plan_send(
                actor=request.user, joint_plan=joint, justification=request.POST.get("justification", "")
            )
            messages.success(request, "已发送各参与部门确认")
        elif action == "publish":
            services.joint_plan_publish(actor=request.user, joint_plan=joint)
            messages.success(request, "联合抽查计划已公布")
        elif action == "adjust":
            new = services.joint_plan_adjust(actor=request.user, joint_plan=joint, reason=request.POST.get("reason", ""))
            messages.success(request, f"已生成第{new.version}版（调整稿），修改后发送各参与部门重新确认，再公布")
            return redirect("planning:joint_edit", pk=new.pk)
        else:
            raise NotFoundError("未知的操作")
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(joint)


@login_required
def joint_history(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    joint = selectors.joint_plan_get(actor=request.user, pk=pk)
    versions = selectors.joint_plan_versions(actor=request.user, plan=joint)
    rows = []
    for version in versions:
        previous = next((v for v in versions if v.pk == version.previous_id), None)
        rows.append({"plan": version, "previous": previous,
                     "diff": selectors.joint_plan_diff(old=previous, new=version) if previous else None})
    return render(request, "planning/joint_history.html", {
        "joint": joint, "rows": rows, "title": f"{joint.title} · 版本记录"})


@login_required
@require_POST
def joint_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    participant = selectors.joint_participant_get(actor=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("确认信息填写有误")
        titles = form.cleaned_data["item_titles"]
        services.joint_participant_confirm(
            actor=request.user, participant=participant, item_titles=titles or None,
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, f"{participant.organization.name}已确认本部门抽查内容")
    return redirect("planning:joint_detail", pk=participant.joint_plan_id)


# ---------------------------------------------------------------- national tasks


@login_required
def national_list(request: AuthedHttpRequest) -> HttpResponse:
    tasks = selectors.national_task_list(actor=request.user)
    return render(request, "planning/national_list.html", {
        "title": "上级下达任务", "tasks": tasks, "can_edit": has_perm(request.user, Perm.PLAN_EDIT)})


@login_required
def national_import(request: AuthedHttpRequest) -> HttpResponse:
    form = NationalImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            tasks = services.national_tasks_import(actor=request.user, content=upload.read(), file_name=upload.name)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            errors = exc.extra.get("errors", [])
        else:
            messages.success(request, f"已导入{len(tasks)}项上级下达任务")
            return redirect("planning:national_list")
    return render(request, "planning/national_import.html", {"form": form, "errors": errors, "title": "导入上级下达任务"})


@login_required
@require_POST
def national_claim(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    national = selectors.national_task_get(actor=request.user, pk=pk)
    with user_errors(request):
        task = services.national_task_claim(actor=request.user, national_task=national)
        return redirect("planning:national_list")
    messages.success(request, f"已认领，生成任务{task.code}；抽查范围和比例由上级确定，不可修改")
    return redirect(task)


# ---------------------------------------------------------------- tasks


@login_required
def task_list(request: AuthedHttpRequest) -> HttpResponse:
    state = request.GET.get("state") or None
    tasks = selectors.task_list(actor=request.user, state=state)
    return render(request, "planning/task_list.html", {
        "title": "抽查任务", "tasks": tasks, "states": TaskState.choices, "state": state})


def _stepper(task: Any) -> list[dict[str, Any]]:
    order = list(TaskState.values)
    current = order.index(task.state)
    return [{"label": label, "done": i < current, "active": i == current}
            for i, (_, label) in enumerate(TaskState.choices)]


@login_required
def task_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    # the 双随机抽取 card and its verification commands come from the draws app (planning.task_pages)
    extra, subjects = task_page_context(request.user, task)
    deadlines = deadlines_for_subject(actor=request.user, subject=task)
    for subject in subjects:
        deadlines += deadlines_for_subject(actor=request.user, subject=subject)
    return render(request, "planning/task_detail.html", {
        "verify_commands": [], "draw_summary": None, **extra,
        "task": task, "title": f"{task.code} {task.title}", "stepper": _stepper(task),
        "scheme": selectors.task_scheme(task=task), "deadlines": deadlines,
        "transitions": services.task_manual_transitions(task), "history": task.transitions.select_related("actor"),
        "can_edit": can_edit_plans(request.user, task.owner_id),
        "can_approve": can_approve(request.user, task.owner_id),
        "rule_lines": task_rules(task, today=timezone.localdate()).lines(),
        "estimate": task_estimate(task),
    })


@login_required
def task_create(request: AuthedHttpRequest) -> HttpResponse:
    """From a plan line (?line=) or a published joint plan (?joint=)."""
    line = joint = None
    initial: dict[str, Any] = {"methods": ["on_site"], "team_size": 2}
    if request.GET.get("line"):
        line = selectors.plan_line_get(actor=request.user, pk=int(request.GET["line"]))
        initial |= {"title": f"{line.item.name}随机抽查", "items": [line.item], "ratios": line.ratios,
                    "methods": line.item.methods or ["on_site"]}
    elif request.GET.get("joint"):
        joint = selectors.joint_plan_get(actor=request.user, pk=int(request.GET["joint"]))
        own = joint.participants.filter(organization_id=joint.owner_id).first()
        initial |= {"title": joint.title, "items": list(own.items.all()) if own else [],
                    "ratios": joint_ratios(joint), "window_start": joint.window_start,
                    "window_end": joint.window_end,
                    "participants": [p.organization for p in joint.participants.exclude(organization_id=joint.owner_id)]}
    else:
        raise NotFoundError("请从已公布的年度计划事项或联合抽查计划创建任务")
    form = TaskForm(request.POST or None, initial=initial)
    form.restrict(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if line is not None:
                task = services.task_create_from_plan_line(actor=request.user, line=line, data=form.service_data())
            else:
                assert joint is not None
                task = services.task_create_from_joint_plan(actor=request.user, joint_plan=joint, data=form.service_data())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"任务{task.code}已创建，请生成并公布工作方案")
            return redirect(task)
    return render(request, "form.html", {"form": form, "title": "新建抽查任务"})


@login_required
def task_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    form = TaskForm(request.POST or None, instance=task, initial={
        "items": list(task.items.all()), "specialties": list(task.specialties.all()),
        "regions": list(task.regions.all()), "participants": list(task.participants.all())})
    form.restrict(request.user, locked=task.scope_locked)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_update(
                actor=request.user, task=task, data=form.service_data(locked=task.scope_locked)
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "任务已保存")
            return redirect(task)
    return render(request, "form.html", {"form": form, "title": f"修改任务 {task.code}"})


@login_required
@require_POST
def task_transition(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    with user_errors(request):
        services.task_transition(
            actor=request.user, task=task, to_state=request.POST.get("to_state", ""),
            comment=request.POST.get("comment", ""), manual_only=True,
        )
        messages.success(request, f"任务状态：{task.get_state_display()}")
    return redirect(task)


# ---------------------------------------------------------------- 工作方案


@login_required
@require_POST
def scheme_generate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    with user_errors(request):
        services.scheme_generate(actor=request.user, task=task, regenerate=request.POST.get("regenerate") == "1")
        messages.success(request, "已按模板生成工作方案，请修改完善后报审批")
        return redirect(task)
    return redirect("planning:scheme_edit", pk=task.pk)


@login_required
def scheme_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    scheme = selectors.task_scheme(task=task)
    if scheme is None:
        raise NotFoundError("该任务还没有工作方案，请先生成")
    form = SchemeForm(request.POST or None, instance=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(actor=request.user, scheme=scheme, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "工作方案已保存")
            return redirect(task)
    return render(request, "planning/scheme_edit.html", {
        "form": form, "task": task, "scheme": scheme, "title": f"工作方案 · {task.code}"})


@login_required
@require_POST
def scheme_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    scheme = selectors.task_scheme(task=task)
    if scheme is None or action not in ("approve", "publish"):
        raise NotFoundError("工作方案不存在")
    with user_errors(request):
        if action == "approve":
            services.scheme_approve(actor=request.user, scheme=scheme, comment=request.POST.get("comment", ""))
            messages.success(request, "工作方案已审批")
        else:
            services.scheme_publish(actor=request.user, scheme=scheme)
            messages.success(request, "工作方案已公布，任务进入“方案已公布”，可以抽取检查对象")
    return redirect(task)


@login_required
def scheme_download(request: AuthedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    scheme = selectors.task_scheme(task=task)
    if scheme is None or fmt not in ("docx", "pdf"):
        raise NotFoundError("工作方案不存在")
    if fmt == "pdf":
        content, content_type = scheme_pdf(scheme), "application/pdf"
    else:
        content = scheme_docx(scheme)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(content, content_type=content_type)
    from urllib.parse import quote

    filename = quote(f"{task.code}工作方案.{fmt}")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
