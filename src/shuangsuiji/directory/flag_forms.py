"""Forms of the dated risk flags: a flag entered by hand (投诉举报 …), its 解除/撤销, and an imported list."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from shuangsuiji.directory.models import FlagSource, RiskFlag
from shuangsuiji.directory.models_flags import FlagList

# A list flag comes from an imported list (its source and date); by hand: the event sources and 人工登记.
HAND_SOURCES = [(v, label) for v, label in FlagSource.choices if v != FlagSource.IMPORTED_LIST]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FlagRecordForm(forms.Form):
    flag = forms.ChoiceField(label="风险标记", choices=RiskFlag.choices, initial=RiskFlag.COMPLAINTS)
    source = forms.ChoiceField(label="来源", choices=HAND_SOURCES, initial=FlagSource.COMPLAINT)
    occurred_on = forms.DateField(
        label="发生日期", widget=DATE_INPUT, help_text="投诉受理、处罚决定、事件发生或列入名单的日期；抽取按此日期判断是否属于“上年度”"
    )
    reference = forms.CharField(
        label="来源文书/编号", max_length=200, required=False,
        help_text="如投诉举报登记号、行政处罚决定书文号；来源为“人工登记”时可不填",
    )
    note = forms.CharField(label="说明", max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_occurred_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("发生日期不能晚于今天")
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") and data["source"] != FlagSource.MANUAL and not (data.get("reference") or "").strip():
            self.add_error("reference", "请填写来源文书或编号（如投诉举报登记号、处罚决定书文号）")
        return data


class FlagEndForm(forms.Form):
    ended_on = forms.DateField(label="移出日期", widget=DATE_INPUT, help_text="移出经营异常名录/严重违法失信名单的日期")
    reason = forms.CharField(label="解除原因", max_length=255, help_text="如移出决定书文号、信用修复情况")


class FlagWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因", max_length=255, help_text="如投诉经核查不属实、处罚决定被复议撤销、名单匹配错误；撤销后该标记不再计入抽取"
    )


class FlagListImportForm(forms.Form):
    kind = forms.ChoiceField(label="名单类型", choices=FlagList.choices)
    source = forms.CharField(
        label="名单来源", max_length=200, initial="国家企业信用信息公示系统",
        help_text="发布或提供名单的系统或部门，如：国家企业信用信息公示系统（河北）、保定市市场监督管理局",
    )
    list_date = forms.DateField(label="名单日期", widget=DATE_INPUT, help_text="名单公布或导出的日期；未填列入日期的行按此日期登记")
    batch = forms.CharField(label="批次/文号", max_length=100, required=False, help_text="如“2026年第3批”或函件文号")
    note = forms.CharField(label="说明", max_length=255, required=False)
    file = forms.FileField(label="名单文件（.xlsx 或 .csv）")

    def clean_list_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["list_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("名单日期不能晚于今天")
        return day
