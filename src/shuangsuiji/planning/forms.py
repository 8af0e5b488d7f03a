"""Forms of planning: they parse input and limit choices to the actor's scope; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from shuangsuiji.accounts.models import Organization, Region, User
from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.directory.models import CheckItem, InspectionMethod, ItemStatus, RiskFlag, Specialty
from shuangsuiji.planning.models import RISK_CLASSES, AnnualPlan, CoverageRule, JointPlan, Task, WorkScheme
from shuangsuiji.planning.selectors import participant_choices

MONTHS = [(m, f"{m}月") for m in range(1, 13)]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RatiosMixin:
    """Four fields 比例 A–D; ``ratios()`` gives the dict the services take."""

    cleaned_data: dict[str, Any]

    @staticmethod
    def ratio_fields(initial: dict[str, Any] | None = None) -> dict[str, forms.Field]:
        labels = {"A": "A类（低风险）比例%", "B": "B类（一般）比例%", "C": "C类（较高）比例%", "D": "D类（高风险）比例%"}
        return {
            f"ratio_{risk}": forms.DecimalField(
                label=labels[risk], min_value=0, max_value=100, decimal_places=2,
                initial=(initial or {}).get(risk),
            )
            for risk in RISK_CLASSES
        }

    def ratios(self) -> dict[str, Any]:
        return {risk: self.cleaned_data[f"ratio_{risk}"] for risk in RISK_CLASSES}


def _current_items(actor: User) -> Any:
    bureau = user_bureau(actor)
    qs = CheckItem.objects.filter(is_current=True, status=ItemStatus.PUBLISHED).select_related("specialty")
    return qs.filter(owner=bureau) if bureau is not None else qs.none()


class PlanForm(forms.ModelForm):
    class Meta:
        model = AnnualPlan
        fields = ["year", "title", "overall_goal_percent", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PlanLineForm(RatiosMixin, forms.Form):
    item = forms.ModelChoiceField(label="抽查事项", queryset=CheckItem.objects.none())
    frequency = forms.CharField(label="抽查频次", max_length=64, initial="每年1次")
    months = forms.TypedMultipleChoiceField(
        label="实施月份", choices=MONTHS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    responsible_section = forms.ModelChoiceField(label="责任科室", queryset=Organization.objects.none(), required=False)
    is_joint = forms.BooleanField(label="部门联合抽查", required=False)
    note = forms.CharField(label="备注", max_length=255, required=False)
    coverage_rule = forms.ChoiceField(
        label="覆盖要求", choices=CoverageRule.choices, initial=CoverageRule.NONE, required=False,
        help_text="平顶山：煤矿和非煤矿山、职业卫生技术服务机构应当全覆盖；职业卫生抽查数量不低于上年",
    )
    target_keywords = forms.CharField(
        label="对象类别（名称关键词）", max_length=200, required=False, help_text="如“煤矿、矿山”；空则为本事项专业的全部对象"
    )

    def clean_coverage_rule(self) -> str:
        return self.cleaned_data.get("coverage_rule") or CoverageRule.NONE

    def __init__(self, *args: Any, plan: AnnualPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(self.ratio_fields({"A": 1, "B": 3, "C": 10, "D": 30}))
        self.fields["item"].queryset = CheckItem.objects.filter(  # type: ignore[attr-defined]
            owner_id=plan.owner_id, is_current=True, status=ItemStatus.PUBLISHED
        ).select_related("specialty")
        self.fields["responsible_section"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            parent_id=plan.owner_id
        )


class UncoveredForm(forms.Form):
    item = forms.ModelChoiceField(label="抽查事项", queryset=CheckItem.objects.none())
    reason = forms.CharField(label="未纳入原因", max_length=255, help_text="如：已纳入国家监督抽检、专项行动")

    def __init__(self, *args: Any, plan: AnnualPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = CheckItem.objects.filter(  # type: ignore[attr-defined]
            owner_id=plan.owner_id, is_current=True, status=ItemStatus.PUBLISHED
        )


class AddMissingForm(RatiosMixin, forms.Form):
    months = forms.TypedMultipleChoiceField(
        label="实施月份", choices=MONTHS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(self.ratio_fields({"A": 1, "B": 3, "C": 10, "D": 30}))


class CommentForm(forms.Form):
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class JointPlanForm(forms.ModelForm):
    participants = forms.ModelMultipleChoiceField(
        label="参与部门", queryset=Organization.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    owner_items = forms.ModelMultipleChoiceField(
        label="本部门抽查事项", queryset=CheckItem.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = JointPlan
        fields = ["title", "year", "target_scope", "ratio_percent", "window_start", "window_end"]
        widgets = {"target_scope": forms.Textarea(attrs={"rows": 2}), "window_start": DATE, "window_end": DATE}

    def restrict(self, actor: User) -> None:
        self.fields["participants"].queryset = participant_choices(actor=actor)  # type: ignore[attr-defined]
        self.fields["owner_items"].queryset = _current_items(actor)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["participants"].initial = [
                p.organization_id for p in self.instance.participants.exclude(organization_id=self.instance.owner_id)
            ]
            own = self.instance.participants.filter(organization_id=self.instance.owner_id).first()
            self.fields["owner_items"].initial = list(own.items.values_list("pk", flat=True)) if own else []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # 莲池: 按照企业信用风险分级分类 — optional ratio per class; empty = the 抽查比例 above for every class
        initial = (self.instance.ratios or {}) if self.instance.pk else {}
        for risk in RISK_CLASSES:
            self.fields[f"ratio_{risk}"] = forms.DecimalField(
                label=f"{risk}类比例%（按信用风险分类，可空）", min_value=0, max_value=100, decimal_places=2,
                required=False, initial=initial.get(risk),
            )
        self.fields["ratio_percent"].help_text = "各风险类别比例均未填写时，所有类别按此比例；填写后此项取各类别的最低值"

    def service_data(self) -> dict[str, Any]:
        data = {
            k: v for k, v in self.cleaned_data.items()
            if k not in ("participants", "owner_items") and not k.startswith("ratio_") or k == "ratio_percent"
        }
        ratios = {risk: self.cleaned_data.get(f"ratio_{risk}") for risk in RISK_CLASSES}
        if any(v is not None for v in ratios.values()):
            data["ratios"] = {k: v for k, v in ratios.items() if v is not None}
        return data


class ConfirmForm(forms.Form):
    item_titles = forms.CharField(
        label="本部门抽查事项", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一项", required=False
    )
    comment = forms.CharField(label="确认意见", max_length=255, required=False)


class NationalImportForm(forms.Form):
    file = forms.FileField(label="任务清单（.xlsx）")


class TaskForm(RatiosMixin, forms.ModelForm):
    """Task scope and parameters; for a claimed national task the upper level's fields are read-only."""

    items = forms.ModelMultipleChoiceField(
        label="抽查事项", queryset=CheckItem.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    specialties = forms.ModelMultipleChoiceField(
        label="抽查专业", queryset=Specialty.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple,
        required=False, help_text="不选则按所选事项的专业",
    )
    regions = forms.ModelMultipleChoiceField(
        label="抽查区域", queryset=Region.objects.none(), widget=forms.CheckboxSelectMultiple, required=False,
        help_text="不选则为本单位全部辖区",
    )
    participants = forms.ModelMultipleChoiceField(
        label="参与部门", queryset=Organization.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    methods = forms.MultipleChoiceField(
        label="检查方式", choices=InspectionMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    mandatory_flags = forms.MultipleChoiceField(
        label="必查风险标记", choices=RiskFlag.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Task
        fields = [
            "title", "items", "specialties", "regions", "participants", "floor_percent", "min_per_stratum",
            "mandatory_flags", "exclusion_months", "methods", "team_size", "max_targets_per_inspector",
            "window_start", "window_end",
        ]
        widgets = {"window_start": DATE, "window_end": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ratios = self.instance.ratios if self.instance.pk else self.initial.get("ratios")
        self.fields.update(self.ratio_fields(ratios))

    def restrict(self, actor: User, *, locked: bool = False) -> None:
        bureau = user_bureau(actor)
        self.fields["items"].queryset = _current_items(actor)  # type: ignore[attr-defined]
        self.fields["participants"].queryset = participant_choices(actor=actor)  # type: ignore[attr-defined]
        regions = Region.objects.all()
        if bureau is not None:
            regions = regions.filter(path__startswith=bureau.region.path)
        self.fields["regions"].queryset = regions  # type: ignore[attr-defined]
        if locked:
            from shuangsuiji.planning.services import LOCKED_FIELDS

            for name in [n for n in self.fields if n in LOCKED_FIELDS or n.startswith("ratio_")]:
                self.fields[name].disabled = True
                self.fields[name].help_text = "由上级确定，不可修改"

    def service_data(self, *, locked: bool = False) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("ratio_")}
        data["ratios"] = self.ratios()
        for name in ("items", "specialties", "regions", "participants"):
            data[name] = list(data.get(name) or [])
        if locked:
            from shuangsuiji.planning.services import LOCKED_FIELDS

            for name in LOCKED_FIELDS:
                data.pop(name, None)
        return data


class SchemeForm(forms.ModelForm):
    class Meta:
        model = WorkScheme
        fields = ["title", "document_number", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 28})}
        help_texts = {"body": "以“一、”“二、”等开头的行作为章节标题，其余每行为一段"}
