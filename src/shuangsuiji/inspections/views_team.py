"""Pages for the team of a record (指派 辅助检查人员 / 协助 / 专家) and the 检查通知 in Word."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shuangsuiji.accounts.models import Organization
from shuangsuiji.accounts.scope import Perm, has_perm, user_bureau
from shuangsuiji.common.types import AuthedHttpRequest
from shuangsuiji.common.view_helpers import user_errors
from shuangsuiji.directory.models import Inspector
from shuangsuiji.inspections import documents, selectors, team
from shuangsuiji.inspections.models import InspectionRecord, MemberRole, RecordMember

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class InspectorChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Inspector) -> str:  # type: ignore[override]
        return f"{obj.name}（{obj.get_kind_display()}，{obj.organization.name}）"


class MemberAssignForm(forms.Form):
    role = forms.ChoiceField(
        label="成员类型", choices=[(MemberRole.ASSIST.value, "协助人员（其他单位派出）"),
                                   (MemberRole.HELPER.value, "辅助检查人员"), (MemberRole.EXPERT.value, "专家")],
    )
    inspector = InspectorChoiceField(label="人员", queryset=Inspector.objects.none())
    sent_by = forms.ModelChoiceField(
        label="派出单位", queryset=Organization.objects.filter(is_active=True).order_by("code"), required=False,
        help_text="协助人员必填；不填时取其工作单位",
    )
    reason = forms.CharField(label="指派原因", max_length=255)

    def __init__(self, *args: object, actor: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        ids = [i.pk for i in team.assignable_inspectors(actor)]  # type: ignore[arg-type]
        field = self.fields["inspector"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Inspector.objects.filter(pk__in=ids).select_related("organization").order_by("kind", "name")


def can_manage_team(request: AuthedHttpRequest, record: InspectionRecord) -> bool:
    bureau = user_bureau(request.user)
    return (
        record.is_open_for_entry and has_perm(request.user, Perm.PLAN_EDIT)
        and (request.user.is_superuser or (bureau is not None and bureau.pk == record.owner_id))
    )


@login_required
@require_POST
def member_assign(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(actor=request.user, pk=pk)
    form = MemberAssignForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(
            f"{form.fields[k].label if k in form.fields else ''}：{'，'.join(str(e) for e in v)}"
            for k, v in form.errors.items()
        ))
        return redirect(record)
    with user_errors(request):
        member = team.record_member_assign(
            actor=request.user, record=record, inspector=form.cleaned_data["inspector"],
            role=form.cleaned_data["role"], reason=form.cleaned_data["reason"], sent_by=form.cleaned_data["sent_by"],
        )
        messages.success(request, f"已指派{member.role_label}：{member.name}")
    return redirect(record)


@login_required
@require_POST
def member_remove(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    member = RecordMember.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    record = selectors.record_get(actor=request.user, pk=member.record_id)
    with user_errors(request):
        team.record_member_remove(actor=request.user, member=member, reason=request.POST.get("reason", ""))
        messages.success(request, f"已将{member.name}移出检查组")
    return redirect(record)


@login_required
def notice_docx(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(actor=request.user, pk=pk)
    response = HttpResponse(documents.notice_docx(notice), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{notice.title}{notice.number}.docx')}"
    return response
