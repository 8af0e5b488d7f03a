"""Upload hardening: type by content, size limits, decompression bombs, EXIF location, private storage."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.inspections import uploads
from shuangsuiji.inspections.models import Evidence
from shuangsuiji.inspections.services import evidence_add, settings_update
from tests.conftest import World
from tests.inspections.factories import generated, jpeg_bytes, upload

ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def decompression_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid 1-bit PNG of width×height black pixels: ~100 KB on disk, 900 million pixels once decoded."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def test_renamed_executable_is_refused(settings: Any) -> None:
    for content in (ELF_HEADER, PE_HEADER, b"#!/bin/sh\nrm -rf /\n"):
        with pytest.raises(ApplicationError, match="可执行程序") as info:
            uploads.store_upload(upload("现场照片.jpg", content, "image/jpeg"), keep_location=False)
        assert "扩展名无关" in info.value.message
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.jpg"))


def test_unknown_type_is_refused_with_allowed_list() -> None:
    with pytest.raises(ApplicationError, match="文件类型不允许.*只能上传照片"):
        uploads.store_upload(upload("notes.pdf", b"just some text, not a pdf" * 10), keep_location=False)
    with pytest.raises(ApplicationError, match="文件是空的"):
        uploads.store_upload(upload("empty.jpg", b""), keep_location=False)


def test_oversized_file_is_refused(settings: Any) -> None:
    settings.EVIDENCE_MAX_BYTES = {**settings.EVIDENCE_MAX_BYTES, "image": 50_000}
    big = jpeg_bytes((1500, 1500))
    noisy = Image.effect_noise((800, 800), 100).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=95)
    big = out.getvalue()
    assert len(big) > 50_000
    with pytest.raises(ApplicationError, match="超过图片大小上限 48 KB"):
        uploads.store_upload(upload("big.jpg", big), keep_location=False)


def test_oversized_image_dimensions_are_refused(settings: Any) -> None:
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 1_000_000
    wide = jpeg_bytes((2000, 800))
    with pytest.raises(ApplicationError, match="图片尺寸过大（2000×800 像素"):
        uploads.store_upload(upload("wide.jpg", wide), keep_location=False)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = decompression_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(ApplicationError, match="解压炸弹"):
        uploads.store_upload(upload("bomb.png", bomb, "image/png"), keep_location=False)
    # Pillow's own guard refuses it too, whatever our explicit check says
    with pytest.raises(ApplicationError, match="解压炸弹"):
        uploads.reencode_image(bomb, keep_location=False)


def test_gps_is_stripped_unless_kept() -> None:
    stored = uploads.store_upload(upload("p.jpg", jpeg_bytes(gps=True)), keep_location=False)
    saved = Image.open(uploads.open_stored(stored.storage_path))
    assert uploads.GPS_IFD_TAG not in saved.getexif()
    assert saved.getexif().get(0x010F) == "TestCam"  # the rest of the EXIF stays
    assert not stored.location_kept and stored.sha256 != stored.original_sha256
    kept = uploads.store_upload(upload("p2.jpg", jpeg_bytes(gps=True, color="blue")), keep_location=True)
    assert kept.location_kept
    assert Image.open(uploads.open_stored(kept.storage_path)).getexif().get_ifd(uploads.GPS_IFD_TAG)


def test_files_are_content_addressed_and_read_only(settings: Any) -> None:
    stored = uploads.store_upload(upload("any-name.bin", jpeg_bytes()), keep_location=False)
    path = uploads.open_stored(stored.storage_path)
    import hashlib

    assert path.name == f"{stored.sha256}.jpg" and hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
    assert str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert oct(path.stat().st_mode)[-3:] == "440"
    with pytest.raises(ApplicationError):
        uploads.open_stored("../../etc/passwd")


def test_pdf_with_javascript_is_refused_and_plain_pdf_kept() -> None:
    plain = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    stored = uploads.store_upload(upload("scan.pdf", plain), keep_location=False)
    assert stored.mime == "application/pdf" and stored.sha256 == stored.original_sha256
    evil = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF"
    with pytest.raises(ApplicationError, match="含有脚本"):
        uploads.store_upload(upload("scan.pdf", evil), keep_location=False)


def test_audio_and_video_by_magic() -> None:
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 100
    stored = uploads.store_upload(upload("clip.dat", mp4), keep_location=False)
    assert stored.kind == "video" and stored.extension == "mp4"
    mp3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 50
    assert uploads.store_upload(upload("memo", mp3), keep_location=False).kind == "audio"


@pytest.mark.django_db
def test_evidence_add_uses_bureau_setting_and_dedupes(world: World) -> None:
    s, hotel, _ = generated(world)
    actor = world.users["a_inspector"]
    first = evidence_add(actor=actor, record=hotel, upload=upload("1.jpg", jpeg_bytes(gps=True)))
    assert not first.location_kept
    again = evidence_add(actor=actor, record=hotel, upload=upload("1.jpg", jpeg_bytes(gps=True)))
    assert again.pk == first.pk
    settings_update(actor=world.users["a_admin"], data={"keep_photo_location": True})
    kept = evidence_add(actor=actor, record=hotel, upload=upload("2.jpg", jpeg_bytes(gps=True, color="red")))
    assert kept.location_kept
    assert Evidence.objects.filter(record=hotel).count() == 2
