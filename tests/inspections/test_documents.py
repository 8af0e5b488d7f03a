"""The printed 一企一表 renders Chinese with the embedded font (rasterised with PDFium: not blank) and carries the
编号, the verification link and, once entered, the findings, the signature and the 拒签 note."""

from __future__ import annotations

import pytest

from shuangsuiji.inspections.documents import record_pdf, verify_url
from shuangsuiji.inspections.services import record_submit_result
from tests.conftest import World
from tests.inspections.factories import entry_for, generated, signature_data_url
from tests.pdf_tools import compact, dark_pixels, embedded_font_names, first_page_image, pdf_text

pytestmark = pytest.mark.django_db


def test_record_pdf_renders_chinese_pixels(world: World) -> None:
    s, hotel, _ = generated(world, joint_items=True)
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel, signature="pad"),
                                 signature_data_url=signature_data_url())
    content = record_pdf(hotel)
    assert embedded_font_names(content)  # the glyphs come from an embedded font
    page = first_page_image(content, dpi=50)
    assert dark_pixels(page, (0.15, 0.08, 0.85, 0.16), threshold=110) > 150  # the title, in Chinese glyphs
    assert dark_pixels(page, (0.80, 0.0, 1.0, 0.12), threshold=110) > 150  # the QR code in the top-right corner
    assert dark_pixels(page, (0.05, 0.2, 0.95, 0.6), threshold=110) > 2000  # the tables


def test_record_pdf_text(world: World) -> None:
    s, hotel, _ = generated(world, joint_items=True)
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    flat = compact(pdf_text(record_pdf(hotel)))
    for expected in ("随机抽查联合检查记录表", hotel.number, "莲池区悦来宾馆", "对娱乐场所经营活动的检查",
                     "莲池区文化广电和旅游局", "拒绝签字", "社区网格员刘芳", "■合格", "■未发现问题", "■现场检查"):
        assert expected in flat, expected
    assert compact(verify_url(hotel)) in flat
