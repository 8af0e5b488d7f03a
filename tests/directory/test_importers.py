"""Reading and row checks of import files (no database: lookups are built by hand)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from tests.directory.import_files import (
    ITEM_HEADER,
    TARGET_HEADER,
    csv_bytes,
    item_row,
    target_row,
    uscc,
    xlsx_bytes,
)

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.importers import (
    Lookups,
    Table,
    cell_text,
    decode_csv,
    read_table,
    sniff_format,
    validate_rows,
)

LOOKUPS = Lookups(
    specialties={"公共场所卫生": 1, "PUBLIC_PLACES": 1, "生活饮用水卫生": 2, "放射诊疗": 7, "放射卫生": 7},
    regions_in_scope={"莲池区": 10, "130606": 10},
    regions_out_of_scope={"涞源县", "130630"},
    default_region_id=10,
    today=datetime.date(2026, 1, 1),
)


def table(tmp_path: Path, name: str, data: bytes, kind: str = "targets") -> Table:
    path = tmp_path / name
    path.write_bytes(data)
    return read_table(path, file_name=name, kind=kind, max_rows=1000)


def test_header_is_found_below_a_title_row_and_trailing_empty_rows_are_dropped(tmp_path: Path) -> None:
    rows = [["2026年检查对象名录"], [], TARGET_HEADER, target_row(1), ["", ""], []]
    t = table(tmp_path, "a.xlsx", xlsx_bytes(rows))
    assert t.header_row == 3 and len(t.rows) == 1 and t.rows[0][0] == 4
    result = validate_rows(t, kind="targets", lookups=LOOKUPS)
    assert result.error_count == 0 and result.rows[0]["_row"] == 4


def test_values_are_cleaned(tmp_path: Path) -> None:
    rows = [
        TARGET_HEADER,
        target_row(1, uscc=" " + uscc(1).lower() + " ", specialties="公共场所卫生，生活饮用水卫生", risk="信用风险较高",
                   status="存续", flags="黑名单、投诉举报", date="2023年7月20日", phone="+86 138 1234 5678"),
        target_row(2, region="", date=45127, risk="D类（信用风险高）", specialties="public_places"),
    ]
    result = validate_rows(table(tmp_path, "a.xlsx", xlsx_bytes(rows)), kind="targets", lookups=LOOKUPS)
    assert result.error_count == 0, result.errors
    first, second = result.rows
    assert first["uscc"] == uscc(1) and first["_key"] == uscc(1)
    assert first["specialties"] == [1, 2] and first["risk_class"] == "C" and first["status"] == "operating"
    assert first["risk_flags"] == ["complaints", "blacklist"]
    assert first["last_inspected_on"] == datetime.date(2023, 7, 20)
    assert first["contact_phone"] == "13812345678"
    assert second["region"] == 10 and second["last_inspected_on"] == datetime.date(2023, 7, 20)
    assert second["risk_class"] == "D" and second["specialties"] == [1]


@pytest.mark.parametrize("value", ["2023-07-20", "2023/7/20", "2023.7.20", "2023年7月20日", "20230720", "45127"])
def test_date_formats(tmp_path: Path, value: str) -> None:
    rows = [TARGET_HEADER, target_row(1, date=value)]
    result = validate_rows(table(tmp_path, "a.csv", csv_bytes(rows)), kind="targets", lookups=LOOKUPS)
    assert result.rows[0]["last_inspected_on"] == datetime.date(2023, 7, 20)


def test_long_codes_stored_as_numbers_are_refused(tmp_path: Path) -> None:
    rows = [TARGET_HEADER, target_row(1, uscc=1.2130606e17)]
    result = validate_rows(table(tmp_path, "a.xlsx", xlsx_bytes(rows)), kind="targets", lookups=LOOKUPS)
    assert "丢失精度" in result.errors[0]["reason"]


def test_errors_name_row_column_value_and_reason(tmp_path: Path) -> None:
    rows = [TARGET_HEADER, target_row(1, region="涞源县", risk="E")]
    result = validate_rows(table(tmp_path, "a.csv", csv_bytes(rows)), kind="targets", lookups=LOOKUPS)
    assert result.errors == [
        {"row": 2, "column": "所属区划", "value": "涞源县", "reason": "区划“涞源县”不在本单位管辖范围内，不能导入"},
        {"row": 2, "column": "信用风险分类", "value": "E", "reason": "信用风险分类“E”不是可选值"},
    ]
    assert result.rows == []


def test_error_list_is_capped_but_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shuangsuiji.directory.importers as importers

    monkeypatch.setattr(importers, "MAX_ERRORS", 5)
    rows = [TARGET_HEADER, *[target_row(i, name="") for i in range(12)]]
    result = validate_rows(table(tmp_path, "a.csv", csv_bytes(rows)), kind="targets", lookups=LOOKUPS)
    assert result.error_count == 12 and len(result.errors) == 5


def test_duplicate_header_columns(tmp_path: Path) -> None:
    header = [*TARGET_HEADER, "名称"]
    t = table(tmp_path, "a.csv", csv_bytes([header, [*target_row(1), "x"]]))
    with pytest.raises(ApplicationError, match="出现了两次"):
        validate_rows(t, kind="targets", lookups=LOOKUPS)


def test_csv_delimiters_and_encodings(tmp_path: Path) -> None:
    text = "\t".join(TARGET_HEADER) + "\n" + "\t".join(str(v) for v in target_row(1)) + "\n"
    t = table(tmp_path, "a.txt", text.encode("gbk"))
    assert validate_rows(t, kind="targets", lookups=LOOKUPS).error_count == 0
    assert decode_csv("名称".encode("utf-16")) == "名称"
    assert decode_csv("\ufeff名称".encode()) == "名称"
    with pytest.raises(ApplicationError, match="无法识别文件编码"):
        decode_csv(b"\x80\x81\xff")


def test_sniff_format() -> None:
    assert sniff_format(b"PK\x03\x04rest", "a.xlsx") == "excel"
    assert sniff_format(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.xls") == "excel"
    assert sniff_format("单位名称".encode(), "a.csv") == "csv"
    with pytest.raises(ApplicationError, match="不是有效的 Excel 工作簿"):
        sniff_format(b"<html>", "a.xlsx")


def test_item_ratio_accepts_percent_cells(tmp_path: Path) -> None:
    rows = [ITEM_HEADER, item_row("A", ratio=0.05), item_row("B", ratio="12.5%"), item_row("C", ratio="x")]
    result = validate_rows(table(tmp_path, "a.xlsx", xlsx_bytes(rows), kind="items"), kind="items", lookups=LOOKUPS)
    assert [r["ratio_percent"] for r in result.rows] == [Decimal("5.00"), Decimal("12.50")]
    assert "应为数字" in result.errors[0]["reason"]


def test_cell_text() -> None:
    assert cell_text(13812345678.0) == "13812345678"
    assert cell_text(datetime.datetime(2023, 7, 20)) == "2023-07-20"
    assert cell_text(None) == "" and cell_text("  a ") == "a"
