"""OfficialPdf renders Chinese with its embedded font on a machine without Chinese fonts."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from shuangsuiji.common.documents import FONT_PATH, OfficialPdf


def _sample() -> bytes:
    pdf = OfficialPdf(title="关于开展2026年公共场所卫生随机抽查的工作方案", issuer="莲池区卫生健康局",
                      document_number="莲卫监〔2026〕3号", serial="RW2026-001", qr_text="https://example.org/v/1")
    pdf.add_section("一、工作目的", ["为贯彻落实“双随机、一公开”监管要求，规范监督执法行为。" * 6])
    pdf.add_table(["序号", "抽查事项", "比例"], [[str(i), "对公共场所卫生的监督检查", "5%"] for i in range(1, 40)],
                  col_widths=[1, 5, 1])
    pdf.add_signature(issuer="莲池区卫生健康局", day=datetime.date(2026, 3, 1))
    return pdf.to_bytes()


def test_font_is_shipped_small_with_licence() -> None:
    assert FONT_PATH.exists() and FONT_PATH.stat().st_size <= 5 * 1024 * 1024
    assert "SIL OPEN FONT LICENSE" in (FONT_PATH.parent / "OFL.txt").read_text(encoding="utf-8")


def test_pdf_embeds_the_font_and_has_several_pages() -> None:
    content = _sample()
    assert content.startswith(b"%PDF")
    assert b"/FontFile3" in content or b"/FontFile2" in content  # the font program is embedded
    assert b"NotoSansCJKSC" in content


def test_pdf_renders_chinese_pixels(tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot rasterise the PDF here")
    source = tmp_path / "doc.pdf"
    source.write_bytes(_sample())
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(source)], capture_output=True, text=True, check=True).stdout
        line = next(row for row in fonts.splitlines() if "NotoSansCJKSC" in row)
        assert " yes " in line  # emb = yes
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    # the title block (below the QR code) must contain dark glyph pixels
    width, height = image.size
    title = image.crop((0, int(height * 0.10), width, int(height * 0.30)))
    dark = sum(title.point(lambda v: 255 if v < 100 else 0).histogram()[255:])
    assert dark > 200, dark


def test_pdf_text_extracts_as_chinese(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    source = tmp_path / "doc.pdf"
    source.write_bytes(_sample())
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    assert "莲池区卫生健康局文件" in text and "第2页共2页" in text.replace(" ", "")


def test_wrap_lines_keeps_punctuation_rules() -> None:
    pdf = OfficialPdf(title="测试")
    pdf.set_font("NotoSansSC", size=12)
    text = "为贯彻落实“双随机、一公开”监管要求，规范监督执法行为；推进监管与信用风险分级分类相结合。" * 5
    lines = pdf.wrap_lines(text, 60)
    assert "".join(lines) == text and len(lines) > 3
    assert all(not line or line[0] not in "，。、；：”）" for line in lines)
    assert all(not line or line[-1] not in "“（《" for line in lines)
