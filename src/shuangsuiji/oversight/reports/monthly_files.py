"""The 月报表 as .xlsx laid out like the seed form (three columns, merged section rows, row 4 with its four
sub-items) and as PDF (same table, embedded Chinese font)."""

from __future__ import annotations

import io
from typing import Any

from shuangsuiji.common.documents import FONT_FAMILY, OfficialPdf
from shuangsuiji.oversight.reports.monthly import MonthlyContent, filled_on_parts


def _height(text: str, chars_per_line: int, line: float = 15.0) -> float:
    lines = sum(max(1, -(-len(part) // chars_per_line)) for part in (text or " ").split("\n"))
    return max(24.0, lines * line + 6)


def monthly_xlsx(content: MonthlyContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{content.year}年{content.month}月"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.column_dimensions["A"].width = 7
    sheet.column_dimensions["B"].width = 38
    sheet.column_dimensions["C"].width = 72

    sheet["A1"] = "附件"
    sheet["A2"] = content.organization
    sheet["A3"] = "“双随机、一公开”监管工作月报表"
    for cell in ("A2", "A3"):
        sheet.merge_cells(f"{cell}:C{cell[1:]}")
        sheet[cell].font = Font(size=16, bold=True)
        sheet[cell].alignment = centre
    sheet["A4"] = f"（{content.period_text}）"
    sheet.merge_cells("A4:C4")
    sheet["A4"].alignment = centre
    sheet["A5"] = f"单位名称（盖章）：{content.organization}"
    sheet.merge_cells("A5:B5")
    sheet["C5"] = f"填表时间：{filled_on_parts(content)}"
    sheet["C5"].alignment = Alignment(horizontal="right")

    row = 6
    group_start: int | None = None
    for kind, number, label, text in content.rows():
        if kind == "section":
            sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
            for column in (1, 2, 3):
                sheet.cell(row=row, column=column).border = border
            sheet.cell(row=row, column=1).alignment = wrap
            sheet.row_dimensions[row].height = 24
        else:
            if kind == "group":
                group_start = row
            cells: list[Any] = [number, label, text]
            for column, value in enumerate(cells, start=1):
                cell = sheet.cell(row=row, column=column, value=value)
                cell.border = border
                cell.alignment = centre if column == 1 else wrap
            if kind == "group":
                sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
            sheet.row_dimensions[row].height = max(_height(label, 18), _height(text, 36))
            if kind == "field" and group_start is not None:
                sheet.merge_cells(start_row=group_start, start_column=1, end_row=row - 1, end_column=1)
                group_start = None
        row += 1
    row += 1
    sheet.cell(row=row, column=1,
               value=f"联系人：{content.contact_person or '_____'}　　联系电话：{content.contact_phone or '_____'}"
                     f"　　手机：{content.mobile or '_____'}")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = "1:5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class FormPdf(OfficialPdf):
    """An OfficialPdf with form tables: full-width section rows and a merged first column for row groups."""

    def add_form_table(self, rows: list[tuple[str, str, str, str]], *, widths: tuple[float, float, float] = (1, 5, 9),
                       size: float = 9.5) -> None:
        self.set_font(FONT_FAMILY, size=size)
        total = self.w - self.l_margin - self.r_margin
        cols = [total * w / sum(widths) for w in widths]
        line_height, pad = size * 0.5, 1.2
        for kind, number, label, text in rows:
            if kind == "section":
                self._table_row([label], [total], line_height, pad, header=True)
            else:
                self._table_row([number, label, text], cols, line_height, pad)
        self.ln(3)


def monthly_pdf(content: MonthlyContent) -> bytes:
    pdf = FormPdf(title=content.title, footer_note=f"{content.organization} {content.period_text}月报表")
    pdf.add_paragraph(f"（{content.period_text}）", indent=False)
    pdf.add_paragraph(f"单位名称（盖章）：{content.organization}　　填表时间：{filled_on_parts(content)}", indent=False,
                      size=10.5)
    pdf.add_form_table(content.rows())
    pdf.add_paragraph(
        f"联系人：{content.contact_person or '_____'}　　联系电话：{content.contact_phone or '_____'}　　"
        f"手机：{content.mobile or '_____'}", indent=False, size=10.5)
    return pdf.to_bytes()
