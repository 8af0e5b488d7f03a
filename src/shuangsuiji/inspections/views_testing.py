"""Pages of 检验检测 on a record: 登记送检 (holds the entry deadline) and 登记检测报告 (attached; resumes it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.inspections import selectors, testing
from shuangsuiji.inspections.models import AgencyKind, TestingConclusion, TestingRecord

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TestingForm(forms.Form):
    agency_name = forms.CharField(label="检测机构", max_length=128)
    agency_kind = forms.ChoiceField(label="机构类别", choices=AgencyKind.choices)
    agency_qualification = forms.CharField(label="资质认定（CMA）证书编号", max_length=64, required=False,
                                           help_text="第三方检测机构必填")
    sample = forms.CharField(label="样品名称及数量", max_length=255)
    test_items = forms.CharField(label="检测项目", max_length=255)
    sampled_on = forms.DateField(label="采样日期", widget=DATE)
    sent_on = forms.DateField(label="送检日期", widget=DATE)


class ReportForm(forms.Form):
    report_number = forms.CharField(label="检测报告编号", max_length=64)
    report_on = forms.DateField(label="报告出具日期", widget=DATE)
    conclusion = forms.ChoiceField(label="检测结论", choices=TestingConclusion.choices)
    file = forms.FileField(label="检测报告文件（PDF 或扫描件）")


def _errors(form: forms.Form) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{'，'.join(str(e) for e in v)}"
        for k, v in form.errors.items()
    )


@login_required
@require_POST
def testing_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    form = TestingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(record)
    with user_errors(request):
        done = testing.testing_create(actor=request.user, record=record, **form.cleaned_data)
        messages.success(request, f"已登记送检：{done.agency_name}。结果录入期限自{format_cn_date(done.sent_on)}起中止，"
                                  "收到报告后恢复计算")
    return redirect(record)


@login_required
@require_POST
def testing_report(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    found = TestingRecord.objects.visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(found.record)
    with user_errors(request):
        done = testing.testing_report(
            actor=request.user, testing=found, report_number=form.cleaned_data["report_number"],
            report_on=form.cleaned_data["report_on"], conclusion=form.cleaned_data["conclusion"],
            upload=request.FILES.get("file"),
        )
        messages.success(request, f"已登记检测报告 {done.report_number}，结果录入期限恢复计算（顺延{done.held_workdays}个工作日）")
    return redirect(found.record)
