"""Pages of the organization register: 领导小组, 工作分工/专家, meetings/documents/trainings."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.oversight import register
from shuangsuiji.oversight.forms_reports import REGISTER_FORMS, service_data
from shuangsuiji.oversight.models_reports import WorkEventKind
from shuangsuiji.oversight.permissions import can_edit_reports, require_statistics_viewer
from shuangsuiji.oversight.views_dashboard import _int


@login_required
def register_page(request: AuthedHttpRequest) -> HttpResponse:
    require_statistics_viewer(request.user)
    owner = register.register_owner(actor=request.user, org_id=_int(request.GET.get("org")))
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    kind = request.GET.get("kind") or ""
    can_edit = can_edit_reports(request.user, owner.pk)
    events = register.events_of([owner.pk], datetime.date(year, 1, 1), datetime.date(year, 12, 31),
                                kind if kind in WorkEventKind.values else None)
    context = {
        "title": f"{owner.name} · 领导小组与工作登记", "owner": owner, "year": year, "kind": kind,
        "members": register.members_of(owner), "duties": register.duties_of(owner, year), "events": events,
        "event_kinds": WorkEventKind.choices, "can_edit": can_edit, "tab": "register",
        "years": list(range(today.year + 1, today.year - 5, -1)),
    }
    return render(request, "oversight/register/register.html", context)


@login_required
def register_edit(request: AuthedHttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    spec = register.register_kind(kind)
    entry = register.entry_get(actor=request.user, kind=kind, pk=pk) if pk else None
    form_class = REGISTER_FORMS[kind]
    initial = {"year": timezone.localdate().year} if entry is None else None
    form = form_class(request.POST or None, instance=entry, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            register.entry_save(actor=request.user, kind=kind, data=service_data(form), entry=entry)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{spec.label}已保存")
            return redirect("oversight:register")
    if entry is None and not can_edit_reports(request.user):
        messages.info(request, "只有本单位双随机办管理员可以登记，您可以查看。")
    title = f"{'编辑' if entry else '新增'}{spec.label}"
    return render(request, "form.html", {"title": title, "form": form, "cancel_url": "/oversight/register/"})


@login_required
@require_POST
def register_delete(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = register.entry_get(actor=request.user, kind=kind, pk=pk)
    register.entry_delete(actor=request.user, kind=kind, entry=entry)
    messages.success(request, f"已删除：{entry}")
    return redirect("oversight:register")
