"""Rasterise and read generated PDFs in tests with PDFium (pypdfium2, a pinned test dependency).

The checks that a PDF "renders Chinese correctly on a machine with no Chinese fonts" must run everywhere the
suite runs, so they do not depend on poppler-utils being installed: PDFium uses only the fonts embedded in the
file (a missing embedded font would render as empty boxes or nothing, which the pixel checks catch).
"""

from __future__ import annotations

import pypdfium2 as pdfium
from PIL import Image


def first_page_image(content: bytes, *, dpi: int = 50) -> Image.Image:
    """Page 1 of the PDF as a greyscale image at ``dpi``."""
    document = pdfium.PdfDocument(content)
    try:
        bitmap = document[0].render(scale=dpi / 72)
        return bitmap.to_pil().convert("L")
    finally:
        document.close()


def pdf_text(content: bytes) -> str:
    """The text of every page, in content-stream order (as ``pdftotext -raw``), pages separated by newlines."""
    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def compact(text: str) -> str:
    """Text without spaces and line breaks, for phrase checks across wrapped lines."""
    return "".join(text.split())


def dark_pixels(image: Image.Image, box: tuple[float, float, float, float] = (0, 0, 1, 1), *,
                threshold: int = 100) -> int:
    """How many pixels darker than ``threshold`` lie in ``box`` (fractions of width and height)."""
    width, height = image.size
    region = image.crop((int(width * box[0]), int(height * box[1]), int(width * box[2]), int(height * box[3])))
    return sum(region.point(lambda v: 255 if v < threshold else 0).histogram()[255:])


def embedded_font_names(content: bytes) -> list[str]:
    """Base font names of the fonts whose program is embedded (a /FontFile* stream)."""
    document = pdfium.PdfDocument(content)
    try:
        names: list[str] = []
        for page in document:
            for obj in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_TEXT,), max_depth=3):
                font = pdfium.raw.FPDFTextObj_GetFont(obj.raw)
                if font and pdfium.raw.FPDFFont_GetIsEmbedded(font):
                    size = pdfium.raw.FPDFFont_GetBaseFontName(font, None, 0)
                    buffer = (pdfium.raw.c_char * size)()
                    pdfium.raw.FPDFFont_GetBaseFontName(font, buffer, size)
                    name = bytes(buffer).rstrip(b"\0").decode("utf-8", errors="replace")
                    if name not in names:
                        names.append(name)
        return names
    finally:
        document.close()
