"""Pages of inspections: each view parses input, calls one selector or service, renders."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import Perm, has_perm
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.inspections import documents, exporters, followup, selectors, services, uploads
from shuangsuiji.inspections.forms import (
    CASE_ACTION_FORMS,
    EntryForm,
    EvidenceForm,
    ReviewForm,
    SettingsForm,
)
from shuangsuiji.inspections.models import (
    CaseStatus,
    Finding,
    InspectionRecord,
    PublicationGroup,
    RecordStatus,
)
from shuangsuiji.inspections.permissions import can_review, is_team_member
from shuangsuiji.inspections.views_extra import record_detail_extra

PAGE_SIZE = 50
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _can_enter(request: AuthedHttpRequest, record: InspectionRecord) -> bool:
    user = request.user
    if not record.is_open_for_entry or not has_perm(user, Perm.INSPECTION_ENTER):
        return False
    if user.is_superuser:
        return True
    if user.role == Role.INSPECTOR:
        return is_team_member(user, record)
    from shuangsuiji.accounts.scope import user_bureau

    bureau = user_bureau(user)
    return bureau is not None and bureau.pk == record.owner_id


# ---------------------------------------------------------------- records


@login_required
def record_list(request: AuthedHttpRequest) -> HttpResponse:
    records = selectors.record_list(actor=request.user, filters=request.GET)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": "一企一表（检查记录）",
        "page": page,
        "statuses": RecordStatus.choices,
        "entry_queue": selectors.record_entry_queue(actor=request.user)[:20],
        "review_count": selectors.review_queue(actor=request.user).count() if request.user.role != Role.INSPECTOR else 0,
    }
    return render(request, "inspections/record_list.html", context)


@login_required
def task_list(request: AuthedHttpRequest) -> HttpResponse:
    tasks = selectors.task_list_with_records(actor=request.user)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inspections/task_list.html", {"title": "按任务生成一企一表", "page": page})


@login_required
def task_records(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    records = selectors.record_list(
        actor=request.user, filters={"task": task.pk, "status": request.GET.get("status")}
    ).prefetch_related("members")
    context = {
        "title": f"{task.code} 一企一表", "task": task, "records": records,
        "can_generate": has_perm(request.user, Perm.PLAN_EDIT),
    }
    return render(request, "inspections/task_records.html", context)


@login_required
@require_POST
def records_generate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(actor=request.user, pk=pk)
    try:
        result = services.records_generate_for_task(actor=request.user, task=task)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已生成 {len(result.created)} 份一企一表，更新检查组 {result.refreshed} 份，作废 {result.cancelled} 份",
        )
        for warning in result.warnings:
            messages.warning(request, warning)
    return redirect("inspections:task_records", pk=task.pk)


@login_required
def record_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    group = services.publication_group(record)
    context = {
        "title": f"一企一表 {record.number}",
        "record": record,
        "items": record.items.select_related("department"),
        "members": record.members.select_related("inspector", "sent_by"),
        "codes": record.result_codes.all(),
        "evidence": record.evidence.filter(case__isnull=True).order_by("uploaded_at"),
        "cases": record.cases.all(),
        "notices": record.notices.all(),
        "notice_methods": services.notice_methods(record),
        "steps": record.steps.select_related("actor"),
        "publication_group": PublicationGroup(group).label if group else "",
        "can_enter": _can_enter(request, record),
        "can_review": record.status == RecordStatus.SUBMITTED and can_review(request.user, record),
        "review_form": ReviewForm(),
        "evidence_form": EvidenceForm(),
        "verify_url": documents.verify_url(record),
        **record_detail_extra(request, record),
    }
    return render(request, "inspections/record_detail.html", context)


@login_required
def record_entry(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    form = EntryForm(request.POST or None, request.FILES or None, record=record)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_submit_result(
                    actor=request.user, record=record, entry=form.to_entry(),
                    signature_data_url=form.cleaned_data.get("signature_data") or "",
                    signature_scan=request.FILES.get("signature_scan"),
                    evidence_files=request.FILES.getlist("evidence"),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "检查结果已提交，等待科室审核")
                return redirect(record)
    elif not record.is_open_for_entry:
        messages.info(request, f"本表状态为“{record.get_status_display()}”，不能录入")
        return redirect(record)
    context = {
        "title": f"录入检查结果 · {record.target.name}",
        "record": record,
        "form": form,
        "item_rows": [
            (item, request.POST.get(f"finding_{item.pk}", ""), request.POST.get(f"note_{item.pk}", ""))
            if request.method == "POST" else (item, item.finding, item.note)
            for item in record.items.select_related("department")
        ],
        "members": record.members.select_related("inspector"),
        "code_tree": selectors.result_code_tree(),
        "selected_codes": set(request.POST.getlist("codes")) if request.method == "POST"
        else {c.code for c in record.result_codes.all()},
        "present_ids": {int(v) for v in request.POST.getlist("present") if v.isdigit()} if request.method == "POST"
        else {m.pk for m in record.members.all() if m.present},
        "findings": Finding.choices,
        "max_upload": uploads.human_size(max(uploads.max_bytes(k) for k in ("image", "pdf", "audio", "video"))),
    }
    return render(request, "inspections/record_entry.html", context)


@login_required
@require_POST
def record_review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    form = ReviewForm(request.POST)
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("请选择审核意见")
        approve = form.cleaned_data["decision"] == "approve"
        services.record_review(actor=request.user, record=record, approve=approve, comment=form.cleaned_data["comment"])
        messages.success(request, "审核通过，结果可以公示" if approve else "已退回录入人修改")
    return redirect(record)


@login_required
def review_queue(request: AuthedHttpRequest) -> HttpResponse:
    records = selectors.review_queue(actor=request.user)
    return render(request, "inspections/review_queue.html", {"title": "待审核的检查结果", "records": records})


@login_required
@require_POST
def evidence_upload(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("请选择要上传的文件")
        services.evidence_add(actor=request.user, record=record, upload=form.cleaned_data["file"],
                              note=form.cleaned_data["note"])
        messages.success(request, "证据材料已上传")
    return redirect(record)


@login_required
def evidence_file(request: AuthedHttpRequest, pk: int) -> FileResponse:
    """Serves a private evidence file to a user who may read its record (never a public path)."""
    evidence = selectors.evidence_get(actor=request.user, pk=pk)
    try:
        path = uploads.open_stored(evidence.storage_path)
    except ApplicationError as exc:
        raise Http404("文件不存在") from exc
    if not path.exists():
        raise Http404("文件不存在")
    inline = evidence.mime.startswith(("image/", "audio/", "video/")) or evidence.mime == "application/pdf"
    response = FileResponse(
        path.open("rb"), content_type=evidence.mime, as_attachment=not inline,
        filename=evidence.original_name or f"{evidence.sha256}.{evidence.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def record_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_for_print(actor=request.user, pk=pk)
    return _download(documents.record_pdf(record), filename=f"一企一表{record.number}.pdf", content_type="application/pdf")


@login_required
def record_docx(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_for_print(actor=request.user, pk=pk)
    return _download(documents.record_docx(record), filename=f"一企一表{record.number}.docx", content_type=DOCX_TYPE)


@login_required
@require_POST
def notice_issue(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    with user_errors(request):
        notice = services.notice_issue(actor=request.user, record=record, method=request.POST.get("method", ""))
        messages.success(request, f"已生成{notice.title}（{notice.number}）")
    return redirect(record)


@login_required
def notice_pdf(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(actor=request.user, pk=pk)
    return _download(documents.notice_pdf(notice), filename=f"{notice.title}{notice.number}.pdf",
                     content_type="application/pdf")


# ---------------------------------------------------------------- 后续处置台账


@login_required
def case_list(request: AuthedHttpRequest) -> HttpResponse:
    cases = selectors.case_list(actor=request.user, filters=request.GET)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": "后续处置台账",
        "page": page,
        "rows": selectors.ledger_rows(page.object_list),
        "choices": selectors.ledger_choices(actor=request.user),
        "statuses": CaseStatus.choices,
        "current_status": request.GET.get("status", CaseStatus.OPEN),
    }
    return render(request, "inspections/case_list.html", context)


@login_required
def case_export(request: AuthedHttpRequest) -> HttpResponse:
    cases = selectors.case_list(actor=request.user, filters=request.GET)
    content = exporters.ledger_xlsx(selectors.ledger_rows(cases))
    day = timezone.localdate().strftime("%Y%m%d")
    return _download(content, filename=f"后续处置台账{day}.xlsx",
                     content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def case_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    can_handle = case.status == CaseStatus.OPEN and has_perm(request.user, Perm.INSPECTION_ENTER)
    forms_ = [
        (action, label, form_class(prefix=action))
        for action, (label, form_class) in CASE_ACTION_FORMS.items()
    ] if can_handle or can_review(request.user, case.record) else []
    context = {
        "title": f"后续处置 {case.number}",
        "case": case,
        "row": selectors.ledger_rows([case])[0],
        "steps": case.steps.select_related("actor"),
        "evidence": case.evidence.all(),
        "blockers": followup.close_blockers(case),
        "action_forms": forms_ if case.status == CaseStatus.OPEN else [],
        "evidence_form": EvidenceForm(),
    }
    return render(request, "inspections/case_detail.html", context)


@login_required
@require_POST
def case_action(request: AuthedHttpRequest, pk: int, action: str) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    if action not in CASE_ACTION_FORMS:
        raise Http404("未知的操作")
    label, form_class = CASE_ACTION_FORMS[action]
    form = form_class(request.POST, prefix=action)
    with user_errors(request):
        if not form.is_valid():
            errors = "；".join(f"{form.fields[f].label if f in form.fields else ''}{e}" for f, es in form.errors.items() for e in es)
            raise ApplicationError(f"{label}填写不完整：{errors}")
        data = form.cleaned_data
        actor = request.user
        if action == "rectify":
            followup.case_order_rectification(actor=actor, case=case, ordered_on=data["ordered_on"],
                                              workdays=data["workdays"], requirement=data["requirement"])
        elif action == "recheck":
            followup.case_record_recheck(actor=actor, case=case, rechecked_on=data["rechecked_on"],
                                         passed=data["passed"], note=data["note"])
        elif action == "conditions":
            followup.case_set_conditions(actor=actor, case=case, case_filing=data["case_filing"],
                                         abnormal_list=data["abnormal_list"],
                                         serious_illegal=data["serious_illegal"], note=data["note"])
        elif action == "file":
            followup.case_file(actor=actor, case=case, case_number=data["case_number"], filed_on=data["filed_on"])
        elif action == "penalty":
            followup.case_decide_penalty(actor=actor, case=case, decision_number=data["decision_number"],
                                         decided_on=data["decided_on"], content=data["content"], amount=data["amount"])
        elif action == "conclude":
            followup.case_conclude(actor=actor, case=case, conclusion=data["conclusion"])
        elif action in ("transfer", "judicial"):
            followup.case_transfer(actor=actor, case=case, agency=data["agency"],
                                   transferred_on=data["transferred_on"], note=data["note"],
                                   judicial=action == "judicial")
        elif action == "credit":
            followup.case_list_credit(actor=actor, case=case, abnormal_list=data["abnormal_list"],
                                      serious_illegal=data["serious_illegal"], listed_on=data["listed_on"],
                                      note=data["note"])
        elif action == "close":
            followup.case_close(actor=actor, case=case, closed_on=data["closed_on"], note=data["note"])
        messages.success(request, f"已登记：{label}")
    return redirect(case)


@login_required
@require_POST
def case_evidence(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    with user_errors(request):
        if not form.is_valid():
            raise ApplicationError("请选择要上传的文件")
        services.evidence_add(actor=request.user, record=case.record, case=case, upload=form.cleaned_data["file"],
                              note=form.cleaned_data["note"])
        messages.success(request, "证明材料已上传")
    return redirect(case)


# ---------------------------------------------------------------- targets and settings


@login_required
def target_history(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_get(actor=request.user, pk=pk)
    records, cases = selectors.target_history(actor=request.user, target=target)
    return render(request, "inspections/target_history.html",
                  {"title": f"{target.name} 检查与处置记录", "target": target, "records": records, "cases": cases})


@login_required
def settings_edit(request: AuthedHttpRequest) -> HttpResponse:
    from shuangsuiji.accounts.scope import user_bureau

    bureau = user_bureau(request.user)
    if bureau is None:
        raise Http404("您的账号未关联单位")
    current = services.bureau_settings(bureau)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "检查设置已保存")
            return redirect("inspections:settings")
    return render(request, "inspections/settings.html", {"title": "检查设置", "form": form,
                                                          "can_edit": has_perm(request.user, Perm.PLAN_EDIT)})
