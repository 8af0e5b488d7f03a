"""Forms of the draw rules page: they parse; ``rule_services`` validates (Chinese errors) and writes."""

from __future__ import annotations

from typing import Any

from django import forms

from shuangsuiji.accounts.models import Organization, Region
from shuangsuiji.directory.models import RiskFlag, Specialty
from shuangsuiji.planning.rule_models import CycleMode, FloorLevel
from shuangsuiji.planning.rules import BureauRules


class DrawRulesForm(forms.Form):
    # Ranges are checked by the service (one message per rule, e.g. "全覆盖周期须为 3—5 年"), not by the widget.
    cycle_years = forms.IntegerField(label="全覆盖周期（年）", help_text="3—5 年（大洼实施细则：按3—5年全面覆盖一次）")
    cycle_mode = forms.ChoiceField(label="覆盖方式", choices=CycleMode.choices)
    cycle_start_year = forms.IntegerField(label="本周期起始年度")
    do_not_disturb = forms.BooleanField(
        label="一般事项实行“非请勿扰”", required=False,
        help_text="A类（信用风险低）且无风险标记、上次检查未发现问题的对象不参加一般事项的随机抽取（玉溪 2020）",
    )
    key_specialties = forms.MultipleChoiceField(
        label="非请勿扰除外的重点专业", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="玉溪：医疗卫生机构、餐饮具消毒服务单位、饮用水等领域不适用非请勿扰",
    )
    general_cap_percent = forms.DecimalField(label="一般事项抽查比例上限（%）", decimal_places=2)
    mandatory_flags = forms.MultipleChoiceField(
        label="高风险必查标记", choices=RiskFlag.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="大洼：上年度投诉举报较多、受到处罚、发生突发公共卫生事件、抽检不合格、列入经营异常名录和黑名单的对象应当纳入",
    )
    flag_lookback_years = forms.IntegerField(label="必查标记回溯年度", help_text="1 = 上年度1月1日以来的标记")

    def __init__(self, *args: Any, current: BureauRules, year: int, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "cycle_years": current.cycle_years, "cycle_mode": current.cycle_mode,
                "cycle_start_year": current.cycle_start_year or year, "do_not_disturb": current.do_not_disturb,
                "key_specialties": list(current.key_specialties), "general_cap_percent": current.general_cap,
                "mandatory_flags": list(current.mandatory_flags), "flag_lookback_years": current.flag_lookback_years,
            },
        )
        super().__init__(*args, **kwargs)
        field = self.fields["key_specialties"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(s.code, s.name) for s in Specialty.objects.filter(is_active=True)]


class CoverageFloorForm(forms.Form):
    region = forms.ModelChoiceField(label="区划", queryset=Region.objects.none())
    level = forms.ChoiceField(label="适用于", choices=FloorLevel.choices)
    percent = forms.DecimalField(label="最低抽查比例（%）", decimal_places=2)
    basis = forms.CharField(label="依据", max_length=200, required=False)

    def __init__(self, *args: Any, bureau: Organization | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)
        if bureau is not None:
            field.queryset = Region.objects.filter(path__startswith=bureau.region.path)


class PlanRulesForm(forms.Form):
    cycle_years = forms.IntegerField(label="全覆盖周期（年）", required=False, help_text="空 = 沿用本单位抽取规则；3—5 年")
    cycle_mode = forms.ChoiceField(label="覆盖方式", choices=[("", "沿用本单位抽取规则"), *CycleMode.choices], required=False)
    region_weights = forms.CharField(
        label="不同地区的抽查比重", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="玉溪：明确……不同地区的抽查比重。每行“区划代码或名称:比重”，如 130606:2；未列出的地区比重为 1",
    )
