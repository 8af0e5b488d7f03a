"""Page of a non-random task: its source and targets, and the 指派 of its team (→ 一企一表)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import readable_owner_ids
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.directory.models import Inspector, InspectorKind, InspectorStatus
from shuangsuiji.inspections import selectors
from shuangsuiji.inspections.nonrandom import nonrandom_records_generate
from shuangsuiji.inspections.views_team import InspectorChoiceField
from shuangsuiji.planning.models import NonRandomBasis, TaskKind


class OfficerMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Inspector) -> str:  # type: ignore[override]
        return f"{obj.name}（{obj.licence_no}，{obj.organization.name}）"


def _officers(actor: User) -> Any:
    ids = readable_owner_ids(actor)
    qs = Inspector.objects.filter(kind=InspectorKind.OFFICER, status=InspectorStatus.ON_DUTY, is_retired=False)
    if ids is not None:
        qs = qs.filter(owner_id__in=ids)
    today = timezone.localdate()
    valid = Q(licence_valid_to__gte=today) & (Q(licence_valid_from__isnull=True) | Q(licence_valid_from__lte=today))
    return qs.exclude(licence_no="").filter(valid).select_related("organization").order_by("name")


class NonRandomTeamForm(forms.Form):
    leader = InspectorChoiceField(label="组长（执法人员）", queryset=Inspector.objects.none())
    members = OfficerMultipleChoiceField(label="组员（执法人员，至少1名）", queryset=Inspector.objects.none())

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("leader", "members"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = _officers(actor)


@login_required
def nonrandom_team(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    if task.kind != TaskKind.NONRANDOM:
        raise Http404
    basis = NonRandomBasis.objects.filter(task=task).first()
    form = NonRandomTeamForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = nonrandom_records_generate(
                    actor=request.user, task=task, leader=form.cleaned_data["leader"],
                    members=list(form.cleaned_data["members"]),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, f"已指派检查组并生成 {len(created)} 份一企一表")
                return redirect(reverse("inspections:task_records", args=[task.pk]))
        else:
            status = 400
    context = {
        "title": f"{task.code} {task.title} · 非随机检查", "task": task, "basis": basis,
        "targets": basis.targets.order_by("name") if basis else [], "form": form,
        "has_records": task.inspection_records.exists(),
    }
    return render(request, "inspections/nonrandom_team.html", context, status=status)
