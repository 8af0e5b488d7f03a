"""Pages of the upper-level supervision: list, create, campaign (organizer), part (organizer / the bureau)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.models import Organization
from shuangsuiji.accounts.scope import get_visible_or_404, user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import attachment, user_errors
from shuangsuiji.supervision import services
from shuangsuiji.supervision.documents import notice_docx, notice_pdf
from shuangsuiji.supervision.models import (
    Campaign,
    CampaignKind,
    CampaignPart,
    CampaignStatus,
    Finding,
    FindingCategory,
    Rating,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _date(value: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ApplicationError(f"{label}“{value}”不是有效日期（格式：2026-11-25）") from None


def _campaign(request: AuthedHttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("owner"), request.user, pk=pk)  # type: ignore[no-any-return]


def _part(request: AuthedHttpRequest, pk: int) -> CampaignPart:
    part = CampaignPart.objects.visible_to(request.user).select_related("campaign", "campaign__owner", "bureau").filter(
        pk=pk).first()
    if part is None:
        from shuangsuiji.common.exceptions import NotFoundError

        raise NotFoundError("对象不存在或不在您的数据范围内")
    return part


@login_required
def campaign_list(request: AuthedHttpRequest) -> HttpResponse:
    bureau = user_bureau(request.user)
    subordinates = services.subordinate_bureaus(bureau) if bureau else []
    return render(request, "supervision/campaign_list.html", {
        "title": "专项督查与交叉检查", "campaigns": services.campaign_list(actor=request.user)[:200],
        "can_create": bool(subordinates),
    })


@login_required
def campaign_create(request: AuthedHttpRequest) -> HttpResponse:
    bureau = user_bureau(request.user)
    subordinates = services.subordinate_bureaus(bureau) if bureau else []
    error = ""
    if request.method == "POST":
        try:
            chosen_ids = {int(v) for v in request.POST.getlist("bureaus") if v.isdigit()}
            by_pk = {b.pk: b for b in subordinates}
            chosen = [by_pk[pk] for pk in chosen_ids if pk in by_pk]
            if len(chosen) != len(chosen_ids):
                raise ApplicationError("所选单位中有不是本单位下级的单位")
            checked_by: dict[int, Organization] = {}
            for b in chosen:
                raw = request.POST.get(f"checker-{b.pk}", "")
                if raw.isdigit() and int(raw) in by_pk:
                    checked_by[b.pk] = by_pk[int(raw)]
            workdays_raw = request.POST.get("rectify_workdays", "15").strip() or "15"
            if not workdays_raw.isdigit():
                raise ApplicationError("整改答复期限须为整数个工作日")
            campaign = services.campaign_create(
                actor=request.user, kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
                basis=request.POST.get("basis", ""),
                window_start=_date(request.POST.get("window_start", ""), "督查开始日期"),
                window_end=_date(request.POST.get("window_end", ""), "督查结束日期"),
                bureaus=chosen, checked_by=checked_by, rectify_workdays=int(workdays_raw),
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "督查已创建（起草）")
            return redirect(campaign)
    return render(request, "supervision/campaign_form.html", {
        "title": "新建专项督查/交叉检查", "subordinates": subordinates, "kinds": CampaignKind.choices,
        "error": error, "post": request.POST,
    })


@login_required
def campaign_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    organizer = services.can_organize(request.user, campaign)
    parts = list(services.parts_for(actor=request.user, campaign=campaign))
    return render(request, "supervision/campaign_detail.html", {
        "title": campaign.title, "campaign": campaign, "parts": parts, "organizer": organizer,
        "issued": campaign.status in (CampaignStatus.ISSUED, CampaignStatus.CLOSED),
    })


@login_required
@require_POST
def campaign_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    with user_errors(request):
        if action == "open":
            services.campaign_open(actor=request.user, campaign=campaign)
            messages.success(request, "督查已启动，被督查单位已收到通知")
        elif action == "issue":
            raw = request.POST.get("issued_on", "").strip()
            services.campaign_issue(
                actor=request.user, campaign=campaign, notice_number=request.POST.get("notice_number", ""),
                summary=request.POST.get("summary", ""), requirements=request.POST.get("requirements", ""),
                issued_on=_date(raw, "通报日期") if raw else None,
            )
            messages.success(request, "通报已印发，须整改的单位已开启整改答复期限")
        else:
            raise ApplicationError(f"未知的操作：{action}")
    return redirect(campaign)


@login_required
def notice_file(request: AuthedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not services.can_organize(request.user, campaign) and campaign.status not in (
            CampaignStatus.ISSUED, CampaignStatus.CLOSED):
        messages.error(request, "通报尚未印发")
        return redirect(campaign)
    name = f"{campaign.title}通报"
    if fmt == "pdf":
        return attachment(notice_pdf(campaign), "application/pdf", f"{name}.pdf")
    return attachment(notice_docx(campaign), DOCX, f"{name}.docx")


@login_required
def part_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    part = _part(request, pk)
    organizer = services.can_organize(request.user, part.campaign)
    show_findings = services.findings_visible(request.user, part)
    return render(request, "supervision/part_detail.html", {
        "title": str(part), "part": part, "campaign": part.campaign, "organizer": organizer,
        "findings": list(part.findings.all()) if show_findings else [], "show_findings": show_findings,
        "can_answer": services.can_answer(request.user, part), "categories": FindingCategory.choices,
        "ratings": Rating.choices, "editable": part.campaign.status in (CampaignStatus.DRAFT, CampaignStatus.OPEN),
    })


@login_required
@require_POST
def part_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    part = _part(request, pk)
    post = request.POST
    with user_errors(request):
        if action == "finding":
            services.finding_add(actor=request.user, part=part, category=post.get("category", ""),
                                 description=post.get("description", ""),
                                 requires_rectification=post.get("requires_rectification") == "on")
            messages.success(request, "已记录问题")
        elif action == "delete-finding":
            finding = Finding.objects.filter(part=part, pk=int(post.get("finding", "0") or 0)).first()
            if finding is None:
                raise ApplicationError("问题不存在")
            services.finding_delete(actor=request.user, finding=finding)
            messages.success(request, "已删除")
        elif action == "conclude":
            services.part_conclude(actor=request.user, part=part,
                                   checked_on=_date(post.get("checked_on", ""), "督查日期"),
                                   rating=post.get("rating", ""), summary=post.get("summary", ""))
            messages.success(request, "已登记督查情况")
        elif action == "answer":
            rectifications = {int(k[4:]): v for k, v in post.items() if k.startswith("fix-") and k[4:].isdigit()}
            services.part_answer(actor=request.user, part=part, answer=post.get("answer", ""),
                                 rectifications={k: str(v) for k, v in rectifications.items()})
            messages.success(request, "整改情况已答复")
        elif action == "review":
            services.part_review(actor=request.user, part=part, accept=post.get("decision") == "accept",
                                 comment=post.get("comment", ""))
            messages.success(request, "已审核整改情况")
        else:
            raise ApplicationError(f"未知的操作：{action}")
    return redirect(part)
