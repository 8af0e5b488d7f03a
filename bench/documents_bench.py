"""Benchmark of official documents (common.documents): a 工作方案-sized PDF, a 1,000-row target-list PDF
and a Word file from a docxtpl template, against a baseline in the same run (the same pages with fpdf2's
built-in Helvetica, i.e. without the embedded Chinese font).

Run: PYTHONPATH=src python bench/documents_bench.py [--size small]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

from shuangsuiji.common.documents import OfficialPdf, render_docx

TEMPLATE = Path(__file__).resolve().parent.parent / "src/shuangsuiji/planning/templates_docx/work_scheme.docx"
PARAGRAPH = "为贯彻落实“双随机、一公开”监管要求，规范监督执法行为，推进监管与信用风险分级分类相结合。" * 3


def timed(label: str, fn: Callable[[], bytes], repeat: int) -> float:
    fn()  # warm-up; the font is parsed again on every call, as in a request
    start = time.perf_counter()
    size = 0
    for _ in range(repeat):
        size = len(fn())
    per_call = (time.perf_counter() - start) / repeat
    print(f"{label:<42} {per_call * 1000:8.1f} ms   {size / 1024:8.1f} KiB")
    return per_call


def scheme_pdf(sections: int) -> bytes:
    pdf = OfficialPdf(title="关于开展2026年公共场所卫生随机抽查的工作方案", issuer="莲池区卫生健康局",
                      document_number="莲卫监〔2026〕3号", serial="RW2026-001", qr_text="https://example.org/v/1")
    for n in range(sections):
        pdf.add_section(f"{'一二三四五六七八九十'[n % 10]}、章节", [PARAGRAPH, PARAGRAPH])
    return pdf.to_bytes()


def list_pdf(rows: int) -> bytes:
    pdf = OfficialPdf(title="随机抽查检查对象名单", issuer="莲池区卫生健康局")
    pdf.add_table(["序号", "统一社会信用代码", "名称", "地址", "抽取原因"],
                  [[str(i), "92130606MA01XYW1K" + str(i % 10), f"莲池区悦来宾馆{i}号店", "莲池区东风路1号", "随机抽取"]
                   for i in range(1, rows + 1)], col_widths=[1, 4, 4, 4, 2])
    return pdf.to_bytes()


def baseline_pdf(sections: int, rows: int) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    text = "Random inspection scheme paragraph, plain Latin text of similar length. " * 3
    for _ in range(sections * 2):
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    with pdf.table() as table:
        for i in range(rows):
            row = table.row()
            for value in (str(i), "92130606MA01XYW1K0", f"Hotel {i}", "Dongfeng Road 1", "drawn"):
                row.cell(value)
    return bytes(pdf.output())


def scheme_docx(sections: int) -> bytes:
    context = {"issuer": "莲池区卫生健康局", "document_number": "莲卫监〔2026〕3号", "title": "工作方案", "serial": "RW2026-001",
               "date_text": "2026年3月1日",
               "sections": [{"heading": f"第{n}章", "paragraphs": [PARAGRAPH, PARAGRAPH]} for n in range(sections)]}
    return render_docx(TEMPLATE, context)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["small", "full"], default="full")
    args = parser.parse_args()
    rows, repeat = (100, 1) if args.size == "small" else (1000, 3)
    print(f"documents benchmark ({args.size}: scheme 9 sections, list {rows} rows, {repeat} runs each)")
    timed("baseline: Helvetica scheme+list (no CJK font)", lambda: baseline_pdf(9, rows), repeat)
    timed("OfficialPdf 工作方案 (9 sections, QR code)", lambda: scheme_pdf(9), repeat)
    timed(f"OfficialPdf 对象名单 ({rows} rows)", lambda: list_pdf(rows), repeat)
    timed("Word 工作方案 (docxtpl)", lambda: scheme_docx(9), repeat)


if __name__ == "__main__":
    main()
