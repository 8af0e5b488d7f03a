"""Forms of 一单两库: they parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from shuangsuiji.accounts.models import Organization, Region, User
from shuangsuiji.accounts.scope import readable_owner_ids, user_bureau
from shuangsuiji.directory.models import (
    CheckItem,
    InspectionMethod,
    Inspector,
    RiskFlag,
    Target,
)


class ScopedFormMixin:
    """Limits region/organization choices to the actor's bureau (NetBox's restrict_form_fields)."""

    fields: dict[str, Any]

    def restrict(self, actor: User) -> None:
        bureau = user_bureau(actor)
        if "region" in self.fields:
            regions = Region.objects.all()
            if bureau is not None and not actor.is_superuser:
                regions = regions.filter(path__startswith=bureau.region.path)
            self.fields["region"].queryset = regions
        if "organization" in self.fields:
            orgs = Organization.objects.all()
            ids = readable_owner_ids(actor)
            if ids is not None and bureau is not None:
                orgs = orgs.filter(region__path__startswith=bureau.region.path, system=bureau.system)
            self.fields["organization"].queryset = orgs


class CheckItemForm(forms.ModelForm):
    code = forms.CharField(label="事项编码", max_length=32)
    sub_items_text = forms.CharField(
        label="检查内容（小项）", widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="每行一项"
    )
    methods = forms.MultipleChoiceField(
        label="抽查方式", choices=InspectionMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    change_note = forms.CharField(label="修订说明", required=False, help_text="修改已公布事项时必填")

    class Meta:
        model = CheckItem
        fields = [
            "code", "specialty", "name", "legal_basis", "subject", "target_type", "methods", "ratio_percent",
            "frequency", "kind", "needs_expert",
        ]
        widgets = {"legal_basis": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["sub_items_text"].initial = "\n".join(self.instance.sub_items)

    def clean_ratio_percent(self) -> Any:
        value = self.cleaned_data["ratio_percent"]
        if value is not None and not (0 < value <= 100):
            raise forms.ValidationError("抽查比例应在0到100之间")
        return value

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("sub_items_text", "change_note")}
        data["sub_items"] = [line.strip() for line in self.cleaned_data["sub_items_text"].splitlines() if line.strip()]
        return data


class TargetForm(ScopedFormMixin, forms.ModelForm):
    risk_flags = forms.MultipleChoiceField(
        label="风险标记", choices=RiskFlag.choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text="名录库中的当前标记（不带日期）。投诉举报、处罚等请在检查对象页“登记风险标记”登记发生日期和来源，"
        "抽取按日期计入；已登记日期的标记在此取消勾选不会撤销它，请在检查对象页“撤销”或“解除”。",
    )

    class Meta:
        model = Target
        fields = [
            "uscc", "name", "address", "region", "specialties", "licence_numbers", "legal_representative",
            "contact_person", "contact_phone", "status", "risk_class", "risk_flags", "last_inspected_on",
        ]
        widgets = {
            "specialties": forms.CheckboxSelectMultiple,
            "last_inspected_on": forms.DateInput(attrs={"type": "date"}),
        }


class InspectorForm(ScopedFormMixin, forms.ModelForm):
    tags_text = forms.CharField(label="技术特点", required=False, help_text="以顿号或逗号分隔")

    class Meta:
        model = Inspector
        fields = [
            "name", "organization", "region", "kind", "licence_no", "licence_valid_from", "licence_valid_to",
            "qualifications", "expertise", "status", "id_number", "phone",
        ]
        widgets = {
            "qualifications": forms.CheckboxSelectMultiple,
            "licence_valid_from": forms.DateInput(attrs={"type": "date"}),
            "licence_valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tags_text"].initial = "、".join(self.instance.tags)

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "tags_text"}
        raw = self.cleaned_data["tags_text"].replace(",", "、").replace("，", "、")
        data["tags"] = [t.strip() for t in raw.split("、") if t.strip()]
        return data


class RetireForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=255)


class ConflictForm(forms.Form):
    target_code = forms.CharField(label="检查对象（统一社会信用代码或对象编码）", max_length=64)
    reason = forms.CharField(label="利害关系", max_length=255)
    valid_from = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件（.xlsx 或 .csv）")
