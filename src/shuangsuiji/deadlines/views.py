"""Pages of 期限督办: each view parses input, calls one selector or service, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.stat_tables import xlsx
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import XLSX, attachment
from shuangsuiji.core.workdays import DayKind
from shuangsuiji.deadlines import calendar_services, exports, selectors, services
from shuangsuiji.deadlines.forms import AccountabilityConclusionForm, NoticeImportForm, SupervisionAnswerForm
from shuangsuiji.deadlines.models import AccountabilityStatus, DeadlineStatus, SupervisionStatus
from shuangsuiji.deadlines.permissions import (
    can_answer_supervision,
    can_conclude_accountability,
    can_manage_calendar,
    can_view_accountability,
)

PAGE_SIZE = 50


def _page(request: AuthedHttpRequest, items: object) -> object:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]


def _tabs(request: AuthedHttpRequest, active: str) -> dict[str, object]:
    return {"tab": active, "show_accountability": can_view_accountability(request.user)}


# ---------------------------------------------------------------------------------------- deadlines


@login_required
def deadline_list(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    deadlines = selectors.deadline_list(actor=request.user, filters=request.GET, today=today)
    counts = selectors.deadline_status_counts(actor=request.user, today=today)
    filterset = selectors.DeadlineFilterSet(request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": "期限台账", "page": _page(request, deadlines), "filter": filterset, "counts": counts,
        "statuses": DeadlineStatus, "today": today, "query": query.urlencode(), **_tabs(request, "deadlines"),
    }
    return render(request, "deadlines/deadline_list.html", context)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    return attachment(content, XLSX, f"{name}{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def deadline_export(request: AuthedHttpRequest) -> HttpResponse:
    """The 期限台账 as .xlsx: the rows of the list with the same filters."""
    deadlines = selectors.deadline_list(actor=request.user, filters=request.GET, today=timezone.localdate())
    return _xlsx(xlsx(exports.deadline_table(deadlines)), "期限台账")


@login_required
def deadline_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    deadline = selectors.deadline_get(actor=request.user, pk=pk)
    context = {
        "title": str(deadline), "deadline": deadline,
        # reverse one-to-one: getattr's default covers "none yet"
        "supervision": getattr(deadline, "supervision", None),
        "accountability": getattr(deadline, "accountability", None) if can_view_accountability(request.user) else None,
        **_tabs(request, "deadlines"),
    }
    return render(request, "deadlines/deadline_detail.html", context)


# ---------------------------------------------------------------------------------------- notifications


@login_required
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(actor=request.user, unread_only=unread_only)
    context = {"title": "我的提醒", "page": _page(request, notifications), "unread_only": unread_only,
               **_tabs(request, "notifications")}
    return render(request, "deadlines/notification_list.html", context)


@login_required
def notification_open(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get(actor=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("deadlines:notification_list")


@login_required
@require_POST
def notification_read(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get(actor=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect("deadlines:notification_list")


@login_required
@require_POST
def notification_read_all(request: AuthedHttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, f"已将 {count} 条提醒标为已读")
    return redirect("deadlines:notification_list")


# ---------------------------------------------------------------------------------------- 督办


@login_required
def supervision_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    supervisions = selectors.supervision_list(actor=request.user, status=status)
    context = {"title": "督办", "page": _page(request, supervisions), "status": status,
               "statuses": SupervisionStatus.choices, **_tabs(request, "supervisions")}
    return render(request, "deadlines/supervision_list.html", context)


@login_required
def supervision_export(request: AuthedHttpRequest) -> HttpResponse:
    supervisions = selectors.supervision_list(actor=request.user, status=request.GET.get("status", ""))
    return _xlsx(xlsx(exports.supervision_table(supervisions)), "督办")


@login_required
def supervision_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    supervision = selectors.supervision_get(actor=request.user, pk=pk)
    can_answer = can_answer_supervision(request.user, supervision) and supervision.status != SupervisionStatus.CLOSED
    form = SupervisionAnswerForm(request.POST or None)
    if request.method == "POST" and can_answer and form.is_valid():
        try:
            services.supervision_answer(
                actor=request.user, supervision=supervision, reason=form.cleaned_data["reason"],
                promised_date=form.cleaned_data["promised_date"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已答复督办，督办人会收到通知")
            return redirect(supervision)
    elif request.method == "POST" and not can_answer:
        messages.error(request, "只有被督办的责任人可以答复督办")
    context = {"title": supervision.number, "supervision": supervision, "deadline": supervision.deadline,
               "form": form, "can_answer": can_answer, "addressees": supervision.addressees.all(),
               **_tabs(request, "supervisions")}
    return render(request, "deadlines/supervision_detail.html", context)


# ---------------------------------------------------------------------------------------- 问责


@login_required
def accountability_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    records = selectors.accountability_list(actor=request.user, status=status)
    context = {"title": "问责记录", "page": _page(request, records), "status": status,
               "statuses": AccountabilityStatus.choices, **_tabs(request, "accountability")}
    return render(request, "deadlines/accountability_list.html", context)


@login_required
def accountability_export(request: AuthedHttpRequest) -> HttpResponse:
    records = selectors.accountability_list(actor=request.user, status=request.GET.get("status", ""))
    return _xlsx(xlsx(exports.accountability_table(records)), "问责记录")


@login_required
def accountability_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.accountability_get(actor=request.user, pk=pk)
    can_conclude = can_conclude_accountability(request.user, record)
    form = AccountabilityConclusionForm(request.POST or None, initial={"conclusion": record.conclusion})
    if request.method == "POST" and can_conclude and form.is_valid():
        try:
            services.accountability_conclude(
                actor=request.user, accountability=record, conclusion=form.cleaned_data["conclusion"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "处理意见已保存")
            return redirect(record)
    context = {"title": str(record), "record": record, "form": form, "can_conclude": can_conclude,
               **_tabs(request, "accountability")}
    return render(request, "deadlines/accountability_detail.html", context)


# ---------------------------------------------------------------------------------------- calendar


@login_required
def calendar_current(request: AuthedHttpRequest) -> HttpResponse:
    return redirect("deadlines:calendar_year", year=timezone.localdate().year)


@login_required
def calendar_year(request: AuthedHttpRequest, year: int) -> HttpResponse:
    view = selectors.calendar_year_view(year=year)
    context = {"title": f"{year}年工作日历", "view": view, "can_manage": can_manage_calendar(request.user),
               **_tabs(request, "calendar")}
    return render(request, "deadlines/calendar_year.html", context)


@login_required
def calendar_export(request: AuthedHttpRequest, year: int) -> HttpResponse:
    rows = calendar_services.calendar_rows_for_year(year)
    lines = ["日期,类型,名称"] + [
        f"{row.date.isoformat()},{'休' if row.kind is DayKind.DAY_OFF else '班'},{row.name}" for row in rows
    ]
    response = HttpResponse("\ufeff" + "\n".join(lines) + "\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="holidays-{year}.csv"'
    return response


@login_required
def calendar_import(request: AuthedHttpRequest) -> HttpResponse:
    """GET: the form; POST: preview (nothing saved); POST with ``confirm``: save the whole year at once."""
    form = NoticeImportForm(request.POST or None, request.FILES or None)
    preview = None
    text = ""
    if not can_manage_calendar(request.user):
        messages.info(request, "只有系统管理员和双随机办管理员可以导入放假安排，您可以查看说明。")
    elif request.method == "POST" and form.is_valid():
        try:
            text = form.notice_text()
            if request.POST.get("confirm") == "1":
                saved = calendar_services.calendar_import_notice(
                    actor=request.user, text=text, notice_title=form.cleaned_data["notice_title"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, f"{saved.year}年放假安排已保存，相关期限已重新计算")
                return redirect("deadlines:calendar_year", year=saved.year)
            preview = calendar_services.calendar_import_preview(actor=request.user, text=text)
        except ApplicationError as exc:
            for line in exc.message.splitlines():
                form.add_error(None, line)
    context = {"title": "导入国务院放假安排", "form": form, "preview": preview, "text": text,
               "can_manage": can_manage_calendar(request.user), **_tabs(request, "calendar")}
    return render(request, "deadlines/calendar_import.html", context)
