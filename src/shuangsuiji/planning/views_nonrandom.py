"""Page to record a non-random task (投诉举报、转办交办、专项检查) with its source and named targets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.directory.models import CheckItem, InspectionMethod, Target
from shuangsuiji.planning.forms import DATE, _current_items
from shuangsuiji.planning.models import NonRandomSource
from shuangsuiji.planning.nonrandom import nonrandom_task_create


def targets_by_codes(actor: User, text: str) -> list[Target]:
    """Targets of the actor's bureau named one per line by 统一社会信用代码, 对象编码 or exact name."""
    bureau = user_bureau(actor)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found: list[Target] = []
    unknown: list[str] = []
    for number, line in enumerate(lines, start=1):
        qs = Target.objects.filter(owner=bureau) if bureau is not None else Target.objects.none()
        target = qs.filter(uscc=line.upper()).first() or qs.filter(code=line).first() or qs.filter(name=line).first()
        if target is None:
            unknown.append(f"第{number}行“{line}”")
        elif target not in found:
            found.append(target)
    if unknown:
        raise ApplicationError(f"本单位名录库中找不到下列检查对象：{'、'.join(unknown)}（请填写统一社会信用代码、对象编码或单位全称）")
    return found


class NonRandomTaskForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=200)
    source = forms.ChoiceField(label="来源", choices=NonRandomSource.choices)
    reference = forms.CharField(label="来源编号/文号", max_length=100, required=False,
                                help_text="如投诉举报登记号、交办函文号")
    received_on = forms.DateField(label="受理/交办日期", widget=DATE)
    summary = forms.CharField(label="线索/交办内容（内部，不公开）", widget=forms.Textarea(attrs={"rows": 3}))
    items = forms.ModelMultipleChoiceField(label="抽查事项", queryset=CheckItem.objects.none())
    targets = forms.CharField(label="检查对象（每行一个：统一社会信用代码、对象编码或单位全称）",
                              widget=forms.Textarea(attrs={"rows": 3}))
    window_start = forms.DateField(label="检查开始日期", widget=DATE)
    window_end = forms.DateField(label="检查结束日期", widget=DATE)
    methods = forms.MultipleChoiceField(label="检查方式", choices=InspectionMethod.choices,
                                        widget=forms.CheckboxSelectMultiple, initial=["on_site"])

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = _current_items(actor)


@login_required
def nonrandom_create(request: AuthedHttpRequest) -> HttpResponse:
    form = NonRandomTaskForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = nonrandom_task_create(
                    actor=request.user, title=data["title"], source=data["source"], reference=data["reference"],
                    received_on=data["received_on"], summary=data["summary"], items=list(data["items"]),
                    targets=targets_by_codes(request.user, data["targets"]), window_start=data["window_start"],
                    window_end=data["window_end"], methods=data["methods"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, f"已登记非随机检查任务 {task.code}，请指派检查组")
                return redirect(reverse("inspections:nonrandom_team", args=[task.pk]))
        else:
            status = 400
    return render(request, "planning/nonrandom_form.html",
                  {"title": "登记非随机检查（投诉举报、转办交办、专项检查）", "form": form}, status=status)
