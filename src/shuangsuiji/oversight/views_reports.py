"""Pages of the 月报表 and the 半年/全年情况报告: list, open, edit (drafts), submit, download."""

from __future__ import annotations

import copy
import datetime
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.models import Organization
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.common.crypto import mask_phone
from shuangsuiji.common.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import XLSX, attachment
from shuangsuiji.oversight.forms_reports import MonthlyReportForm, PeriodReportForm, ReportCreateForm
from shuangsuiji.oversight.models_reports import PeriodKind
from shuangsuiji.oversight.permissions import can_edit_reports, require_statistics_viewer
from shuangsuiji.oversight.reports import selectors, services
from shuangsuiji.oversight.reports.monthly import FIELDS, MonthlyContent, build_monthly
from shuangsuiji.oversight.reports.monthly_files import monthly_pdf, monthly_xlsx
from shuangsuiji.oversight.reports.period import TEXT_SECTIONS, PeriodContent, build_period
from shuangsuiji.oversight.reports.period_files import chart_images, headings, period_docx, period_pdf
from shuangsuiji.oversight.views_dashboard import _int

PERIOD_CACHE_SECONDS = 300
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def report_list(request: AuthedHttpRequest) -> HttpResponse:
    require_statistics_viewer(request.user)
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    bureau = user_bureau(request.user)
    overview = selectors.submission_overview(actor=request.user, year=year)
    context = {
        "title": "月报表与情况报告", "tab": "reports", "year": year,
        "years": list(range(today.year + 1, today.year - 5, -1)), "months": list(range(1, 13)),
        "monthly": selectors.monthly_list(actor=request.user, year=year),
        "periods": selectors.period_list(actor=request.user, year=year),
        "overview": overview if len(overview) > 1 else None, "period_kinds": PeriodKind.choices,
        "can_edit": can_edit_reports(request.user), "bureau": bureau,
        "default_month": (today.replace(day=1) - datetime.timedelta(days=1)).month,
    }
    return render(request, "oversight/reports/report_list.html", context)


def _own_bureau(request: AuthedHttpRequest) -> Organization:
    bureau = user_bureau(request.user)
    if bureau is None:
        raise PermissionDeniedError("您的账号未关联单位")
    return bureau


@login_required
@require_POST
def report_create(request: AuthedHttpRequest) -> HttpResponse:
    form = ReportCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择年度和月份（或报告类别）")
        return redirect("oversight:report_list")
    data = form.cleaned_data
    try:
        if data.get("month"):
            monthly = services.monthly_report_open(actor=request.user, owner=_own_bureau(request), year=data["year"],
                                                   month=data["month"])
            return redirect(monthly)
        period = services.period_report_open(actor=request.user, owner=_own_bureau(request), year=data["year"],
                                             kind=data.get("kind") or PeriodKind.HALF_YEAR)
        return redirect(period)
    except PermissionDeniedError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("oversight:report_list")


# ---------------------------------------------------------------------------------------- 月报表


PHONE_PATTERN = re.compile(r"\d[\d-]{5,}\d")


def masked_for(user: Any, report: Any, content: Any) -> Any:
    """Pages show phones in full to the bureau's own editors only (the downloads are the official document)."""
    if can_edit_reports(user, report.owner_id):
        return content
    content = copy.deepcopy(content)
    content.contact_phone = mask_phone(content.contact_phone)
    content.mobile = mask_phone(content.mobile)
    if isinstance(content, PeriodContent):
        content.duties = [[*row[:3], PHONE_PATTERN.sub(lambda m: mask_phone(m.group(0)), row[3])]
                          for row in content.duties]
    return content


@login_required
def monthly_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_statistics_viewer(request.user)
    report = selectors.monthly_get(actor=request.user, pk=pk)
    content = build_monthly(report)
    editable = not report.is_submitted and can_edit_reports(request.user, report.owner_id)
    fields = [(key, content.label(key), content.generated.get(key, "")) for key, *_ in FIELDS]
    initial = {"contact_person": report.contact_person, "contact_phone": report.contact_phone, "mobile": report.mobile,
               "filled_on": report.filled_on, "website": report.website,
               **{f"text_{k}": v for k, v in (report.texts or {}).items()}}
    form = MonthlyReportForm(request.POST or None, initial=initial, fields=fields) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDeniedError("报表已报送或您无权修改")
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("contact_person", "contact_phone", "mobile", "filled_on", "website")}
            data["texts"] = form.texts()
            try:
                services.monthly_report_update(actor=request.user, report=report, data=data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "月报表已保存（尚未报送）")
                return redirect(report)
    context = {
        "title": str(report), "report": report, "content": masked_for(request.user, report, content), "form": form,
        "editable": editable,
        "deadline": selectors.report_deadline(report), "tab": "reports",
    }
    return render(request, "oversight/reports/monthly_detail.html", context)


@login_required
@require_POST
def monthly_submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.monthly_get(actor=request.user, pk=pk)
    try:
        services.monthly_report_submit(actor=request.user, report=report)
    except PermissionDeniedError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "月报表已报送，内容已冻结，上级单位可以查看")
    return redirect(report)


def _monthly_content(request: AuthedHttpRequest, pk: int) -> tuple[Any, MonthlyContent]:
    require_statistics_viewer(request.user)
    report = selectors.monthly_get(actor=request.user, pk=pk)
    return report, build_monthly(report)


@login_required
def monthly_xlsx_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, content = _monthly_content(request, pk)
    return attachment(monthly_xlsx(content), XLSX, f"{content.organization}{content.period_text}月报表.xlsx")


@login_required
def monthly_pdf_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, content = _monthly_content(request, pk)
    return attachment(monthly_pdf(content), "application/pdf", f"{content.organization}{content.period_text}月报表.pdf")


# ---------------------------------------------------------------------------------------- 半年 / 全年报告


@login_required
def period_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_statistics_viewer(request.user)
    report = selectors.period_get(actor=request.user, pk=pk)
    editable = not report.is_submitted and can_edit_reports(request.user, report.owner_id)
    initial = {"contact_person": report.contact_person, "contact_phone": report.contact_phone, "mobile": report.mobile,
               "period_end": report.period_end, **{f"text_{k}": v for k, v in (report.texts or {}).items()}}
    form = PeriodReportForm(request.POST or None, initial=initial, sections=TEXT_SECTIONS) if editable else None
    if request.method == "POST":
        if form is None:
            raise PermissionDeniedError("报告已报送或您无权修改")
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("contact_person", "contact_phone", "mobile", "period_end")}
            data["texts"] = form.texts()
            try:
                services.period_report_update(actor=request.user, report=report, data=data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "情况报告已保存（尚未报送）")
                return redirect(report)
    content = cached_period(report)
    context = {
        "title": content.title, "report": report, "content": masked_for(request.user, report, content), "form": form,
        "editable": editable,
        "h": headings(content), "charts": list(chart_images(content)), "deadline": selectors.report_deadline(report),
        "tab": "reports",
    }
    return render(request, "oversight/reports/period_detail.html", context)


@login_required
@require_POST
def period_submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.period_get(actor=request.user, pk=pk)
    try:
        services.period_report_submit(actor=request.user, report=report)
    except PermissionDeniedError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "情况报告已报送，内容已冻结，上级单位可以查看")
    return redirect(report)


def cached_period(report: Any) -> PeriodContent:
    """A draft's content is rebuilt from the data at most every few minutes (the page and its three charts ask
    for it together; a province's report aggregates a lot); a submitted report reads its snapshot."""
    if report.is_submitted:
        return build_period(report)
    key = f"ssj:period-report:{report.pk}:{report.updated_at.timestamp()}:{timezone.localdate().isoformat()}"
    data = cache.get(key)
    if data is None:
        data = build_period(report).as_json()
        cache.set(key, data, PERIOD_CACHE_SECONDS)
    return PeriodContent.from_json(data)


def _period_content(request: AuthedHttpRequest, pk: int) -> tuple[Any, PeriodContent]:
    require_statistics_viewer(request.user)
    report = selectors.period_get(actor=request.user, pk=pk)
    return report, cached_period(report)


@login_required
def period_docx_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, content = _period_content(request, pk)
    return attachment(period_docx(content), DOCX, f"{content.title}.docx")


@login_required
def period_pdf_download(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    report, content = _period_content(request, pk)
    return attachment(period_pdf(content), "application/pdf", f"{content.title}.pdf")


@login_required
def period_chart(request: AuthedHttpRequest, pk: int, name: str) -> HttpResponse:
    report, content = _period_content(request, pk)
    images = chart_images(content)
    if name not in images:
        raise NotFoundError("没有这张图表")
    response = HttpResponse(images[name], content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response
