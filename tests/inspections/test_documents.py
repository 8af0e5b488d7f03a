"""The printed 一企一表 renders Chinese with the embedded font (pdftoppm → PNG is not blank) and carries the
编号, the verification link and, once entered, the findings, the signature and the 拒签 note."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from shuangsuiji.inspections.documents import record_pdf, verify_url
from shuangsuiji.inspections.services import record_submit_result
from tests.conftest import World
from tests.inspections.factories import entry_for, generated, signature_data_url

pytestmark = pytest.mark.django_db


def _dark_pixels(image: Image.Image, box: tuple[float, float, float, float]) -> int:
    width, height = image.size
    region = image.crop((int(width * box[0]), int(height * box[1]), int(width * box[2]), int(height * box[3])))
    return sum(region.point(lambda v: 255 if v < 110 else 0).histogram()[255:])


def test_record_pdf_renders_chinese_pixels(world: World, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot rasterise the PDF here")
    s, hotel, _ = generated(world, joint_items=True)
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel, signature="pad"),
                                 signature_data_url=signature_data_url())
    source = tmp_path / "record.pdf"
    source.write_bytes(record_pdf(hotel))
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(source)], capture_output=True, text=True, check=True).stdout
        assert all(" yes " in row for row in fonts.splitlines()[2:] if row.strip())  # every font embedded
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "p")], check=True)
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    assert _dark_pixels(page, (0.15, 0.08, 0.85, 0.16)) > 150  # the title, in Chinese glyphs
    assert _dark_pixels(page, (0.80, 0.0, 1.0, 0.12)) > 150  # the QR code in the top-right corner
    assert _dark_pixels(page, (0.05, 0.2, 0.95, 0.6)) > 2000  # the tables


def test_record_pdf_text(world: World, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    s, hotel, _ = generated(world, joint_items=True)
    hotel = record_submit_result(actor=world.users["a_inspector"], record=hotel, entry=entry_for(hotel))
    source = tmp_path / "record.pdf"
    source.write_bytes(record_pdf(hotel))
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, check=True).stdout.decode()
    flat = text.replace(" ", "").replace("\n", "")
    for expected in ("随机抽查联合检查记录表", hotel.number, "莲池区悦来宾馆", "对娱乐场所经营活动的检查",
                     "莲池区文化广电和旅游局", "拒绝签字", "社区网格员刘芳", "■合格", "■未发现问题", "■现场检查"):
        assert expected in flat, expected
    assert verify_url(hotel).replace(" ", "") in flat
