"""Text, CSV and JSON from bytes, with Chinese errors that name the file (and row, column where there is one)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any


class FormatError(ValueError):
    """A file-level problem (encoding, columns, values) reported in Chinese."""


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or GBK, as spreadsheets save CSV in China."""
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FormatError(f"文件 {name} 既不是 UTF-8 也不是 GBK 编码")


def read_csv_rows(raw: bytes, name: str, required: Sequence[str]) -> list[dict[str, str]]:
    """The non-empty rows of a CSV file as dicts of stripped text; checks the header has ``required``."""
    reader = csv.DictReader(io.StringIO(decode_text(raw, name)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise FormatError(f"文件 {name} 缺少列：{'、'.join(missing)}（现有列：{'、'.join(header) or '无'}）")
    rows = []
    for row in reader:
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if any(cleaned.values()):
            rows.append(cleaned)
    return rows


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, sort: bool = True) -> bytes:
    """UTF-8 CSV with ``\\n`` line ends; rows sorted by their text (a canonical file: same data, same bytes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    ordered = sorted(rows, key=lambda r: [str(x) for x in r]) if sort else list(rows)
    for row in ordered:
        writer.writerow(["" if x is None else str(x) for x in row])
    return buffer.getvalue().encode("utf-8")


def read_json_object(raw: bytes, name: str, what: str = "文件") -> dict[str, Any]:
    """A JSON object from UTF-8 bytes (BOM allowed)."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FormatError(f"{what} {name} 不是 UTF-8 编码") from None
    except json.JSONDecodeError as error:
        raise FormatError(f"{what} {name} 不是有效的 JSON：第{error.lineno}行 {error.msg}") from error
    if not isinstance(data, dict):
        raise FormatError(f"{what} {name} 必须是 JSON 对象")
    return data


def json_bytes(payload: Any, *, pretty: bool = True) -> bytes:
    """Canonical JSON (sorted keys, Chinese kept as is) ending with a newline."""
    if pretty:
        text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)
    else:
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text + "\n").encode("utf-8")
