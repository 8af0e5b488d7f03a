from __future__ import annotations

import django_tables2 as tables

from shuangsuiji.directory.models import CheckItem, Inspector, Target


class CheckItemTable(tables.Table):
    code = tables.Column(linkify=True, verbose_name="事项编码")
    name = tables.Column(linkify=True)
    version = tables.Column(verbose_name="版本")

    class Meta:
        model = CheckItem
        fields = ("code", "specialty", "name", "kind", "ratio_percent", "frequency", "version", "status")
        attrs = {"class": "table table-vcenter card-table table-striped"}


class TargetTable(tables.Table):
    name = tables.Column(linkify=True)
    specialties = tables.ManyToManyColumn(verbose_name="专业类别", separator="、")

    class Meta:
        model = Target
        fields = ("name", "code", "region", "specialties", "status", "risk_class", "last_inspected_on")
        attrs = {"class": "table table-vcenter card-table table-striped"}


class InspectorTable(tables.Table):
    name = tables.Column(linkify=True)
    qualifications = tables.ManyToManyColumn(verbose_name="可检查专业", separator="、")

    class Meta:
        model = Inspector
        fields = ("name", "organization", "kind", "licence_no", "licence_valid_to", "qualifications", "status")
        attrs = {"class": "table table-vcenter card-table table-striped"}
