"""Target import files for the import benchmark and manual tests (same columns as the import template)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import xlsxwriter

from shuangsuiji.demo.data import COUNTIES
from shuangsuiji.demo.generator import iter_targets
from shuangsuiji.directory.importers import TARGET_COLUMNS

SPECIALTY_NAMES = {
    "public_places": "公共场所卫生", "drinking_water": "生活饮用水卫生", "water_products": "涉水产品",
    "disinfection_products": "消毒产品", "tableware_disinfection": "餐饮具集中消毒服务单位",
    "medical": "医疗机构/医疗卫生", "radiation": "放射诊疗/放射卫生", "infectious_disease": "传染病防治",
    "blood_safety": "血液安全", "occupational": "职业卫生", "family_planning": "计划生育", "school": "学校卫生",
    "childcare": "托育机构卫生",
}
STATUS = {"operating": "在营", "suspended": "停业", "cancelled": "注销"}
FLAGS = {"complaints": "投诉举报多", "penalized": "受过行政处罚", "incident": "发生突发事件",
         "sampling_failed": "抽检不合格", "abnormal_list": "列入经营异常名录", "blacklist": "严重违法失信名单"}  # fmt: skip


def target_rows(size: int, seed: int, county_codes: tuple[str, ...], today: date) -> list[list[object]]:
    counties = [c for c in COUNTIES if c.code in county_codes]
    rows: list[list[object]] = []
    for r in iter_targets(size, seed, today, counties):
        rows.append([
            r.uscc, r.name, r.address, r.county_name, "、".join(SPECIALTY_NAMES[s] for s in r.specialties),
            r.licence_numbers, r.legal_representative, r.contact_person, r.contact_phone, STATUS[r.status],
            r.risk_class, "、".join(FLAGS[f] for f in r.risk_flags), r.last_inspected_on, r.last_result,
        ])
    return rows


def write_targets_file(
    path: str | Path, size: int, seed: int = 20260101, *, county_codes: tuple[str, ...] = ("130606",),
    today: date | None = None,
) -> Path:
    """Write `size` generated targets of the given counties to .xlsx or .csv (by the suffix of `path`)."""
    path = Path(path)
    rows = target_rows(size, seed + 7, county_codes, today or date(2026, 1, 1))
    headers = [c.header for c in TARGET_COLUMNS]
    if path.suffix.lower() == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows([[v.isoformat() if isinstance(v, date) else v for v in row] for row in rows])
        return path
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("检查对象")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, headers)
    for index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(index, col, value, date_format)
            elif value:
                sheet.write_string(index, col, str(value))
    workbook.close()
    return path
