"""Pages of the 合法性审查 of the 抽查事项清单: submit, review (approve / return), publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.legal import legal_reviewer_text
from shuangsuiji.accounts.scope import Perm, has_perm, user_bureau
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.directory import item_review
from shuangsuiji.directory.models import ItemReviewStatus


@login_required
def review_list(request: AuthedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ItemReviewStatus.values:
        status = ""
    reviews = item_review.review_list(actor=request.user, status=status)[:200]
    bureau = user_bureau(request.user)
    can_submit = bureau is not None and has_perm(request.user, Perm.LIBRARY_EDIT)
    candidates = list(item_review.reviewable_items(bureau=bureau)) if can_submit and bureau else []
    error = ""
    if request.method == "POST" and can_submit:
        ids = {int(v) for v in request.POST.getlist("items") if v.isdigit()}
        chosen = [item for item in candidates if item.pk in ids]
        try:
            if len(chosen) != len(ids):
                raise ApplicationError("所选事项中有不属于本单位或已不可提交审查的事项，请刷新页面后重新选择")
            review = item_review.item_review_submit(
                actor=request.user, items=chosen, note=request.POST.get("note", "")
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已提交合法性审查（{review.number}）")
            return redirect(review)
    context = {
        "title": "抽查事项清单合法性审查", "reviews": reviews, "status": status, "statuses": ItemReviewStatus.choices,
        "candidates": candidates, "can_submit": can_submit, "error": error,
        "reviewer_text": legal_reviewer_text(bureau) if bureau else "",
        "preselected": {int(v) for v in request.GET.getlist("item") if v.isdigit()},
    }
    return render(request, "directory/item_review_list.html", context)


@login_required
def review_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    review = item_review.review_get(actor=request.user, pk=pk)
    entries = list(review.entries.select_related("item", "item__specialty"))
    rows = [
        {"entry": e, "item": e.item, "changed": item_review.item_content_digest(e.item) != e.content_sha256}
        for e in entries
    ]
    publishable = any(e.item.status != "published" and e.item.is_current for e in entries)
    bureau = user_bureau(request.user)
    own = bureau is not None and bureau.pk == review.owner_id
    context = {
        "review": review, "rows": rows,
        "can_review": review.status == ItemReviewStatus.SUBMITTED and item_review.can_review(request.user, review),
        "can_publish": review.status == ItemReviewStatus.APPROVED and own and has_perm(request.user, Perm.LIBRARY_EDIT)
        and publishable,
        "reviewer_text": legal_reviewer_text(review.owner),
    }
    return render(request, "directory/item_review_detail.html", context)


@login_required
@require_POST
def review_decide(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    review = item_review.review_get(actor=request.user, pk=pk)
    approve = request.POST.get("decision") == "approve"
    remarks: dict[int, str] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("remark-") and key[7:].isdigit() and value.strip():
            remarks[int(key[7:])] = value
    with user_errors(request):
        item_review.item_review_decide(
            actor=request.user, review=review, approve=approve, opinion=request.POST.get("opinion", ""),
            remarks=remarks,
        )
        messages.success(request, "合法性审查通过" if approve else "已退回修改")
    return redirect(review)


@login_required
@require_POST
def review_publish(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    review = item_review.review_get(actor=request.user, pk=pk)
    with user_errors(request):
        published = item_review.item_review_publish(actor=request.user, review=review)
        messages.success(request, f"已公布 {len(published)} 项抽查事项")
    return redirect(review)
