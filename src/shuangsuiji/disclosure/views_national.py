"""Staff page of the exports for the national systems (``disclosure.national_export``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from shuangsuiji.accounts.models import Organization
from shuangsuiji.accounts.scope import BUREAU_KINDS, Perm, has_perm, readable_owner_ids, user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import attachment
from shuangsuiji.disclosure import national_export
from shuangsuiji.disclosure.models_national import NationalExportProfile


def _date(value: str, label: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ApplicationError(f"{label}“{value}”不是有效日期（格式：2026-11-25）") from None


def _organization(request: AuthedHttpRequest, raw: str) -> Organization | None:
    if not raw:
        return None
    ids = readable_owner_ids(request.user)
    org = Organization.objects.filter(pk=int(raw) if raw.isdigit() else -1).first()
    if org is None or (ids is not None and org.pk not in ids):
        raise ApplicationError("所选单位不存在或不在您的数据范围内")
    return org


@login_required
def national_export_page(request: AuthedHttpRequest) -> HttpResponse:
    bureau = user_bureau(request.user)
    ids = readable_owner_ids(request.user)
    organizations = Organization.objects.filter(kind__in=BUREAU_KINDS)
    if ids is not None:
        organizations = organizations.filter(pk__in=ids)
    params = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {
        "title": "国家系统数据导出", "layouts": list(national_export.LAYOUTS.values()),
        "organizations": organizations.order_by("region__code", "code"), "params": params,
        "profile": NationalExportProfile.objects.filter(owner=bureau).first() if bureau else None,
        "can_edit_profile": bureau is not None and has_perm(request.user, Perm.PLAN_EDIT),
    }
    if request.method == "POST" and request.POST.get("action") == "profile":
        try:
            national_export.export_profile_save(actor=request.user, agency_uscc=request.POST.get("agency_uscc", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "本机关统一社会信用代码已保存")
        return redirect("disclosure_staff:national_export")
    action = params.get("action", "")
    if action in ("preview", "download"):
        try:
            kwargs: dict[str, Any] = {
                "actor": request.user, "layout_key": params.get("layout", ""),
                "organization": _organization(request, params.get("organization", "")),
                "date_from": _date(params.get("date_from", ""), "起始日期"),
                "date_to": _date(params.get("date_to", ""), "截止日期"),
            }
            if action == "download" and request.method == "POST":
                result = national_export.national_export_build(**kwargs)
                return attachment(result.content, "application/zip", result.file_name)
            count, excluded = national_export.national_export_preview(**kwargs)
        except ApplicationError as exc:
            context["error"] = exc.message
        else:
            context.update(preview_count=count, excluded=excluded[:500], excluded_total=len(excluded),
                           layout=national_export.LAYOUTS[kwargs["layout_key"]])
    return render(request, "disclosure/national_export.html", context)
