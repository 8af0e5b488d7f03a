"""Forms of inspections: they parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from shuangsuiji.directory.models import InspectionMethod
from shuangsuiji.inspections.models import Finding, InspectionRecord, InspectionSettings, SignatureKind
from shuangsuiji.inspections.services import ResultEntry

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EntryForm(forms.Form):
    """The phone entry page. Per-item findings, result codes and present members come as repeated fields."""

    methods = forms.MultipleChoiceField(
        label="检查方式（可多选）", choices=InspectionMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    inspected_on = forms.DateField(label="检查日期", widget=DATE_WIDGET)
    place = forms.CharField(label="检查地点", max_length=255, required=False)
    situation = forms.CharField(label="检查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    result_note = forms.CharField(label="结果说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rectify_workdays = forms.IntegerField(
        label="责令整改期限（工作日）", required=False, min_value=1, max_value=90,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    signature_kind = forms.ChoiceField(
        label="被检查单位签字", choices=[("", "（无需签字）"), *SignatureKind.choices], required=False,
        widget=forms.RadioSelect,
    )
    signer_name = forms.CharField(label="签字人姓名/职务", max_length=64, required=False)
    refusal_reason = forms.CharField(label="拒签原因", max_length=255, required=False)
    refusal_witness = forms.CharField(label="见证人（姓名及身份）", max_length=128, required=False)
    signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    client_submission_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, record: InspectionRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record = record
        if not self.is_bound:
            self.initial.update(
                {
                    "methods": record.methods, "inspected_on": record.inspected_on, "place": record.place,
                    "situation": record.situation, "result_note": record.result_note,
                    "rectify_workdays": record.rectify_workdays, "signature_kind": record.signature_kind,
                    "signer_name": record.signer_name, "refusal_reason": record.refusal_reason,
                    "refusal_witness": record.refusal_witness,
                }
            )

    def to_entry(self) -> ResultEntry:
        data = self.cleaned_data
        findings: dict[int, tuple[str, str]] = {}
        valid = {value for value, _ in Finding.choices}
        for item in self.record.items.all():
            finding = str(self.data.get(f"finding_{item.pk}", "")).strip()
            note = str(self.data.get(f"note_{item.pk}", ""))
            findings[item.pk] = (finding if finding in valid else "", note)
        present = []
        for raw in self.data.getlist("present") if hasattr(self.data, "getlist") else []:
            try:
                present.append(int(raw))
            except (TypeError, ValueError):
                continue
        codes = list(self.data.getlist("codes")) if hasattr(self.data, "getlist") else []
        return ResultEntry(
            methods=list(data["methods"]), inspected_on=data["inspected_on"], findings=findings, result_codes=codes,
            present_member_ids=present, signature_kind=data.get("signature_kind") or "",
            place=data.get("place") or "", situation=data.get("situation") or "",
            result_note=data.get("result_note") or "", rectify_workdays=data.get("rectify_workdays"),
            signer_name=data.get("signer_name") or "", refusal_reason=data.get("refusal_reason") or "",
            refusal_witness=data.get("refusal_witness") or "", client_submission_id=data.get("client_submission_id") or "",
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核意见", choices=[("approve", "通过"), ("return", "退回修改")],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label="意见/退回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label="证据材料（照片、扫描件、PDF、录音、录像）")
    note = forms.CharField(label="说明", max_length=255, required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = InspectionSettings
        fields = ["keep_photo_location", "entry_workdays", "default_rectify_workdays", "documents_notice_workdays"]


# ---------------------------------------------------------------- case actions


class RectifyForm(forms.Form):
    ordered_on = forms.DateField(label="责令整改日期", widget=DATE_WIDGET)
    workdays = forms.IntegerField(label="整改期限（工作日）", min_value=1, max_value=90, initial=15)
    requirement = forms.CharField(label="整改要求", widget=forms.Textarea(attrs={"rows": 2}))


class RecheckForm(forms.Form):
    rechecked_on = forms.DateField(label="复查日期", widget=DATE_WIDGET)
    passed = forms.TypedChoiceField(
        label="复查结论", choices=[("1", "整改到位（合格）"), ("0", "未整改到位")], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="复查情况", widget=forms.Textarea(attrs={"rows": 2}))


class ConditionsForm(forms.Form):
    case_filing = forms.BooleanField(label="符合立案条件", required=False)
    abnormal_list = forms.BooleanField(label="符合列入经营异常名录情形", required=False)
    serious_illegal = forms.BooleanField(label="符合列入严重违法失信名单情形", required=False)
    note = forms.CharField(label="认定依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FileCaseForm(forms.Form):
    case_number = forms.CharField(label="立案号", max_length=64)
    filed_on = forms.DateField(label="立案日期", widget=DATE_WIDGET)


class PenaltyForm(forms.Form):
    decision_number = forms.CharField(label="行政处罚决定书文号", max_length=64)
    decided_on = forms.DateField(label="决定日期", widget=DATE_WIDGET)
    content = forms.CharField(label="处罚内容", widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(label="罚没款（元）", required=False, min_value=0, max_digits=12, decimal_places=2)


class ConcludeForm(forms.Form):
    conclusion = forms.CharField(label="办理结论（不予处罚、撤销立案等）", widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    agency = forms.CharField(label="接收机关", max_length=128)
    transferred_on = forms.DateField(label="移交/移送日期", widget=DATE_WIDGET)
    note = forms.CharField(label="说明", required=False, max_length=255)


class CreditForm(forms.Form):
    abnormal_list = forms.BooleanField(label="列入经营异常名录", required=False)
    serious_illegal = forms.BooleanField(label="列入严重违法失信名单", required=False)
    listed_on = forms.DateField(label="列入日期", widget=DATE_WIDGET)
    note = forms.CharField(label="决定文号/说明", max_length=255)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label="办结日期", widget=DATE_WIDGET)
    note = forms.CharField(label="办结说明", widget=forms.Textarea(attrs={"rows": 2}))


CASE_ACTION_FORMS: dict[str, tuple[str, type[forms.Form]]] = {
    "rectify": ("责令整改", RectifyForm),
    "recheck": ("登记复查", RecheckForm),
    "conditions": ("认定情形（应列尽列）", ConditionsForm),
    "file": ("立案查处", FileCaseForm),
    "penalty": ("行政处罚决定", PenaltyForm),
    "conclude": ("案件办理结论", ConcludeForm),
    "transfer": ("移交有管辖权的机关", TransferForm),
    "judicial": ("移送司法机关", TransferForm),
    "credit": ("信用惩戒", CreditForm),
    "close": ("办结", CloseForm),
}
