"""django-filter FilterSets for the three libraries (used by selectors, pages and the API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from shuangsuiji.accounts.models import Region
from shuangsuiji.directory.models import (
    CheckItem,
    Inspector,
    InspectorKind,
    InspectorStatus,
    ItemKind,
    ItemStatus,
    RiskClass,
    RiskFlag,
    Specialty,
    Target,
    TargetStatus,
)


class CheckItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    specialty = django_filters.ModelChoiceFilter(label="专业", queryset=Specialty.objects.all())
    kind = django_filters.ChoiceFilter(label="事项类别", choices=ItemKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=ItemStatus.choices)

    class Meta:
        model = CheckItem
        fields = ["q", "specialty", "kind", "status"]

    def search(self, queryset: QuerySet[CheckItem], name: str, value: str) -> QuerySet[CheckItem]:
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(legal_basis__icontains=value))


class TargetFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="名称/代码", method="search")
    region = django_filters.ModelChoiceFilter(label="区划", queryset=Region.objects.all(), method="in_region")
    specialty = django_filters.ModelChoiceFilter(
        label="专业", queryset=Specialty.objects.all(), field_name="specialties"
    )
    status = django_filters.ChoiceFilter(label="经营状态", choices=TargetStatus.choices)
    risk_class = django_filters.ChoiceFilter(label="风险分类", choices=RiskClass.choices)
    flag = django_filters.ChoiceFilter(label="风险标记", choices=RiskFlag.choices, method="has_flag")
    retired = django_filters.BooleanFilter(label="已移出名录", field_name="is_retired")

    class Meta:
        model = Target
        fields = ["q", "region", "specialty", "status", "risk_class", "flag", "retired"]

    def search(self, queryset: QuerySet[Target], name: str, value: str) -> QuerySet[Target]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value.upper()))

    def in_region(self, queryset: QuerySet[Target], name: str, value: Region) -> QuerySet[Target]:
        return queryset.filter(region__path__startswith=value.path)

    def has_flag(self, queryset: QuerySet[Target], name: str, value: str) -> QuerySet[Target]:
        # JSON containment differs between SQLite and PostgreSQL; a quoted substring works on both.
        return queryset.filter(risk_flags__icontains=f'"{value}"')


class InspectorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名/执法证号", method="search")
    region = django_filters.ModelChoiceFilter(label="区划", queryset=Region.objects.all(), method="in_region")
    qualification = django_filters.ModelChoiceFilter(
        label="可检查专业", queryset=Specialty.objects.all(), field_name="qualifications"
    )
    kind = django_filters.ChoiceFilter(label="人员类别", choices=InspectorKind.choices)
    status = django_filters.ChoiceFilter(label="状态", choices=InspectorStatus.choices)
    licence_expired = django_filters.BooleanFilter(label="执法证已过期", method="expired")
    retired = django_filters.BooleanFilter(label="已移出名录", field_name="is_retired")

    class Meta:
        model = Inspector
        fields = ["q", "region", "qualification", "kind", "status", "licence_expired", "retired"]

    def search(self, queryset: QuerySet[Inspector], name: str, value: str) -> QuerySet[Inspector]:
        return queryset.filter(Q(name__icontains=value) | Q(licence_no__icontains=value))

    def in_region(self, queryset: QuerySet[Inspector], name: str, value: Region) -> QuerySet[Inspector]:
        return queryset.filter(region__path__startswith=value.path)

    def expired(self, queryset: QuerySet[Inspector], name: str, value: bool | None) -> QuerySet[Inspector]:
        from django.utils import timezone

        today = timezone.localdate()
        expired_q = Q(licence_valid_to__lt=today) | Q(licence_valid_to__isnull=True)
        if value is None:
            return queryset
        return queryset.filter(expired_q) if value else queryset.exclude(expired_q)
