"""Official documents (公文-style PDF and Word) shared by planning, inspections and reports.

PDF: :class:`OfficialPdf` (fpdf2) embeds a subset of Noto Sans CJK SC (SIL OFL, ``common/fonts/``), so the
file shows Chinese on any machine, without installed fonts. Usage::

    pdf = OfficialPdf(title="关于开展……的工作方案", issuer="莲池区卫生健康局", document_number="莲卫监〔2026〕3号",
                      serial="RW2026-001", qr_text="https://…/verify/…")
    pdf.add_section("一、工作目的", ["……", "……"])
    pdf.add_table(["序号", "事项"], [["1", "对公共场所卫生的监督检查"]], col_widths=[1, 5])
    pdf.add_signature(issuer="莲池区卫生健康局", day=datetime.date(2026, 3, 1))
    content: bytes = pdf.output()

Word: :func:`render_docx` fills a docxtpl template (a .docx with Jinja tags) and returns the bytes.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from shuangsuiji.core.dates import format_cn_date

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_PATH = FONT_DIR / "NotoSansSC-GB2312.otf"
FONT_FAMILY = "NotoSansSC"
# 避头尾 (kinsoku): these never start a line (they hang at the end instead) / never end one.
NO_LINE_START = set("，。、；：？！）》〉」』】〕”’…—%％·,.;:?!)]}")
NO_LINE_END = set("（《〈「『【〔“‘([{")
RED = (192, 0, 0)
BLACK = (0, 0, 0)
GREY = (90, 90, 90)


class OfficialPdf(FPDF):
    """An A4 公文-style PDF: red title block, 文号, optional 编号 and QR code, page numbers in the footer."""

    def __init__(
        self,
        *,
        title: str,
        issuer: str = "",
        document_number: str = "",
        serial: str = "",
        qr_text: str | None = None,
        footer_note: str = "",
        author: str = "双随机、一公开 卫生健康监督抽查平台",
    ) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.issuer = issuer
        self.document_number = document_number
        self.serial = serial
        self.qr_text = qr_text
        self.footer_note = footer_note
        self._char_widths: dict[tuple[str, float], dict[str, float]] = {}
        self.set_margins(left=26, top=25, right=24)
        self.set_auto_page_break(auto=True, margin=22)
        self.add_font(FONT_FAMILY, "", str(FONT_PATH))
        self.set_title(title)
        self.set_author(issuer or author)
        self.set_creator(author)
        self.set_lang("zh-CN")
        self.alias_nb_pages("{nb}")
        self.add_page()
        self._title_block()

    # -- page furniture ------------------------------------------------------------------------------------

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT_FAMILY, size=9)
        self.set_text_color(*GREY)
        note = f"{self.footer_note}    " if self.footer_note else ""
        self.cell(0, 6, f"{note}第 {self.page_no()} 页 共 {{nb}} 页", align=Align.C)
        self.set_text_color(*BLACK)

    def _title_block(self) -> None:
        if self.serial:
            self.set_font(FONT_FAMILY, size=9)
            self.set_xy(self.l_margin, 12)
            self.cell(0, 5, f"编号：{self.serial}", align=Align.L)
        if self.qr_text:
            self._qr_code(self.qr_text)
        self.set_xy(self.l_margin, 28)
        if self.issuer:
            self.set_font(FONT_FAMILY, size=22)
            self.set_text_color(*RED)
            self.multi_cell(0, 11, f"{self.issuer}文件", align=Align.C, wrapmode=WrapMode.CHAR)
            self.ln(2)
        if self.document_number:
            self.set_font(FONT_FAMILY, size=12)
            self.set_text_color(*BLACK)
            self.cell(0, 7, self.document_number, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if self.issuer or self.document_number:
            self.set_draw_color(*RED)
            self.set_line_width(0.6)
            y = self.get_y() + 2
            self.line(self.l_margin, y, self.w - self.r_margin, y)
            self.set_y(y + 6)
        self.set_text_color(*BLACK)
        self.set_font(FONT_FAMILY, size=17)
        self._write_lines(self.doc_title, height=9, align=Align.C)
        self.ln(4)

    def _qr_code(self, text: str) -> None:
        import segno

        buffer = io.BytesIO()
        segno.make(text, error="m").save(buffer, kind="png", scale=4, border=1)
        buffer.seek(0)
        size = 22
        self.image(buffer, x=self.w - self.r_margin - size, y=8, w=size, h=size)

    # -- content -------------------------------------------------------------------------------------------

    def wrap_lines(self, text: str, width: float) -> list[str]:
        """Break Chinese text into lines of at most ``width`` mm with the current font, following 避头尾:
        closing punctuation hangs at the end of a line, opening punctuation moves to the next one."""
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        widths = self._char_widths.setdefault((self.font_family, self.font_size_pt), {})
        for char in text:
            if char == "\n":
                lines.append("".join(current))
                current, used = [], 0.0
                continue
            char_width = widths.get(char)
            if char_width is None:
                char_width = widths[char] = self.get_string_width(char)
            if current and used + char_width > width and char not in NO_LINE_START:
                carry: list[str] = []
                while current and current[-1] in NO_LINE_END:
                    carry.insert(0, current.pop())
                lines.append("".join(current))
                current = carry
                used = sum(widths[c] for c in current)
            current.append(char)
            used += char_width
        lines.append("".join(current))
        return lines

    def _write_lines(self, text: str, *, height: float, align: Align = Align.L) -> None:
        width = self.w - self.l_margin - self.r_margin
        for line in self.wrap_lines(text, width):
            self.cell(0, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def add_heading(self, text: str) -> None:
        self.ln(1)
        self.set_font(FONT_FAMILY, size=13)
        self._write_lines(text, height=8)

    def add_paragraph(self, text: str, *, indent: bool = True, size: float = 11.5) -> None:
        self.set_font(FONT_FAMILY, size=size)
        prefix = "\u3000\u3000" if indent else ""
        self._write_lines(prefix + text.strip(), height=7)

    def add_section(self, heading: str, paragraphs: Sequence[str]) -> None:
        if heading:
            self.add_heading(heading)
        for paragraph in paragraphs:
            self.add_paragraph(paragraph)

    def add_key_values(self, rows: Sequence[tuple[str, str]]) -> None:
        """A two-column 项目/内容 table (e.g. the header block of 一企一表)."""
        self.add_table(["项目", "内容"], [[k, v] for k, v in rows], col_widths=[1, 3])

    def add_table(
        self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, col_widths: Sequence[float] | None = None,
        size: float = 9.5,
    ) -> None:
        """A bordered table; cells wrap (避头尾), rows never split across pages, the header repeats on each page.

        ``col_widths`` are relative (e.g. [1, 4, 2]); by default the columns share the width equally.
        """
        self.set_font(FONT_FAMILY, size=size)
        self.set_draw_color(*BLACK)
        self.set_line_width(0.2)
        total = self.w - self.l_margin - self.r_margin
        weights = list(col_widths) if col_widths else [1.0] * len(headers)
        widths = [total * weight / sum(weights) for weight in weights]
        line_height, pad = size * 0.5, 1.2
        self._table_row(list(headers), widths, line_height, pad, header=True)
        for row in rows:
            cells = ["" if value is None else str(value) for value in row]
            height = self._row_height(cells, widths, line_height, pad)
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
                self._table_row(list(headers), widths, line_height, pad, header=True)
            self._table_row(cells, widths, line_height, pad)
        self.ln(3)

    def _row_height(self, cells: list[str], widths: list[float], line_height: float, pad: float) -> float:
        counts = [len(self.wrap_lines(text, width - 2 * pad)) for text, width in zip(cells, widths, strict=False)]
        return max(counts, default=1) * line_height + 2 * pad

    def _table_row(self, cells: list[str], widths: list[float], line_height: float, pad: float,
                   *, header: bool = False) -> None:
        height = self._row_height(cells, widths, line_height, pad)
        if header and self.get_y() + height > self.page_break_trigger:
            self.add_page()
        x, y = self.l_margin, self.get_y()
        if header:
            self.set_fill_color(235, 235, 235)
        for text, width in zip(cells, widths, strict=False):
            self.rect(x, y, width, height, style="DF" if header else "D")
            for n, line in enumerate(self.wrap_lines(text, width - 2 * pad)):
                self.set_xy(x + pad, y + pad + n * line_height)
                self.cell(width - 2 * pad, line_height, line)
            x += width
        self.set_xy(self.l_margin, y + height)

    def add_signature(self, *, issuer: str, day: datetime.date) -> None:
        self.ln(8)
        self.set_font(FONT_FAMILY, size=11.5)
        self.cell(0, 7, issuer, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.cell(0, 7, format_cn_date(day), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def render_docx(template: Path | str, context: dict[str, Any]) -> bytes:
    """Fill a docxtpl template with ``context`` and return the .docx bytes."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(template))
    document.render(context, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
