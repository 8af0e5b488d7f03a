"""Forms of the register and the reports."""

from __future__ import annotations

from typing import Any

from django import forms

from shuangsuiji.deadlines.forms import DateInput
from shuangsuiji.directory.models import Specialty
from shuangsuiji.oversight.models_reports import DutyAssignment, LeadingGroupMember, WorkEvent

PHONE_HELP = "个人信息：加密保存，页面上对其他人员掩码显示"


def _phone_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=40, help_text=PHONE_HELP)


class LeadingGroupMemberForm(forms.ModelForm):
    phone = _phone_field("联系电话")

    class Meta:
        model = LeadingGroupMember
        fields = ["name", "group_role", "position", "duties", "phone", "email", "sort_order", "is_active"]


class DutyAssignmentForm(forms.ModelForm):
    phone = _phone_field("电话")
    specialties = forms.ModelMultipleChoiceField(
        label="对应专业", queryset=Specialty.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DutyAssignment
        fields = ["year", "kind", "work_content", "specialties", "section", "person", "phone", "email", "sort_order"]


class WorkEventForm(forms.ModelForm):
    class Meta:
        model = WorkEvent
        fields = ["kind", "title", "held_on", "document_number", "participants", "content"]
        widgets = {"held_on": DateInput(), "content": forms.Textarea(attrs={"rows": 3})}


REGISTER_FORMS: dict[str, type[forms.ModelForm]] = {
    "members": LeadingGroupMemberForm,
    "duties": DutyAssignmentForm,
    "events": WorkEventForm,
}


def service_data(form: forms.ModelForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form._meta.fields or [] if name in form.cleaned_data}


# ---------------------------------------------------------------------------------------- reports


class ReportHeaderForm(forms.Form):
    """Header and footer fields common to the 月报表 and the 情况报告."""

    contact_person = forms.CharField(label="联系人", required=False, max_length=64)
    contact_phone = forms.CharField(label="联系电话", required=False, max_length=40, help_text=PHONE_HELP)
    mobile = forms.CharField(label="手机", required=False, max_length=40, help_text=PHONE_HELP)


class MonthlyReportForm(ReportHeaderForm):
    filled_on = forms.DateField(label="填表时间", required=False, widget=DateInput())
    website = forms.CharField(label="结果公示网站", required=False, max_length=200,
                              help_text="如：莲池区人民政府网站“双随机、一公开”专栏")

    def __init__(self, *args: Any, fields: list[tuple[str, str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, generated in fields or []:
            self.fields[f"text_{key}"] = forms.CharField(
                label=label, required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4}),
                help_text="留空则使用系统根据数据生成的内容：" + (generated[:80] + "…" if len(generated) > 80 else generated),
            )

    def texts(self) -> dict[str, str]:
        return {name[5:]: value.strip() for name, value in self.cleaned_data.items()
                if name.startswith("text_") and value and value.strip()}


class PeriodReportForm(ReportHeaderForm):
    period_end = forms.DateField(label="统计截止日期", widget=DateInput())

    def __init__(self, *args: Any, sections: list[tuple[str, str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, hint in sections or []:
            self.fields[f"text_{key}"] = forms.CharField(
                label=label, required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
                help_text=hint,
            )

    def texts(self) -> dict[str, str]:
        return {name[5:]: value.strip() for name, value in self.cleaned_data.items()
                if name.startswith("text_") and value and value.strip()}


class ReportCreateForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    month = forms.IntegerField(label="月份", min_value=1, max_value=12, required=False)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("half_year", "半年情况报告"), ("annual", "全年情况报告")])
