"""Forms of the draw pages: they parse input only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from shuangsuiji.draws.match_inputs import MatchOptions
from shuangsuiji.draws.models import RandomnessKind

FALLBACK_CHOICES = [
    ("none", "仅本区域"),
    ("adjacent", "本区域优先，不足时相邻区域"),
    ("direct", "本区域、相邻区域仍不足时直接委派（须填写理由）"),
]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class FreezeForm(forms.Form):
    randomness_kind = forms.ChoiceField(label="随机数来源", choices=RandomnessKind.choices, initial=RandomnessKind.ANNOUNCED)
    randomness_source = forms.CharField(
        label="随机数出处说明", required=False, max_length=255,
        help_text="冻结之后才公布的随机数，例如：2026年12月1日 福彩3D 开奖号码",
    )
    seed_commitment = forms.CharField(
        label="随机种子承诺值（SHA-256）", required=False, max_length=64,
        help_text="承诺—揭示方式：先公布种子的 SHA-256，抽取时再揭示种子本身",
    )


class ExecuteForm(forms.Form):
    randomness = forms.CharField(
        label="公开随机数", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项，按公布的原样填写，例如：2026-12-01 福彩3D 4 1 8",
    )
    reveal = forms.CharField(label="揭示的随机种子", required=False, max_length=500)

    def randomness_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("randomness", ""))


class ConfirmForm(forms.Form):
    comment = forms.CharField(label="确认意见", required=False, max_length=255)


class RedrawRequestForm(forms.Form):
    reason = forms.CharField(label="重新抽取原因", widget=forms.Textarea(attrs={"rows": 2}))


class RedrawDecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "不批准")])
    comment = forms.CharField(label="审批意见", required=False, max_length=255)


class MatchForm(forms.Form):
    randomness = forms.CharField(
        label="公开随机数", widget=forms.Textarea(attrs={"rows": 2}), help_text="每行一项，须在抽取确认之后公布",
    )
    fallback = forms.ChoiceField(label="本区域人员不足时", choices=FALLBACK_CHOICES, initial="adjacent")
    direct_assignment_reason = forms.CharField(label="直接委派理由", required=False, max_length=255)
    add_experts = forms.BooleanField(
        label="每组另配一名专家（不计入执法人员）", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    allow_unstaffed = forms.BooleanField(
        label="有对象无法配齐时仍然保存（未配齐的对象留待处理）", required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(label="整体重新匹配原因（已有匹配时填写）", required=False, max_length=255)

    def options(self) -> MatchOptions:
        data: dict[str, Any] = self.cleaned_data
        return MatchOptions(
            fallback=data["fallback"], direct_assignment_reason=data.get("direct_assignment_reason", ""),
            add_experts=bool(data.get("add_experts")),
        )

    def randomness_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("randomness", ""))


class ReplaceForm(forms.Form):
    reason = forms.CharField(label="替换原因", max_length=255, help_text="例如：发现与该对象存在利害关系，需回避")
    randomness = forms.CharField(label="新的公开随机数", widget=forms.Textarea(attrs={"rows": 2}))

    def randomness_list(self) -> list[str]:
        return _lines(self.cleaned_data.get("randomness", ""))
