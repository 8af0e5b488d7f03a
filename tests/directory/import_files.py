"""Builders of import files for the import/export tests."""

from __future__ import annotations

import csv
import io
from typing import Any

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.core.idcard import complete_id_number
from shuangsuiji.core.uscc import complete_uscc

TARGET_HEADER = [
    "统一社会信用代码", "单位名称*", "地址", "所属区划", "专业类别*", "许可证号", "法定代表人/负责人", "联系人",
    "联系电话", "经营状态", "信用风险分类", "风险标记", "最近检查日期", "最近检查结果",
]
INSPECTOR_HEADER = [
    "姓名", "工作单位", "所属区划", "人员类别", "行政执法证号", "执法证有效期起", "执法证有效期止", "可检查专业",
    "业务专长", "技术特点", "状态", "身份证号", "手机号",
]
ITEM_HEADER = [
    "事项编码", "专业", "抽查事项", "检查内容", "抽查依据", "抽查主体", "抽查对象", "抽查方式", "抽查比例（%）",
    "抽查频次", "事项类别",
]


def uscc(i: int, region: str = "130606") -> str:
    return complete_uscc(f"92{region}MA{i:07d}")


def id_number(i: int) -> str:
    return complete_id_number(f"130606198{i % 10}0{1 + i % 9}1{i % 10}{i % 7}{i % 3}{i % 5}")


def target_row(i: int, region: str = "莲池区", **overrides: Any) -> list[Any]:
    values = {
        "uscc": uscc(i), "name": f"莲池区第{i}号宾馆", "address": f"保定市莲池区东风中路{i}号", "region": region,
        "specialties": "公共场所卫生", "licence": f"冀卫公证字〔2024〕第130606-{i:06d}号", "legal": "王建国",
        "contact": "李梅", "phone": "13812345678", "status": "在营", "risk": "B", "flags": "", "date": "2023.7.20",
        "result": "未发现问题",
    }
    values.update(overrides)
    return list(values.values())


def inspector_row(i: int, **overrides: Any) -> list[Any]:
    values = {
        "name": f"张{i}", "org": "", "region": "莲池区", "kind": "执法人员", "licence": f"1306062{i:04d}",
        "from": "2022-01-01", "to": "2027年12月31日", "quals": "公共场所卫生、医疗卫生", "expertise": "公共场所",
        "tags": "水质检测", "status": "在岗", "id": id_number(i), "phone": "13912345678",
    }
    values.update(overrides)
    return list(values.values())


def item_row(code: str, **overrides: Any) -> list[Any]:
    values = {
        "code": code, "specialty": "公共场所卫生", "name": "对公共场所卫生的监督检查",
        "sub": "卫生许可证情况；从业人员健康合格证明", "basis": "《公共场所卫生管理条例》", "subject": "",
        "target": "住宿场所", "methods": "现场检查", "ratio": "5", "frequency": "每年不少于1次", "kind": "一般检查事项",
    }
    values.update(overrides)
    return list(values.values())


def xlsx_bytes(rows: list[list[Any]], *, sheet: str = "检查对象") -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                worksheet.write_number(r, c, value)
            else:
                worksheet.write_string(r, c, str(value))
    workbook.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
