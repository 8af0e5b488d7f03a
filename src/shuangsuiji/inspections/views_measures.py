"""Page action: 登记提醒、培训、约谈、记分 on an approved 一企一表."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.inspections import measures, selectors
from shuangsuiji.inspections.models import EvaluationGrade, MeasureKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label="措施", choices=MeasureKind.choices)
    occurred_on = forms.DateField(label="日期", widget=DATE)
    participants = forms.CharField(label="约谈/提醒对象及参加人员", max_length=255, required=False)
    content = forms.CharField(label="事由及内容", widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(label="结果（整改承诺、落实情况）", widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.IntegerField(label="记分分值（记分时填写）", min_value=1, max_value=measures.MAX_POINTS, required=False)
    evaluation_grade = forms.ChoiceField(
        label="传染病防治分类监督综合评价结果（医疗机构记分时填写）",
        choices=[("", "—"), *EvaluationGrade.choices], required=False,
    )
    evaluation_score = forms.DecimalField(label="综合评价得分", min_value=0, max_value=100, decimal_places=1,
                                          required=False)


@login_required
@require_POST
def measure_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    form = MeasureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(
            f"{form.fields[k].label if k in form.fields else ''}：{'，'.join(str(e) for e in v)}"
            for k, v in form.errors.items()))
        return redirect(record)
    with user_errors(request):
        done = measures.measure_record(actor=request.user, record=record, **form.cleaned_data)
        total = measures.points_in_year(record.target_id, done.occurred_on.year)
        extra = f"，该单位本年累计记分{total}分" if done.kind == MeasureKind.SCORING else ""
        messages.success(request, f"已登记{done.kind_label}{extra}")
    return redirect(record)
