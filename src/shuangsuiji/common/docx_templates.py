"""Building the docxtpl templates (.docx with Jinja tags) of the official documents — one helper for every app.

Each app's ``templates_docx/build_*.py`` is run by hand after it changes (the .docx is committed) and describes only
its document; the page set-up (A4, 公文 margins of GB/T 9704), the East Asian fonts, paragraphs and the
``{%tr for row in … %}`` tables are here. ``common.documents.render_docx`` fills the built templates at run time::

    builder = DocxTemplateBuilder(size=14, font="仿宋_GB2312")
    builder.para("{{ title }}", size=22, font="方正小标宋简体", align=CENTRE)
    builder.loop_table(["项目", "内容"], "rows", [4.0, 11.5])
    builder.save(HERE / "report.docx")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

CENTRE = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
RED = RGBColor(0xC0, 0, 0)
# top, bottom, left, right (cm): the 公文 page of GB/T 9704
OFFICIAL_MARGINS = (3.7, 3.5, 2.8, 2.6)
LATIN_FONT = "Times New Roman"


def east_asian(owner: Any, font: str) -> None:
    """Set the East Asian font of a run or a style (python-docx sets only the Latin one)."""
    rpr = owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


class DocxTemplateBuilder:
    """An A4 document with the defaults of its body text (size in points, East Asian font)."""

    def __init__(
        self,
        *,
        size: float,
        font: str,
        margins: tuple[float, float, float, float] = OFFICIAL_MARGINS,
        normal_font: str | None = None,
        line_spacing: float | None = None,
        spacing_by_size: float | None = None,
        cell_size: float = 10.5,
        bold: bool | None = None,
    ) -> None:
        """``normal_font``: also the Normal style's East Asian font; ``line_spacing`` a fixed spacing in points or
        ``spacing_by_size`` one proportional to each paragraph's size; ``cell_size`` the table text's size;
        ``bold`` the paragraphs' weight unless a paragraph says otherwise (None: the style's)."""
        self.document: Any = Document()
        self.section = self.document.sections[0]
        self.section.page_height, self.section.page_width = Cm(29.7), Cm(21.0)
        top, bottom, left, right = margins
        self.section.top_margin, self.section.bottom_margin = Cm(top), Cm(bottom)
        self.section.left_margin, self.section.right_margin = Cm(left), Cm(right)
        if normal_font is not None:
            normal = self.document.styles["Normal"]
            normal.font.name = LATIN_FONT
            east_asian(normal, normal_font)
        self.size, self.font, self.cell_size = size, font, cell_size
        self.line_spacing, self.spacing_by_size = line_spacing, spacing_by_size
        self.bold = bold

    def para(self, text: str, *, size: float | None = None, font: str | None = None, align: Any = None,
             bold: bool | None = None, indent: bool = False, color: RGBColor | None = None) -> Paragraph:
        """One paragraph of one run in the document's defaults, except where given."""
        size = self.size if size is None else size
        bold = self.bold if bold is None else bold
        paragraph: Paragraph = self.document.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)
        if self.line_spacing is not None:
            paragraph.paragraph_format.line_spacing = Pt(self.line_spacing)
        elif self.spacing_by_size is not None:
            paragraph.paragraph_format.line_spacing = Pt(size * self.spacing_by_size)
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        if bold is not None:
            run.font.bold = bold
        run.font.name = LATIN_FONT
        if color is not None:
            run.font.color.rgb = color
        east_asian(run, font or self.font)
        return paragraph

    def cell(self, cell: Any, text: str, *, bold: bool = False) -> None:
        run = cell.paragraphs[0].add_run(text)
        run.font.size = Pt(self.cell_size)
        run.font.bold = bold
        east_asian(run, "宋体")

    def loop_table(self, headers: list[str], loop: str, widths: list[float] | None = None, *,
                   fields: list[str] | None = None, plain: bool = False) -> Table:
        """A header row and one docxtpl row repeated for each ``row`` of ``loop``: cells ``row[i]`` or, with
        ``fields``, ``row.<field>``; ``plain`` cells keep the document's default font (bold headers only)."""
        table = self.document.add_table(rows=4, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER

        def write(cell: Any, text: str, bold: bool = False) -> None:
            if plain:
                run = cell.paragraphs[0].add_run(text)
                if bold:
                    run.font.bold = True
            else:
                self.cell(cell, text, bold=bold)

        for index, header in enumerate(headers):
            write(table.rows[0].cells[index], header, True)
        write(table.rows[1].cells[0], "{%tr for row in " + loop + " %}")
        names = [f"row.{name}" for name in fields] if fields else [f"row[{i}]" for i in range(len(headers))]
        for index, name in enumerate(names):
            write(table.rows[2].cells[index], "{{ " + name + " }}")
        write(table.rows[3].cells[0], "{%tr endfor %}")
        for row in table.rows:
            for index, width in enumerate(widths or []):
                row.cells[index].width = Cm(width)
        return table

    def texts(self, key: str) -> None:
        """One indented paragraph for each string of the list ``key``."""
        self.para("{%p for p in " + key + " %}")
        self.para("{{ p }}", indent=True)
        self.para("{%p endfor %}")

    def save(self, path: Path) -> Path:
        self.document.save(str(path))
        return path
