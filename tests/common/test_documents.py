"""OfficialPdf renders Chinese with its embedded font on a machine without Chinese fonts."""

from __future__ import annotations

import datetime

from shuangsuiji.common.documents import FONT_PATH, OfficialPdf
from tests.pdf_tools import compact, dark_pixels, embedded_font_names, first_page_image, pdf_text


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


def test_pdf_renders_chinese_pixels() -> None:
    content = _sample()
    assert "NotoSansCJKSC" in " ".join(embedded_font_names(content))  # rendered from the embedded font
    image = first_page_image(content, dpi=40)
    # the title block (below the QR code) must contain dark glyph pixels
    assert dark_pixels(image, (0, 0.10, 1, 0.30)) > 200


def test_pdf_text_extracts_as_chinese() -> None:
    text = compact(pdf_text(_sample()))
    assert "莲池区卫生健康局文件" in text and "第2页共2页" in text


def test_wrap_lines_keeps_punctuation_rules() -> None:
    pdf = OfficialPdf(title="测试")
    pdf.set_font("NotoSansSC", size=12)
    text = "为贯彻落实“双随机、一公开”监管要求，规范监督执法行为；推进监管与信用风险分级分类相结合。" * 5
    lines = pdf.wrap_lines(text, 60)
    assert "".join(lines) == text and len(lines) > 3
    assert all(not line or line[0] not in "，。、；：”）" for line in lines)
    assert all(not line or line[-1] not in "“（《" for line in lines)
