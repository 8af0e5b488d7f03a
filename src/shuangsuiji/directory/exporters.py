"""Excel export of the (filtered) lists and the downloadable import templates.

Exports use the import template's columns first, so an exported file can be edited and imported back
(re-import of an unchanged export changes nothing); a few read-only columns follow at the end and are
ignored on import. Personal data (ID numbers, phones) is masked unless the caller may see it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from shuangsuiji.common.crypto import mask_id_number, mask_phone
from shuangsuiji.directory.importers import COLUMNS, Column
from shuangsuiji.directory.models import CheckItem, ImportKind, Inspector, RiskFlag, Target

SHEET_NAMES: dict[str, str] = {ImportKind.TARGETS: "检查对象", ImportKind.INSPECTORS: "执法检查人员", ImportKind.ITEMS: "抽查事项"}
TEMPLATE_ROWS = 10_000  # rows that carry drop-down lists in the template
FLAG_LABELS = dict(RiskFlag.choices)


def _header(column: Column) -> str:
    return f"{column.header}*" if column.required else column.header


def _join(values: Iterable[str], sep: str = "、") -> str:
    return sep.join(v for v in values if v)


# ---------------------------------------------------------------- rows


def _target_row(t: Target, show_personal: bool) -> list[Any]:
    return [
        t.uscc, t.name, t.address, t.region.name, _join(s.name for s in t.specialties.all()), t.licence_numbers,
        t.legal_representative, t.contact_person, t.contact_phone if show_personal else mask_phone(t.contact_phone),
        t.get_status_display(), t.get_risk_class_display(), _join(FLAG_LABELS.get(f, f) for f in t.risk_flags),
        t.last_inspected_on, t.last_result,
        # read-only columns
        t.code, t.owner.name, "是" if t.is_retired else "否",
    ]


def _inspector_row(i: Inspector, show_personal: bool, today: date) -> list[Any]:
    if not i.licence_no:
        licence_state = "无执法证"
    elif i.licence_valid_on(today):
        licence_state = "有效"
    else:
        licence_state = "已过期" if i.licence_valid_to and i.licence_valid_to < today else "未生效"
    return [
        i.name, i.organization.name, i.region.name, i.get_kind_display(), i.licence_no, i.licence_valid_from,
        i.licence_valid_to, _join(s.name for s in i.qualifications.all()), i.expertise, _join(i.tags),
        i.get_status_display(), i.id_number if show_personal else mask_id_number(i.id_number),
        i.phone if show_personal else mask_phone(i.phone),
        licence_state, i.owner.name, "是" if i.is_retired else "否",
    ]


def _item_row(item: CheckItem, show_personal: bool) -> list[Any]:
    return [
        item.code, item.specialty.name, item.name, _join(item.sub_items, "\n"), item.legal_basis, item.subject,
        item.target_type, _join(item.method_labels), f"{item.ratio_percent.normalize():f}", item.frequency,
        item.get_kind_display(),
        item.version, item.get_status_display(),
        timezone.localtime(item.published_at).strftime("%Y-%m-%d %H:%M") if item.published_at else "",
    ]


EXTRA_HEADERS: dict[str, list[str]] = {
    ImportKind.TARGETS: ["对象编码", "所属单位", "已移出名录"],
    ImportKind.INSPECTORS: ["执法证状态", "所属单位", "已移出名录"],
    ImportKind.ITEMS: ["版本", "状态", "公布时间"],
}


def _row_function(kind: str, show_personal: bool) -> Callable[[Any], list[Any]]:
    if kind == ImportKind.TARGETS:
        return lambda obj: _target_row(obj, show_personal)
    if kind == ImportKind.INSPECTORS:
        today = timezone.localdate()
        return lambda obj: _inspector_row(obj, show_personal, today)
    return lambda obj: _item_row(obj, show_personal)


# ---------------------------------------------------------------- workbook helpers


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.required = workbook.add_format(
            {"bold": True, "bg_color": "#FCE4D6", "font_color": "#C00000", "border": 1, "text_wrap": True,
             "valign": "vcenter"}
        )  # fmt: skip
        self.text = workbook.add_format({"num_format": "@"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})


def _setup_columns(sheet: Any, formats: _Formats, columns: tuple[Column, ...], extra: list[str]) -> None:
    for index, column in enumerate(columns):
        cell_format = formats.text if column.text_format else formats.date if column.is_date else None
        sheet.set_column(index, index, column.width, cell_format)
        sheet.write_string(0, index, _header(column), formats.required if column.required else formats.header)
    for offset, header in enumerate(extra):
        index = len(columns) + offset
        sheet.set_column(index, index, 14)
        sheet.write_string(0, index, header, formats.header)
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 30)


def _write_cell(sheet: Any, row: int, col: int, value: Any, formats: _Formats) -> None:
    if value is None or value == "":
        return
    if isinstance(value, date):
        sheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _workbook_bytes(build: Callable[[Any], None], *, constant_memory: bool) -> bytes:
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": constant_memory, "strings_to_numbers": False})
        build(workbook)
        workbook.close()
        with open(path, "rb") as data:
            return data.read()
    finally:
        os.unlink(path)


# ---------------------------------------------------------------- export


def export_xlsx(kind: str, qs: QuerySet[Any], show_personal: bool = False) -> bytes:
    """The rows of `qs` (already scoped and filtered by the selector) as an .xlsx file."""
    columns = COLUMNS[kind]
    extra = EXTRA_HEADERS[kind]
    to_row = _row_function(kind, show_personal)
    select: tuple[str, ...] = {
        ImportKind.TARGETS: ("region", "owner"),
        ImportKind.INSPECTORS: ("region", "organization", "owner"),
        ImportKind.ITEMS: ("specialty",),
    }[ImportKind(kind)]
    queryset = qs.select_related(*select).order_by("pk")

    def build(workbook: Any) -> None:
        formats = _Formats(workbook)
        sheet = workbook.add_worksheet(SHEET_NAMES[kind])
        _setup_columns(sheet, formats, columns, extra)
        row_index = 0
        for row_index, obj in enumerate(queryset.iterator(chunk_size=2000), start=1):
            for col, value in enumerate(to_row(obj)):
                _write_cell(sheet, row_index, col, value, formats)
        sheet.autofilter(0, 0, max(row_index, 1), len(columns) + len(extra) - 1)
        if not show_personal and kind != ImportKind.ITEMS:
            notes = workbook.add_worksheet("说明")
            notes.write_string(0, 0, "本文件中的手机号、身份证号已按权限做掩码处理；如需原始数据请由双随机办管理员导出。")
            notes.set_column(0, 0, 80)

    return _workbook_bytes(build, constant_memory=True)


# ---------------------------------------------------------------- templates


def template_workbook(kind: str, reference: dict[str, list[str]] | None = None) -> bytes:
    """An empty import template: header comments, drop-down lists, text-formatted code columns, a 填写说明
    sheet with examples and a 可选值 sheet (专业, and the regions/organizations in the caller's scope)."""
    columns = COLUMNS[kind]
    reference = reference or {}

    def build(workbook: Any) -> None:
        formats = _Formats(workbook)
        sheet = workbook.add_worksheet(SHEET_NAMES[kind])
        _setup_columns(sheet, formats, columns, [])
        for index, column in enumerate(columns):
            note = ("必填。" if column.required else "") + (column.help or "")
            if column.example:
                note += f"\n示例：{column.example}"
            if note:
                sheet.write_comment(0, index, note, {"x_scale": 2, "y_scale": 1.6})
            if column.choices:
                sheet.data_validation(1, index, TEMPLATE_ROWS, index, {
                    "validate": "list", "source": list(column.choices), "error_type": "warning",
                    "error_title": "不是可选值", "error_message": "可选值：" + "、".join(column.choices),
                })
        guide = workbook.add_worksheet("填写说明")
        guide.set_column(0, 0, 20)
        guide.set_column(1, 1, 8)
        guide.set_column(2, 2, 60, formats.wrap)
        guide.set_column(3, 3, 36, formats.wrap)
        for col, title in enumerate(("列名", "必填", "说明", "示例")):
            guide.write_string(0, col, title, formats.header)
        for row, column in enumerate(columns, start=1):
            guide.write_string(row, 0, column.header)
            guide.write_string(row, 1, "是" if column.required else "")
            help_text = column.help + ("（可选值：" + "、".join(column.choices) + "）" if column.choices else "")
            guide.write_string(row, 2, help_text)
            guide.write_string(row, 3, column.example)
        last = len(columns) + 2
        for offset, line in enumerate((
            "第一行是表头，请勿修改列名；从第二行起每行一条记录。带 * 的列必填。",
            "全部行校验通过才会导入，任何一行有错都不会保存；错误报告列出行号、列名、填写内容和原因。",
            "重复导入同一文件不会产生重复记录：检查对象按统一社会信用代码（无代码的按许可证号）、执法人员按执法证号、"
            "事项按事项编码更新。留空的单元格不会清除已有数据。",
            "日期可写作 2023-07-20、2023/7/20、2023.7.20 或 2023年7月20日，也可以是 Excel 日期。",
            "身份证号、统一社会信用代码等长数字请保持文本格式，否则 Excel 会丢失15位以后的数字。",
        )):
            guide.write_string(last + offset, 0, line)
        values = workbook.add_worksheet("可选值")
        lists: list[tuple[str, list[str]]] = [("专业", reference.get("specialties", []))]
        if kind != ImportKind.ITEMS:
            lists.append(("区划", reference.get("regions", [])))
        if kind == ImportKind.INSPECTORS:
            lists.append(("工作单位", reference.get("organizations", [])))
        lists += [(c.header, list(c.choices)) for c in columns if c.choices]
        for col, (title, options) in enumerate(lists):
            values.set_column(col, col, 24)
            values.write_string(0, col, title, formats.header)
            for row, option in enumerate(options, start=1):
                values.write_string(row, col, option)
        if kind == ImportKind.ITEMS and reference.get("specialties"):
            index = next(i for i, c in enumerate(columns) if c.key == "specialty")
            count = len(reference["specialties"])
            sheet.data_validation(1, index, TEMPLATE_ROWS, index, {
                "validate": "list", "source": f"=可选值!$A$2:$A${count + 1}", "error_type": "warning",
            })

    return _workbook_bytes(build, constant_memory=False)


def template_csv(kind: str) -> bytes:
    """Header line only, UTF-8 with BOM so that Excel opens it with the right encoding."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_header(c) for c in COLUMNS[kind]])
    return buffer.getvalue().encode("utf-8-sig")
