"""The audit log page (audit administrator only) and the public transparency-log JSON."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shuangsuiji.accounts import audit_selectors as selectors
from shuangsuiji.accounts.scope import Perm, require_perm
from shuangsuiji.accounts.types import AuthedHttpRequest
from shuangsuiji.audit import transparency
from shuangsuiji.audit.renamed_events import current_event_name
from shuangsuiji.audit.services import audit_chain_verify

FILTER_KEYS = ("event", "actor", "object_type", "q", "date_from", "date_to")


@login_required
def entry_list(request: AuthedHttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    entries = selectors.audit_entry_list(actor=request.user, filters=filters)
    page = Paginator(entries.select_related("organization"), 50).get_page(request.GET.get("page"))
    for entry in page:  # an entry stored under an event's old name shows its current name too
        entry.current_event = current_event_name(entry.event, entry.object_type)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": "审计日志", "page": page, "filters": filters, "query": query.urlencode(),
        "events": selectors.audit_event_names(actor=request.user),
    }
    return render(request, "audit/entry_list.html", context)


@login_required
def verify(request: AuthedHttpRequest) -> HttpResponse:
    require_perm(request.user, Perm.AUDIT_READ)
    chain_ok, broken, chain_message = audit_chain_verify()
    tree = transparency.transparency_verify()
    head = transparency.latest_tree_head()
    context = {
        "title": "审计日志校验", "chain_ok": chain_ok, "broken": broken, "chain_message": chain_message,
        "tree": tree, "head": head, "public_key": transparency.public_key_b64(),
    }
    return render(request, "audit/verify.html", context)


@require_GET
def tree_head_json(request: HttpRequest) -> JsonResponse:
    """Public (no login): the latest signed tree head, for the portal and outside verifiers."""
    head = transparency.latest_tree_head()
    if head is None:
        raise Http404("尚未生成签名树头")
    return JsonResponse(transparency.tree_head_json(head), json_dumps_params={"ensure_ascii": False})


@require_GET
def inclusion_proof_json(request: HttpRequest, index: int) -> JsonResponse:
    """Public: the audit path proving record `index` is in the tree of the latest head."""
    head = transparency.latest_tree_head()
    if head is None or index >= head.tree_size:
        raise Http404("该记录尚未包含在已签名的树头中")
    try:
        proof = transparency.inclusion_proof_json(index, head.tree_size)
    except LookupError as exc:
        raise Http404(str(exc)) from exc
    proof["tree_head"] = transparency.tree_head_json(head)
    return JsonResponse(proof, json_dumps_params={"ensure_ascii": False})
