from __future__ import annotations

import django_tables2 as tables

from shuangsuiji.directory.models import CheckItem, Inspector, Target


class CheckItemTable(tables.Table):
    code = tables.Column(linkify=True, verbose_name="事项编码")
    name = tables.Column(linkify=True)
    version = tables.Column(verbose_name="版本")

    class Meta:
        model = CheckItem
        empty_text = "没有符合条件的抽查事项。请调整或重置查询条件；双随机办、科室人员可点击“新增”录入，或“导入 Excel/CSV”批量添加。"
        fields = ("code", "specialty", "name", "kind", "ratio_percent", "frequency", "version", "status")
        attrs = {"class": "table table-vcenter card-table table-striped"}


class TargetTable(tables.Table):
    name = tables.Column(linkify=True)
    specialties = tables.ManyToManyColumn(verbose_name="专业类别", separator="、")

    class Meta:
        model = Target
        empty_text = "没有符合条件的检查对象。请调整或重置查询条件；双随机办可“导入 Excel/CSV”批量添加（先下载导入模板），或点击“新增”。"
        fields = ("name", "code", "region", "specialties", "status", "risk_class", "last_inspected_on")
        attrs = {"class": "table table-vcenter card-table table-striped"}


class InspectorTable(tables.Table):
    name = tables.Column(linkify=True)
    qualifications = tables.ManyToManyColumn(verbose_name="可检查专业", separator="、")

    class Meta:
        model = Inspector
        empty_text = "没有符合条件的执法检查人员。请调整或重置查询条件；双随机办可点击“新增”或“导入 Excel/CSV”添加。"
        fields = ("name", "organization", "kind", "licence_no", "licence_valid_to", "qualifications", "status")
        attrs = {"class": "table table-vcenter card-table table-striped"}
