"""The bureau's draw rules (覆盖周期, 非请勿扰, 一般事项比例上限, 高风险必查) and the coverage floors.

Seeds: 大洼 实施细则 (3—5 年全面覆盖一次; 上年度高风险对象应当纳入), 玉溪 2020 (一般事项严格控制上限、重点事项不设上限;
非请勿扰 except 医疗卫生机构、餐饮具消毒服务单位、饮用水), 涞源 2024 (年度抽查监管主体占比 3% 以上), 莲池 2023 (5% 以上).
A bureau without its own settings inherits those of the nearest upper-level bureau, else the defaults below.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from shuangsuiji.common.models import TimeStampedModel

ALL_FLAGS = ["abnormal_list", "blacklist", "complaints", "incident", "penalized", "sampling_failed"]
# 玉溪: 医疗卫生机构、餐饮具消毒服务单位、饮用水 are never left alone (专业 codes of directory/specialties.py).
DEFAULT_KEY_SPECIALTIES = ["drinking_water", "medical", "tableware_disinfection"]
DEFAULT_CYCLE_YEARS = 5
DEFAULT_GENERAL_CAP = Decimal("30")  # 河南 practice: D类 30% is the highest ratio of a 一般 item
DEFAULT_FLOOR = Decimal("3")


def default_flags() -> list[str]:
    return list(ALL_FLAGS)


def default_key_specialties() -> list[str]:
    return list(DEFAULT_KEY_SPECIALTIES)


class CycleMode(models.TextChoices):
    PREFER = "prefer", "优先抽取本周期尚未检查的对象"
    ENSURE = "ensure", "确保周期内查遍（必要时提高抽取数）"


class DrawRuleSettings(TimeStampedModel):
    """A bureau's draw rules; subordinate bureaus without their own inherit them."""

    organization = models.OneToOneField(
        "accounts.Organization", verbose_name="单位", on_delete=models.PROTECT, related_name="draw_rules"
    )
    cycle_years = models.PositiveSmallIntegerField("全覆盖周期（年）", default=DEFAULT_CYCLE_YEARS)
    cycle_mode = models.CharField("覆盖方式", max_length=8, choices=CycleMode.choices, default=CycleMode.PREFER)
    cycle_start_year = models.PositiveIntegerField("本周期起始年度")
    do_not_disturb = models.BooleanField("非请勿扰（一般事项）", default=True)
    key_specialties = models.JSONField("非请勿扰除外的重点专业", default=default_key_specialties, blank=True)
    general_cap_percent = models.DecimalField(
        "一般事项抽查比例上限（%）", max_digits=5, decimal_places=2, default=DEFAULT_GENERAL_CAP
    )
    mandatory_flags = models.JSONField("高风险必查标记", default=default_flags, blank=True)
    flag_lookback_years = models.PositiveSmallIntegerField(
        "必查标记回溯年度", default=1, help_text="1 = 上年度和本年度发生的标记（大洼：上年度……应当纳入）"
    )

    class Meta:
        verbose_name = "抽取规则设置"
        verbose_name_plural = "抽取规则设置"

    def __str__(self) -> str:
        return f"{self.organization} 抽取规则"


class FloorLevel(models.TextChoices):
    ANNUAL = "annual", "年度抽查计划"
    JOINT = "joint", "联合抽查计划"
    TASK = "task", "抽查任务"


class CoverageFloor(TimeStampedModel):
    """Required share of the register a plan of a level must inspect in a region (and its subregions)."""

    region = models.ForeignKey("accounts.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("适用于", max_length=8, choices=FloorLevel.choices)
    percent = models.DecimalField("最低抽查比例（%）", max_digits=5, decimal_places=2)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "最低抽查比例"
        verbose_name_plural = "最低抽查比例"
        constraints = [models.UniqueConstraint(fields=["region", "level"], name="uniq_coverage_floor")]

    def __str__(self) -> str:
        return f"{self.region} {self.get_level_display()} ≥{self.percent}%"


class DutyKind(models.TextChoices):
    ANNUAL = "annual", "年度抽查计划报送"
    JOINT = "joint", "联合抽查计划报送"


class PlanFilingDuty(TimeStampedModel):
    """A bureau's duty to file its annual / joint plan for a year, open from 1 January whether or not a plan has
    been created (玉溪: 年度计划1月底前、联合抽查计划3月底前报备案), so the reminder chain catches a bureau that never
    starts. Its deadline is completed when the plan of that year is filed (annual) or published (joint)."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("年度")
    kind = models.CharField("报送事项", max_length=8, choices=DutyKind.choices)

    class Meta:
        verbose_name = "计划报送义务"
        verbose_name_plural = "计划报送义务"
        constraints = [models.UniqueConstraint(fields=["organization", "year", "kind"], name="uniq_filing_duty")]

    def __str__(self) -> str:
        return f"{self.organization.name}{self.year}年{self.get_kind_display()}"
