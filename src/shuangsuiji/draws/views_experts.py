"""Pages of the expert draw (专家随机抽取): plan and form, result with verification, record download."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shuangsuiji.accounts.scope import get_visible_or_404
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.draws import experts, selectors
from shuangsuiji.draws.models import ExpertDraw
from shuangsuiji.draws.permissions import can_run


class ExpertDrawForm(forms.Form):
    randomness = forms.CharField(
        label="公开随机数", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="抽取前公布、抽取后才开出的随机数（如开奖号码），每行一组",
    )
    randomness_source = forms.CharField(label="随机数出处", max_length=255)
    reason = forms.CharField(label="重新抽取原因", max_length=255, required=False)


@login_required
def task_experts(request: AuthedHttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=task_id)
    form = ExpertDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with user_errors(request):
            done = experts.expert_draw_run(
                actor=request.user, task=task, randomness=form.cleaned_data["randomness"].splitlines(),
                randomness_source=form.cleaned_data["randomness_source"], reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"已抽取专家：{len(done.record['selections'])} 人次")
            return redirect(done)
    context = {
        "title": f"{task.code} {task.title} · 专家抽取",
        "task": task,
        "plan": experts.expert_plan(task),
        "specialties": experts.expert_specialties(task),
        "draws": ExpertDraw.objects.visible_to(request.user).filter(task=task).order_by("-sequence"),
        "form": form,
        "can_run": can_run(request.user, task.owner_id),
        "back_url": reverse("draws:task_draw", args=[task.pk]),
    }
    return render(request, "draws/task_experts.html", context)


@login_required
def expert_draw_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    expert_draw = get_visible_or_404(ExpertDraw.objects.select_related("task", "match", "drawn_by"), request.user, pk=pk)
    check = experts.expert_draw_verify(expert_draw)
    context = {
        "title": f"{expert_draw} ",
        "d": expert_draw,
        "selections": expert_draw.selections.select_related(
            "drawn_target__target", "specialty", "inspector__organization"
        ).order_by("drawn_target__target__name"),
        "shortfalls": experts.shortfall_rows(expert_draw),
        "problems": check.problems,
    }
    return render(request, "draws/expert_draw_detail.html", context)


@login_required
def expert_draw_record(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    expert_draw = get_visible_or_404(ExpertDraw.objects.all(), request.user, pk=pk)
    response = HttpResponse(
        json.dumps(expert_draw.record, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="expert-draw-{expert_draw.pk}.json"'
    return response
