"""Reading and row-checking of 一单两库 import files (.xlsx/.xls/.ods with python-calamine, .csv).

This module never writes: `read_table` turns a file into header + rows, `validate_rows` checks every row
against the column specs and the lookups the service prepared (regions, organizations, 专业 in the
importing bureau's scope) and returns cleaned rows plus Chinese errors (row, column, value, reason).
`import_services` decides and writes all or nothing.

Rows are checked by plain functions, not one Django form per row: a form costs ~0.1 ms per row, too much
for the 100,000-row files the import must take (see bench/import_bench.py).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.dates import DateParseError, parse_date
from shuangsuiji.core.idcard import IdNumberError, validate_id_number
from shuangsuiji.core.uscc import UsccError, validate_uscc
from shuangsuiji.directory.models import (
    ImportKind,
    InspectionMethod,
    InspectorKind,
    InspectorStatus,
    ItemKind,
    RiskClass,
    RiskFlag,
    TargetStatus,
)

MAX_ERRORS = 1000
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
CSV_SUFFIXES = {".csv", ".txt"}
SEPARATORS = re.compile(r"[、,，;；\n\r|]+")
LINE_SEPARATORS = re.compile(r"[\n\r；;|]+")
MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(?:-\d{1,6})?")


class CellError(ValueError):
    """A cell value is not acceptable; the message (Chinese) is the reason shown in the report."""


# ---------------------------------------------------------------- column specs


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()  # offered as a drop-down list in the Excel template
    text_format: bool = False  # long digit strings: the template formats the column as text
    is_date: bool = False
    width: int = 16


def _labels(choices: Any) -> tuple[str, ...]:
    return tuple(str(label) for _, label in choices)


TARGET_COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", aliases=("社会信用代码", "信用代码", "USCC"), text_format=True, width=22,
           help="18位，含校验位。无统一社会信用代码的单位留空并填写许可证号。", example="91130606MA07L2XK3D"),
    Column("name", "单位名称", required=True, aliases=("名称", "检查对象名称", "单位名", "企业名称", "机构名称"),
           width=30, help="营业执照或执业许可证上的全称", example="保定市莲池区悦来宾馆"),
    Column("address", "地址", aliases=("经营地址", "经营场所", "住所", "单位地址"), width=36,
           example="保定市莲池区东风中路88号"),
    Column("region", "所属区划", aliases=("区划", "行政区划", "所属县区", "县区", "区划代码"),
           help="县（区）名称或6位行政区划代码，须在本单位管辖范围内；县级单位可留空", example="莲池区"),
    Column("specialties", "专业类别", required=True, aliases=("专业", "监管专业", "专业类型"), width=24,
           help="可填多个，以顿号、逗号或分号分隔，如“公共场所卫生、生活饮用水卫生”", example="公共场所卫生"),
    Column("licence_numbers", "许可证号", aliases=("卫生许可证号", "许可证编号", "执业许可证号", "登记号"),
           text_format=True, width=24, help="多个以分号分隔", example="冀卫公证字〔2024〕第130606-000123号"),
    Column("legal_representative", "法定代表人/负责人", aliases=("法定代表人", "负责人", "法人", "法人代表"),
           example="王建国"),
    Column("contact_person", "联系人", example="李梅"),
    Column("contact_phone", "联系电话", aliases=("电话", "手机", "手机号", "联系方式"), text_format=True,
           help="手机号或带区号的固定电话", example="13812345678"),
    Column("status", "经营状态", aliases=("状态",), choices=_labels(TargetStatus.choices),
           help="在营、停业或注销；留空为在营", example="在营"),
    Column("risk_class", "信用风险分类", aliases=("风险分类", "风险等级", "信用风险等级"),
           choices=_labels(RiskClass.choices), width=20, help="A、B、C、D（低、一般、较高、高）；留空为B", example="B"),
    Column("risk_flags", "风险标记", aliases=("风险标识",), width=24,
           help="可填多个：" + "、".join(_labels(RiskFlag.choices)), example="投诉举报多"),
    Column("last_inspected_on", "最近检查日期", aliases=("上次检查日期", "最近一次检查日期"), is_date=True,
           help="如 2023-07-20、2023.7.20、2023年7月20日", example="2023-07-20"),
    Column("last_result", "最近检查结果", aliases=("上次检查结果",), example="未发现问题"),
)

INSPECTOR_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, example="张伟"),
    Column("organization", "工作单位", aliases=("单位", "所在单位", "所属单位"), width=28,
           help="本单位或下属科室、监督所的名称；留空为本单位", example="保定市莲池区卫生健康综合监督执法局"),
    Column("region", "所属区划", aliases=("区划", "工作区域", "行政区划"),
           help="县（区）名称或6位代码；留空为本单位所在区划", example="莲池区"),
    Column("kind", "人员类别", aliases=("类别", "人员类型"), choices=_labels(InspectorKind.choices),
           help="执法人员、辅助检查人员或专家；留空为执法人员", example="执法人员"),
    Column("licence_no", "行政执法证号", aliases=("执法证号", "执法证编号", "证件号"), text_format=True, width=20,
           help="执法人员必填；同一执法证号重复导入时更新原记录", example="13060621001"),
    Column("licence_valid_from", "执法证有效期起", aliases=("发证日期", "有效期起"), is_date=True,
           example="2021-03-01"),
    Column("licence_valid_to", "执法证有效期止", aliases=("有效期至", "有效期止", "有效期截止"), is_date=True,
           example="2027-02-28"),
    Column("qualifications", "可检查专业", aliases=("执法资质", "专业", "资质专业"), width=30,
           help="可填多个，以顿号、逗号或分号分隔", example="公共场所卫生、生活饮用水卫生"),
    Column("expertise", "业务专长", aliases=("专长",), width=24, example="公共场所卫生监督"),
    Column("tags", "技术特点", aliases=("技术特长", "标签"), help="可填多个，以顿号分隔", example="水质检测、现场快检"),
    Column("status", "状态", aliases=("在岗状态",), choices=_labels(InspectorStatus.choices),
           help="在岗、休假或调离；留空为在岗", example="在岗"),
    Column("id_number", "身份证号", aliases=("身份证号码", "公民身份号码"), text_format=True, width=22,
           help="18位，按GB 11643校验；无执法证号的人员必填", example="130606198805123417"),
    Column("phone", "手机号", aliases=("联系电话", "电话", "手机号码"), text_format=True, example="13912345678"),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    Column("code", "事项编码", required=True, aliases=("编码", "事项代码", "序号编码"), text_format=True,
           help="本单位内唯一；重复导入时更新该事项（已公布的事项生成新版本）", example="GGCS-001"),
    Column("specialty", "专业", required=True, aliases=("专业类别", "监管专业"), example="公共场所卫生"),
    Column("name", "抽查事项", required=True, aliases=("事项名称", "抽查事项名称"), width=32,
           example="对公共场所卫生的监督检查"),
    Column("sub_items", "检查内容", aliases=("检查内容（小项）", "抽查内容", "小项"), width=40,
           help="每项一行，或以分号分隔", example="卫生许可证情况；从业人员健康合格证明；卫生管理制度"),
    Column("legal_basis", "抽查依据", required=True, aliases=("依据", "法律依据"), width=40,
           example="《公共场所卫生管理条例》第十四条"),
    Column("subject", "抽查主体", aliases=("实施主体", "检查主体"), help="留空为本单位", example="莲池区卫生健康局"),
    Column("target_type", "抽查对象", aliases=("抽查对象类型", "检查对象类型"), example="住宿场所、沐浴场所"),
    Column("methods", "抽查方式", aliases=("检查方式",), width=20,
           help="可填多个：" + "、".join(_labels(InspectionMethod.choices)) + "；留空为现场检查", example="现场检查"),
    Column("ratio_percent", "抽查比例（%）", aliases=("抽查比例", "比例"), help="0到100之间的数字，如 5 表示 5%",
           example="5"),
    Column("frequency", "抽查频次", aliases=("频次",), example="每年不少于1次"),
    Column("kind", "事项类别", aliases=("类别", "检查事项类别"), choices=_labels(ItemKind.choices),
           help="一般检查事项或重点检查事项；留空为一般", example="一般检查事项"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.TARGETS: TARGET_COLUMNS,
    ImportKind.INSPECTORS: INSPECTOR_COLUMNS,
    ImportKind.ITEMS: ITEM_COLUMNS,
}

TEXT_LIMITS: dict[str, int] = {
    "name": 200, "address": 255, "licence_numbers": 255, "legal_representative": 64, "contact_person": 64,
    "last_result": 64, "expertise": 255, "licence_no": 32, "legal_basis": 4000, "subject": 128,
    "target_type": 200, "frequency": 64, "code": 32,
}  # fmt: skip


def normalize_header(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s*＊:：]", "", value).replace("(必填)", "").replace("（必填）", "")


def normalize_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")


# ---------------------------------------------------------------- reading


@dataclass
class Table:
    """One sheet of an import file: header cells (row `header_row`, 1-based) and the rows after it."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]
    format: str = "xlsx"


def sniff_format(head: bytes, file_name: str) -> str:
    """'excel' or 'csv' from the first bytes (the extension can lie); ApplicationError otherwise."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in EXCEL_SUFFIXES | CSV_SUFFIXES | {""}:
        raise ApplicationError(f"不支持的文件类型“{suffix}”：请上传 .xlsx、.xls 或 .csv 文件")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if suffix in CSV_SUFFIXES:
            raise ApplicationError(f"文件“{file_name}”的扩展名是 {suffix}，但内容是 Excel 或压缩文件，请另存为 .xlsx 后上传")
        return "excel"
    if suffix in EXCEL_SUFFIXES:
        raise ApplicationError(
            f"文件“{file_name}”不是有效的 Excel 工作簿（可能是其他类型的文件改了扩展名），"
            "请在 Excel 中打开后“另存为”.xlsx 格式再上传"
        )
    if not head:
        raise ApplicationError("文件是空的")
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ApplicationError(f"文件“{file_name}”不是文本格式的 CSV 文件，请使用下载的模板")
    return "csv"


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 — detected, never guessed silently."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError("无法识别文件编码：CSV 文件请保存为 UTF-8 或 GBK（ANSI）编码")


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|", "，")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_rows(data: bytes) -> list[list[Any]]:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        raise ApplicationError(f"CSV 文件格式错误：{exc}") from exc


def read_excel_sheets(path: Path) -> list[list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for broken, encrypted or non-Excel files
        raise ApplicationError(
            "无法读取该 Excel 文件：文件已损坏、已加密或不是 Excel 工作簿。请在 Excel 中打开后“另存为”.xlsx 再上传"
        ) from exc
    sheets: list[list[list[Any]]] = []
    try:
        for index in range(len(workbook.sheet_names)):
            sheets.append(workbook.get_sheet_by_index(index).to_python(skip_empty_area=False))
    except Exception as exc:
        raise ApplicationError("Excel 文件内容损坏，无法读取工作表") from exc
    finally:
        workbook.close()
    if not sheets:
        raise ApplicationError("Excel 文件中没有工作表")
    return sheets


def _find_header(rows: list[list[Any]], columns: tuple[Column, ...]) -> int | None:
    lookup = header_lookup(columns)
    required = {c.key for c in columns if c.required}
    for index, row in enumerate(rows[:10]):
        keys = {lookup.get(normalize_header(cell)) for cell in row} - {None}
        if len(keys) >= 2 and keys & required:
            return index
    return None


def header_lookup(columns: Iterable[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup.setdefault(normalize_header(name), column.key)
    return lookup


def read_table(path: Path, *, file_name: str, kind: str, max_rows: int) -> Table:
    """Read the first sheet that carries the template's header (any of the first 10 rows)."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    fmt = sniff_format(head, file_name)
    sheets = read_excel_sheets(path) if fmt == "excel" else [read_csv_rows(path.read_bytes())]
    columns = COLUMNS[kind]
    for rows in sheets:
        header_index = _find_header(rows, columns)
        if header_index is None:
            continue
        body = [(header_index + 2 + offset, row) for offset, row in enumerate(rows[header_index + 1 :])]
        while body and _is_empty(body[-1][1]):
            body.pop()
        data_rows = sum(1 for _, row in body if not _is_empty(row))
        if data_rows > max_rows:
            raise ApplicationError(f"文件共有 {data_rows} 行数据，超过单次导入上限 {max_rows} 行，请拆分后分批导入")
        headers = [str(cell or "").strip() for cell in rows[header_index]]
        return Table(headers=headers, header_row=header_index + 1, rows=body, format=fmt)
    example = "、".join(f"“{c.header}”" for c in columns if c.required)
    raise ApplicationError(f"没有找到表头：第一行应为模板中的列名（须包含{example}），请使用下载的导入模板")


@dataclass
class TableStream:
    """Like `Table`, but the rows after the header are read as they are consumed (empty rows included) and
    `estimated_rows` says about how many there are (for progress and for choosing the write path)."""

    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[Any]]]
    estimated_rows: int
    format: str = "xlsx"


def csv_encoding(path: Path) -> str:
    """The encoding `decode_csv` would choose, found by decoding the file in pieces (never held whole)."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 22):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ApplicationError("无法识别文件编码：CSV 文件请保存为 UTF-8 或 GBK（ANSI）编码")


def _count_lines(path: Path) -> int:
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            lines += chunk.count(b"\n")
    return lines


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    encoding = csv_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        first_line = handle.readline()
        reader = csv.reader(itertools.chain([first_line], handle), delimiter=_sniff_delimiter(first_line))
        try:
            yield from reader
        except csv.Error as exc:
            raise ApplicationError(f"CSV 文件格式错误：{exc}") from exc


def _excel_sheet_rows(path: Path) -> Iterator[tuple[int, Iterator[list[Any]]]]:
    """(rows in the sheet, rows) of each sheet; rows start at the sheet's first row (A1), as to_python's do."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for broken, encrypted or non-Excel files
        raise ApplicationError(
            "无法读取该 Excel 文件：文件已损坏、已加密或不是 Excel 工作簿。请在 Excel 中打开后“另存为”.xlsx 再上传"
        ) from exc
    try:
        if not workbook.sheet_names:
            raise ApplicationError("Excel 文件中没有工作表")
        for index in range(len(workbook.sheet_names)):
            try:
                sheet = workbook.get_sheet_by_index(index)
            except Exception as exc:
                raise ApplicationError("Excel 文件内容损坏，无法读取工作表") from exc
            # calamine's iter_rows starts at the sheet's first row but at its first used column: the leading
            # empty columns are put back so the cells are where to_python(skip_empty_area=False) puts them.
            lead_rows, lead_cols = sheet.start or (0, 0)
            pad: list[Any] = [""] * lead_cols

            def rows(sheet: Any = sheet, pad: list[Any] = pad) -> Iterator[list[Any]]:
                if not pad:
                    yield from sheet.iter_rows()
                    return
                for row in sheet.iter_rows():
                    yield pad + row

            yield lead_rows + sheet.height, rows()
    finally:
        workbook.close()


def open_table(path: Path, *, file_name: str, kind: str) -> TableStream:
    """`read_table` without reading the whole file into Python objects (a million-row register is ~1 GB so).

    The same sheet, header row and row numbers as `read_table`; the row limit is the caller's to count."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    fmt = sniff_format(head, file_name)
    columns = COLUMNS[kind]
    if fmt == "excel":
        sheets: Iterator[tuple[int, Iterator[list[Any]]]] = _excel_sheet_rows(path)
    else:
        sheets = iter([(_count_lines(path) + 1, _csv_rows(path))])
    for size, rows in sheets:
        first = list(itertools.islice(rows, 10))
        header_index = _find_header(first, columns)
        if header_index is None:
            continue
        headers = [str(cell or "").strip() for cell in first[header_index]]
        body = itertools.chain(first[header_index + 1 :], rows)
        numbered = zip(itertools.count(header_index + 2), body)
        return TableStream(
            headers=headers, header_row=header_index + 1, rows=numbered, format=fmt,
            estimated_rows=max(0, size - header_index - 1),
        )
    example = "、".join(f"“{c.header}”" for c in columns if c.required)
    raise ApplicationError(f"没有找到表头：第一行应为模板中的列名（须包含{example}），请使用下载的导入模板")


def table_from_stream(stream: TableStream, *, max_rows: int) -> Table:
    """All rows of a stream as a `Table` (what `read_table` returns for the same file)."""
    body = list(stream.rows)
    while body and _is_empty(body[-1][1]):
        body.pop()
    data_rows = sum(1 for _, row in body if not _is_empty(row))
    if data_rows > max_rows:
        raise ApplicationError(f"文件共有 {data_rows} 行数据，超过单次导入上限 {max_rows} 行，请拆分后分批导入")
    return Table(headers=stream.headers, header_row=stream.header_row, rows=body, format=stream.format)


def _is_empty(row: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


# ---------------------------------------------------------------- cell conversion


def cell_text(value: Any) -> str:
    """The text a person sees in the cell (numbers without a spurious '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time | timedelta):
        return str(value)
    return unicodedata.normalize("NFKC", str(value)).strip() if not isinstance(value, str) else value.strip()


def _code_text(value: Any, what: str) -> str:
    """Codes typed into number cells: refuse those Excel already rounded (more than 15 digits)."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        digits = len(str(int(value)))
        if digits > 15:
            raise CellError(f"{what}被 Excel 存成了数字，超过15位的数字已丢失精度，请将该列设为文本格式后重新填写")
    return unicodedata.normalize("NFKC", cell_text(value)).replace(" ", "")


def split_multi(text: str) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(text) if part.strip()]


def enum_lookup(choices: Any, extra: dict[str, str] | None = None) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in choices:
        lookup[normalize_key(str(value))] = value
        lookup[normalize_key(str(label))] = value
        short = re.sub(r"（.*?）|\(.*?\)", "", str(label))
        lookup.setdefault(normalize_key(short), value)
    for alias, value in (extra or {}).items():
        lookup[normalize_key(alias)] = value
    return lookup


TARGET_STATUS = enum_lookup(
    TargetStatus.choices,
    {"存续": "operating", "开业": "operating", "营业": "operating", "正常": "operating", "在业": "operating",
     "歇业": "suspended", "停业整顿": "suspended", "暂停营业": "suspended",
     "已注销": "cancelled", "吊销": "cancelled", "已吊销": "cancelled", "撤销": "cancelled"},
)  # fmt: skip
RISK_CLASS = enum_lookup(
    RiskClass.choices,
    {"低": "A", "信用风险低": "A", "一般": "B", "信用风险一般": "B", "较高": "C", "信用风险较高": "C",
     "高": "D", "信用风险高": "D", "A类": "A", "B类": "B", "C类": "C", "D类": "D"},
)  # fmt: skip
RISK_FLAGS = enum_lookup(
    RiskFlag.choices,
    {"投诉举报": "complaints", "受处罚": "penalized", "行政处罚": "penalized", "突发事件": "incident",
     "抽检不合格": "sampling_failed", "经营异常名录": "abnormal_list", "经营异常": "abnormal_list",
     "严重违法失信": "blacklist", "黑名单": "blacklist", "严重违法失信名单": "blacklist"},
)  # fmt: skip
INSPECTOR_KIND = enum_lookup(InspectorKind.choices, {"辅助人员": "assistant", "执法": "officer", "辅助": "assistant"})
INSPECTOR_STATUS = enum_lookup(InspectorStatus.choices, {"调出": "transferred", "离岗": "on_leave"})
ITEM_KIND = enum_lookup(ItemKind.choices, {"一般": "general", "重点": "key", "一般事项": "general", "重点事项": "key"})
METHODS = enum_lookup(
    InspectionMethod.choices,
    {"现场": "on_site", "实地检查": "on_site", "书面": "documents", "书面审查": "documents", "网络": "online",
     "网络监测": "online", "委托": "entrusted", "委托检查": "entrusted", "检验": "testing", "检测": "testing",
     "抽样检测": "testing", "抽样检验": "testing"},
)  # fmt: skip
FLAG_ORDER = [value for value, _ in RiskFlag.choices]
METHOD_ORDER = [value for value, _ in InspectionMethod.choices]


def _enum(text: str, lookup: dict[str, str], what: str) -> str:
    value = lookup.get(normalize_key(text))
    if value is None:
        raise CellError(f"{what}“{text}”不是可选值")
    return value


def _multi_enum(text: str, lookup: dict[str, str], order: list[str], what: str) -> list[str]:
    values: set[str] = set()
    for part in split_multi(text):
        value = lookup.get(normalize_key(part))
        if value is None:
            raise CellError(f"未知的{what}“{part}”")
        values.add(value)
    return [v for v in order if v in values]


def _date(value: Any) -> date:
    try:
        return parse_date(value if not isinstance(value, str) else value.strip())
    except DateParseError as exc:
        raise CellError(str(exc)) from None


def _phone(value: Any) -> str:
    text = _code_text(value, "电话号码").replace("－", "-")
    if text.startswith("+86"):
        text = text[3:]
    if not (MOBILE.fullmatch(text) or LANDLINE.fullmatch(text)):
        raise CellError("电话号码格式不正确：应为11位手机号或带区号的固定电话")
    return text


def _ratio(value: Any) -> Decimal:
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = Decimal(str(value))
        if 0 < number < 1:  # a percent-formatted Excel cell stores 5% as 0.05
            number *= 100
    else:
        text = cell_text(value).rstrip("%％").strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError("抽查比例应为数字，如 5 表示 5%") from None
    if not (0 < number <= 100):
        raise CellError("抽查比例应大于0且不超过100")
    return number.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- validation


@dataclass
class Lookups:
    """Names the rows may refer to, limited to the importing bureau's scope by the service."""

    specialties: dict[str, int]  # normalized name/code/alias → id
    regions_in_scope: dict[str, int]  # normalized name/code/full name → id
    regions_out_of_scope: set[str] = field(default_factory=set)
    default_region_id: int | None = None
    organizations: dict[str, int] = field(default_factory=dict)
    default_organization_id: int | None = None
    today: date | None = None


@dataclass
class ValidationResult:
    rows: list[dict[str, Any]]  # cleaned values of the provided cells, plus "_row" and "_key"
    errors: list[dict[str, Any]]
    error_count: int
    total_rows: int


class RowErrors:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: int, column: str, value: Any, reason: str) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            shown = cell_text(value)
            self.items.append({"row": row, "column": column, "value": shown[:100], "reason": reason})


def _lookup_region(text: str, lookups: Lookups) -> int:
    key = normalize_key(text)
    region_id = lookups.regions_in_scope.get(key)
    if region_id is not None:
        return region_id
    if key in lookups.regions_out_of_scope:
        raise CellError(f"区划“{text}”不在本单位管辖范围内，不能导入")
    raise CellError(f"未知的区划“{text}”：请填写县（区）名称或6位行政区划代码")


def _lookup_specialties(text: str, lookups: Lookups) -> list[int]:
    ids: list[int] = []
    for part in split_multi(text):
        specialty_id = lookups.specialties.get(normalize_key(part))
        if specialty_id is None:
            raise CellError(f"未知的专业“{part}”（请按模板“可选值”填写）")
        if specialty_id not in ids:
            ids.append(specialty_id)
    return sorted(ids)


def _text(key: str) -> Callable[[Any, Lookups], Any]:
    limit = TEXT_LIMITS.get(key, 255)

    def convert(value: Any, lookups: Lookups) -> str:
        text = cell_text(value)
        if len(text) > limit:
            raise CellError(f"内容过长：不能超过{limit}个字符")
        return text

    return convert


def _build_converters(kind: str) -> dict[str, Callable[[Any, Lookups], Any]]:
    converters: dict[str, Callable[[Any, Lookups], Any]] = {c.key: _text(c.key) for c in COLUMNS[kind]}

    def uscc(value: Any, lookups: Lookups) -> str:
        try:
            return validate_uscc(_code_text(value, "统一社会信用代码"))
        except UsccError as exc:
            raise CellError(str(exc)) from None

    def licence_numbers(value: Any, lookups: Lookups) -> str:
        parts = [p.strip() for p in re.split(r"[;；\n]+", _code_text(value, "许可证号")) if p.strip()]
        text = ";".join(parts)
        if len(text) > TEXT_LIMITS["licence_numbers"]:
            raise CellError("许可证号过长：不能超过255个字符")
        return text

    def id_number(value: Any, lookups: Lookups) -> str:
        try:
            return validate_id_number(_code_text(value, "身份证号"), today=lookups.today)
        except IdNumberError as exc:
            raise CellError(str(exc)) from None

    def licence_no(value: Any, lookups: Lookups) -> str:
        text = _code_text(value, "执法证号")
        if len(text) > TEXT_LIMITS["licence_no"]:
            raise CellError("执法证号过长：不能超过32个字符")
        return text

    def code(value: Any, lookups: Lookups) -> str:
        text = _code_text(value, "事项编码")
        if len(text) > TEXT_LIMITS["code"]:
            raise CellError("事项编码过长：不能超过32个字符")
        return text

    def organization(value: Any, lookups: Lookups) -> int:
        text = cell_text(value)
        org_id = lookups.organizations.get(normalize_key(text))
        if org_id is None:
            raise CellError(f"工作单位“{text}”不是本单位或其下属单位")
        return org_id

    def tags(value: Any, lookups: Lookups) -> list[str]:
        return split_multi(cell_text(value))

    def sub_items(value: Any, lookups: Lookups) -> list[str]:
        return [p.strip() for p in LINE_SEPARATORS.split(cell_text(value)) if p.strip()]

    def specialty(value: Any, lookups: Lookups) -> int:
        ids = _lookup_specialties(cell_text(value), lookups)
        if len(ids) != 1:
            raise CellError("每个事项只能属于一个专业")
        return ids[0]

    common: dict[str, Callable[[Any, Lookups], Any]] = {
        "region": lambda v, lk: _lookup_region(cell_text(v), lk),
        "last_inspected_on": lambda v, lk: _date(v),
        "licence_valid_from": lambda v, lk: _date(v),
        "licence_valid_to": lambda v, lk: _date(v),
    }
    if kind == ImportKind.TARGETS:
        converters.update(common)
        converters.update({
            "uscc": uscc,
            "licence_numbers": licence_numbers,
            "specialties": lambda v, lk: _lookup_specialties(cell_text(v), lk),
            "contact_phone": lambda v, lk: _phone(v),
            "status": lambda v, lk: _enum(cell_text(v), TARGET_STATUS, "经营状态"),
            "risk_class": lambda v, lk: _enum(cell_text(v), RISK_CLASS, "信用风险分类"),
            "risk_flags": lambda v, lk: _multi_enum(cell_text(v), RISK_FLAGS, FLAG_ORDER, "风险标记"),
        })
    elif kind == ImportKind.INSPECTORS:
        converters.update(common)
        converters.update({
            "organization": organization,
            "kind": lambda v, lk: _enum(cell_text(v), INSPECTOR_KIND, "人员类别"),
            "licence_no": licence_no,
            "qualifications": lambda v, lk: _lookup_specialties(cell_text(v), lk),
            "tags": tags,
            "status": lambda v, lk: _enum(cell_text(v), INSPECTOR_STATUS, "状态"),
            "id_number": id_number,
            "phone": lambda v, lk: _phone(v),
        })
    else:
        converters.update({
            "code": code,
            "specialty": specialty,
            "sub_items": sub_items,
            "methods": lambda v, lk: _multi_enum(cell_text(v), METHODS, METHOD_ORDER, "抽查方式"),
            "ratio_percent": lambda v, lk: _ratio(v),
            "kind": lambda v, lk: _enum(cell_text(v), ITEM_KIND, "事项类别"),
        })
    for key in MEMO_KEYS & set(converters):
        converters[key] = _memoized(converters[key])
    return converters


# Columns whose values repeat across rows (names of regions, 专业, enumerations, dates): converted once per
# distinct value, which makes validation of 100,000-row files several times faster.
MEMO_KEYS = {
    "region", "specialties", "status", "risk_class", "risk_flags", "last_inspected_on", "last_result", "kind",
    "organization", "qualifications", "licence_valid_from", "licence_valid_to", "specialty", "methods",
    "ratio_percent", "frequency", "subject", "target_type", "legal_basis",
}  # fmt: skip


def _memoized(convert: Callable[[Any, Lookups], Any]) -> Callable[[Any, Lookups], Any]:
    cache: dict[Any, tuple[bool, Any]] = {}

    def wrapper(value: Any, lookups: Lookups) -> Any:
        key = (type(value), value)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = (True, convert(value, lookups))
            except CellError as exc:
                hit = (False, str(exc))
            if len(cache) < 100_000:
                cache[key] = hit
        ok, result = hit
        if not ok:
            raise CellError(result)
        return list(result) if isinstance(result, list) else result

    return wrapper


def column_positions(table: Table, kind: str) -> list[tuple[Column, int]]:
    """(column, index) for the template columns present in the header; errors for duplicate columns."""
    lookup = header_lookup(COLUMNS[kind])
    by_key = {c.key: c for c in COLUMNS[kind]}
    positions: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        key = lookup.get(normalize_header(header))
        if key is None:
            continue
        if key in positions:
            raise ApplicationError(f"第{table.header_row}行：列“{by_key[key].header}”出现了两次，请删除重复的列")
        positions[key] = index
    missing = [c.header for c in COLUMNS[kind] if c.required and c.key not in positions]
    if missing:
        raise ApplicationError(f"缺少必填列：{'、'.join(missing)}（请使用下载的导入模板）")
    return [(by_key[key], index) for key, index in positions.items()]


class RowChecker:
    """Checks rows one chunk at a time, keeping what spans the whole file (duplicate keys, error count), so a
    register of a million rows can be checked and staged in chunks without holding it in memory."""

    def __init__(self, *, headers: list[str], header_row: int, kind: str, lookups: Lookups) -> None:
        converters = _build_converters(kind)
        positions = column_positions(Table(headers=headers, header_row=header_row, rows=[]), kind)
        self.plan = [(column, index, converters[column.key]) for column, index in positions]
        self.kind = kind
        self.lookups = lookups
        self.errors = RowErrors()
        self.seen: dict[str, int] = {}
        self.seen_ids: dict[str, int] = {}
        self.total = 0

    def check(self, rows: Iterable[tuple[int, list[Any]]]) -> list[dict[str, Any]]:
        """The cleaned good rows among `rows` (only provided cells, plus "_row" and "_key"); errors are kept."""
        plan, kind, lookups, errors = self.plan, self.kind, self.lookups, self.errors
        seen, seen_ids = self.seen, self.seen_ids
        cleaned: list[dict[str, Any]] = []
        total = 0
        for row_number, cells in rows:
            if _is_empty(cells):
                continue
            total += 1
            out: dict[str, Any] = {"_row": row_number}
            ok = True
            width = len(cells)
            for column, index, convert in plan:
                value = cells[index] if index < width else None
                if value is None or (isinstance(value, str) and not value.strip()):
                    if column.required:
                        errors.add(row_number, column.header, "", "必填项不能为空")
                        ok = False
                    continue
                try:
                    out[column.key] = convert(value, lookups)
                except CellError as exc:
                    errors.add(row_number, column.header, value, str(exc))
                    ok = False
            if ok:
                ok = _check_row(kind, out, lookups, errors, seen, seen_ids)
            if ok:
                cleaned.append(out)
        self.total += total
        return cleaned


def validate_rows(
    table: Table, *, kind: str, lookups: Lookups, progress: Callable[[int], None] | None = None
) -> ValidationResult:
    """Check every row; return the cleaned rows (only provided cells) and all errors."""
    checker = RowChecker(headers=table.headers, header_row=table.header_row, kind=kind, lookups=lookups)
    cleaned: list[dict[str, Any]] = []
    for start in range(0, len(table.rows), 5000):
        cleaned.extend(checker.check(table.rows[start : start + 5000]))
        if progress is not None and start + 5000 <= len(table.rows):
            progress(start + 5000)
    if progress is not None:
        progress(len(table.rows))
    errors = checker.errors
    return ValidationResult(rows=cleaned, errors=errors.items, error_count=errors.count, total_rows=checker.total)


def _duplicate(seen: dict[str, int], key: str, row: int) -> int | None:
    first = seen.get(key)
    if first is None:
        seen[key] = row
    return first


def _check_row(
    kind: str, out: dict[str, Any], lookups: Lookups, errors: RowErrors, seen: dict[str, int],
    seen_ids: dict[str, int],
) -> bool:
    row = out["_row"]
    if kind in (ImportKind.TARGETS, ImportKind.INSPECTORS) and "region" not in out:
        if lookups.default_region_id is None:
            errors.add(row, "所属区划", "", "请填写所属区划（本单位管辖多个区划）")
            return False
        out["region"] = lookups.default_region_id
    if kind == ImportKind.TARGETS:
        if out.get("uscc"):
            out["_key"] = out["uscc"]
            first = _duplicate(seen, out["_key"], row)
            if first is not None:
                errors.add(row, "统一社会信用代码", out["uscc"], f"与第{first}行的统一社会信用代码重复")
                return False
        elif out.get("licence_numbers"):
            out["_key"] = "L:" + out["licence_numbers"].split(";")[0]
            first = _duplicate(seen, out["_key"], row)
            if first is not None:
                errors.add(row, "许可证号", out["licence_numbers"], f"与第{first}行的许可证号重复")
                return False
        else:
            errors.add(row, "统一社会信用代码", "", "统一社会信用代码和许可证号至少填写一项")
            return False
        return True
    if kind == ImportKind.INSPECTORS:
        kind_value = out.get("kind", InspectorKind.OFFICER)
        if out.get("licence_no"):
            out["_key"] = "licence:" + out["licence_no"]
            first = _duplicate(seen, out["_key"], row)
            if first is not None:
                errors.add(row, "行政执法证号", out["licence_no"], f"与第{first}行的执法证号重复")
                return False
        elif kind_value == InspectorKind.OFFICER:
            errors.add(row, "行政执法证号", "", "执法人员须填写行政执法证号")
            return False
        elif out.get("id_number"):
            out["_key"] = "id:" + out["id_number"]
        else:
            errors.add(row, "身份证号", "", "无执法证号的人员须填写身份证号（用于识别同一人，避免重复导入）")
            return False
        if out.get("id_number"):
            first = _duplicate(seen_ids, out["id_number"], row)
            if first is not None:
                errors.add(row, "身份证号", out["id_number"], f"与第{first}行的身份证号重复")
                return False
        start, end = out.get("licence_valid_from"), out.get("licence_valid_to")
        if start and end and start > end:
            errors.add(row, "执法证有效期止", end, "执法证有效期止不能早于有效期起")
            return False
        if out.get("licence_no") and not end:
            errors.add(row, "执法证有效期止", "", "填写了执法证号的，须填写执法证有效期止")
            return False
        return True
    out["_key"] = out["code"]
    first = _duplicate(seen, out["_key"], row)
    if first is not None:
        errors.add(row, "事项编码", out["code"], f"与第{first}行的事项编码重复")
        return False
    return True


def iter_chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
