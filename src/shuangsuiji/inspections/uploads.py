"""Evidence upload hardening and the private, content-addressed file store.

* The type is decided by the file's content (magic bytes, ``filetype``), never by its name or the browser's
  Content-Type; executables and unknown types are refused.
* Size limits per kind (settings.EVIDENCE_MAX_BYTES).
* Images are checked for their pixel count *before* decoding (decompression bombs), then decoded and
  re-encoded with Pillow (JPEG or PNG), which drops everything but the pixels; the EXIF block is kept without
  its GPS part unless the organization chose to keep photo locations.
* PDFs with scripts, launch actions or embedded files are refused.
* Files are stored under ``PRIVATE_MEDIA_ROOT/evidence/<aa>/<sha256>.<ext>``, written once and read-only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from shuangsuiji.common.exceptions import ApplicationError

MB = 1024 * 1024
SNIFF_BYTES = 8192
GPS_IFD_TAG = 0x8825

# mime → (size class, stored extension)
IMAGE_TYPES = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/tiff": "tif", "image/bmp": "bmp",
}
PASS_THROUGH_TYPES: dict[str, tuple[str, str]] = {
    "application/pdf": ("pdf", "pdf"),
    "audio/mpeg": ("audio", "mp3"),
    "audio/mp4": ("audio", "m4a"),
    "audio/aac": ("audio", "aac"),
    "audio/x-wav": ("audio", "wav"),
    "audio/amr": ("audio", "amr"),
    "audio/ogg": ("audio", "ogg"),
    "video/mp4": ("video", "mp4"),
    "video/quicktime": ("video", "mov"),
    "video/3gpp": ("video", "3gp"),
    "video/x-m4v": ("video", "m4v"),
    "video/webm": ("video", "webm"),
}
KIND_FOR_CLASS = {"image": "photo", "pdf": "pdf", "audio": "audio", "video": "video"}
ALLOWED_TEXT = "照片（JPEG/PNG/WebP/TIFF/BMP）、PDF、录音（MP3/M4A/AAC/WAV/AMR/OGG）、录像（MP4/MOV/3GP/WebM）"
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                    b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
EXECUTABLE_MIMES = {"application/x-msdownload", "application/x-executable", "application/x-mach-binary",
                    "application/x-sharedlib", "application/wasm"}
PDF_FORBIDDEN = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


Upload = UploadedFile  # what views pass (tests pass SimpleUploadedFile)


@dataclass(frozen=True)
class StoredFile:
    kind: str
    sha256: str
    original_sha256: str
    size: int
    mime: str
    extension: str
    storage_path: str
    original_name: str
    width: int | None = None
    height: int | None = None
    location_kept: bool = False


def human_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.0f} MB" if size % MB == 0 else f"{size / MB:.1f} MB"
    return f"{max(1, size // 1024)} KB"


def max_bytes(size_class: str) -> int:
    limits: dict[str, int] = settings.EVIDENCE_MAX_BYTES
    return int(limits[size_class])


def max_pixels() -> int:
    return int(settings.EVIDENCE_MAX_IMAGE_PIXELS)


def private_root() -> Path:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def open_stored(storage_path: str) -> Path:
    """Absolute path of a stored file; refuses anything outside the private root."""
    root = private_root().resolve()
    path = (root / storage_path).resolve()
    if root not in path.parents:
        raise ApplicationError("存储路径无效")
    return path


# ---------------------------------------------------------------- sniffing


def sniff(head: bytes) -> str:
    """The mime type of a file from its first bytes; refuses executables and unknown types (Chinese message)."""
    if not head:
        raise ApplicationError("文件是空的，请重新选择")
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime in EXECUTABLE_MIMES or head.startswith(EXECUTABLE_MAGIC):
        raise ApplicationError("检测到可执行程序或脚本（与文件扩展名无关），禁止上传")
    if mime == "image/heic" or mime == "image/avif":
        raise ApplicationError("暂不支持 HEIC/AVIF 格式照片，请在手机相机设置中选择“兼容性最佳”（JPEG）后重新拍摄或转换后上传")
    if mime in IMAGE_TYPES or mime in PASS_THROUGH_TYPES:
        return mime
    if head.lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    described = f"（识别为 {kind.extension}）" if kind is not None else ""
    raise ApplicationError(f"文件类型不允许{described}：只能上传{ALLOWED_TEXT}。文件类型按内容识别，修改扩展名无效")


# ---------------------------------------------------------------- images


def _check_pixels(width: int, height: int) -> None:
    limit = max_pixels()
    if width * height > limit:
        raise ApplicationError(
            f"图片尺寸过大（{width}×{height} 像素，超过 {limit // 1_000_000} 百万像素的上限），"
            "疑似“解压炸弹”，已拒收；请压缩后重新上传"
        )


def reencode_image(data: bytes, *, keep_location: bool) -> tuple[bytes, str, str, int, int, bool]:
    """Decode and re-encode an image. Returns (bytes, mime, extension, width, height, location_kept)."""
    Image.MAX_IMAGE_PIXELS = max_pixels()
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; our own check below refuses
        # anything above the limit with the image's size in the message, before any pixel is decoded.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            _check_pixels(*image.size)
            image.load()
        except Image.DecompressionBombError as exc:
            raise ApplicationError(
                f"图片像素数远超 {max_pixels() // 1_000_000} 百万像素的上限，疑似“解压炸弹”，已拒收"
            ) from exc
        except ApplicationError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ApplicationError("图片已损坏或格式不正确，无法读取") from exc
        frames = getattr(image, "n_frames", 1)
        if frames > 1:
            image.seek(0)
        exif = image.getexif()
        upright = ImageOps.exif_transpose(image) or image
        exif = upright.getexif() if upright is not image else exif
    had_location = GPS_IFD_TAG in exif
    if not keep_location and had_location:
        del exif[GPS_IFD_TAG]
    upright.info = {}
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in image.info)
    out = io.BytesIO()
    exif_bytes = exif.tobytes() if len(exif) else b""
    if has_alpha or image.format == "PNG":
        converted = upright.convert("RGBA" if has_alpha else "RGB")
        converted.save(out, "PNG", optimize=True, exif=exif_bytes)
        mime, extension = "image/png", "png"
    else:
        converted = upright.convert("L" if upright.mode in ("1", "L", "I;16") else "RGB")
        converted.save(out, "JPEG", quality=90, exif=exif_bytes)
        mime, extension = "image/jpeg", "jpg"
    width, height = converted.size
    return out.getvalue(), mime, extension, width, height, keep_location and had_location


# ---------------------------------------------------------------- pdf


def check_pdf(data: bytes) -> None:
    if not data.lstrip()[:5] == b"%PDF-":
        raise ApplicationError("PDF 文件格式不正确")
    for token in PDF_FORBIDDEN:
        if re.search(re.escape(token) + rb"(?![A-Za-z])", data):
            raise ApplicationError("PDF 文件含有脚本、启动动作或嵌入文件，出于安全原因已拒收；请打印为普通 PDF 后上传")


# ---------------------------------------------------------------- store


def _write_once(relative: str, content: bytes | None = None, source: Path | None = None) -> None:
    path = private_root() / relative
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".upload.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            if content is not None:
                stream.write(content)
            elif source is not None:
                with source.open("rb") as reader:
                    while chunk := reader.read(MB):
                        stream.write(chunk)
        os.chmod(temporary, 0o440)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _relative(sha256: str, extension: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256}.{extension}"


def _read_limited(upload: Upload, limit: int, label: str) -> Iterator[bytes]:
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise ApplicationError(f"{label}超过大小上限 {human_size(limit)}，请压缩后重新上传")
        yield chunk


def store_upload(upload: Upload, *, keep_location: bool, kind_hint: str = "") -> StoredFile:
    """Check, clean and store one uploaded file. Raises ApplicationError with a Chinese message."""
    name = os.path.basename(upload.name or "")[:255]
    label = f"文件“{name}”" if name else "文件"
    absolute_limit = max(int(v) for v in settings.EVIDENCE_MAX_BYTES.values())
    if upload.size is not None and upload.size > absolute_limit:
        raise ApplicationError(f"{label}超过大小上限 {human_size(absolute_limit)}")
    chunks = _read_limited(upload, absolute_limit, label)
    head = b""
    buffered: list[bytes] = []
    for chunk in chunks:
        buffered.append(chunk)
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    mime = sniff(head[:SNIFF_BYTES])
    size_class = "image" if mime in IMAGE_TYPES else PASS_THROUGH_TYPES[mime][0]
    limit = max_bytes(size_class)
    if upload.size is not None and upload.size > limit:
        raise ApplicationError(f"{label}超过{_class_label(size_class)}大小上限 {human_size(limit)}，请压缩后重新上传")

    if size_class in ("image", "pdf"):
        data = b"".join(buffered) + b"".join(_read_limited_rest(chunks, limit, len(head), label))
        original_sha = hashlib.sha256(data).hexdigest()
        if size_class == "pdf":
            check_pdf(data)
            sha = original_sha
            _write_once(_relative(sha, "pdf"), content=data)
            return StoredFile(
                kind="scan" if kind_hint == "scan" else "pdf", sha256=sha, original_sha256=original_sha,
                size=len(data), mime=mime, extension="pdf", storage_path=_relative(sha, "pdf"), original_name=name,
            )
        clean, out_mime, extension, width, height, kept = reencode_image(data, keep_location=keep_location)
        sha = hashlib.sha256(clean).hexdigest()
        _write_once(_relative(sha, extension), content=clean)
        return StoredFile(
            kind=kind_hint if kind_hint in ("scan", "signature") else "photo", sha256=sha,
            original_sha256=original_sha, size=len(clean), mime=out_mime, extension=extension,
            storage_path=_relative(sha, extension), original_name=name, width=width, height=height,
            location_kept=kept,
        )

    # audio / video: streamed to a temporary file while hashing, then stored as is
    extension = PASS_THROUGH_TYPES[mime][1]
    hasher = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(prefix=".stream.", suffix=".tmp", dir=private_root())
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in [*buffered, *_read_limited_rest(chunks, limit, len(head), label)]:
                hasher.update(chunk)
                size += len(chunk)
                stream.write(chunk)
        sha = hasher.hexdigest()
        _write_once(_relative(sha, extension), source=Path(temporary))
    finally:
        Path(temporary).unlink(missing_ok=True)
    return StoredFile(
        kind=KIND_FOR_CLASS[size_class], sha256=sha, original_sha256=sha, size=size, mime=mime,
        extension=extension, storage_path=_relative(sha, extension), original_name=name,
    )


def _read_limited_rest(chunks: Iterator[bytes], limit: int, already: int, label: str) -> Iterator[bytes]:
    total = already
    if total > limit:
        raise ApplicationError(f"{label}超过大小上限 {human_size(limit)}，请压缩后重新上传")
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise ApplicationError(f"{label}超过大小上限 {human_size(limit)}，请压缩后重新上传")
        yield chunk


def _class_label(size_class: str) -> str:
    return {"image": "图片", "pdf": "PDF", "audio": "录音", "video": "录像", "signature": "签名"}[size_class]


DATA_URL = re.compile(r"^data:image/png;base64,([A-Za-z0-9+/=\s]+)$")


def store_signature_data_url(data_url: str) -> StoredFile:
    """A signature drawn on the pad (canvas.toDataURL('image/png')): decoded, checked, re-encoded, stored."""
    match = DATA_URL.match(data_url.strip())
    if match is None:
        raise ApplicationError("签名数据格式不正确，请重新签名")
    limit = max_bytes("signature")
    if len(match.group(1)) > limit * 4 // 3 + 4:
        raise ApplicationError(f"签名图片超过大小上限 {human_size(limit)}")
    try:
        data = base64.b64decode(match.group(1), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ApplicationError("签名数据格式不正确，请重新签名") from exc
    if sniff(data[:SNIFF_BYTES]) != "image/png":
        raise ApplicationError("签名数据不是 PNG 图片，请重新签名")
    original_sha = hashlib.sha256(data).hexdigest()
    clean, mime, extension, width, height, _ = reencode_image(data, keep_location=False)
    sha = hashlib.sha256(clean).hexdigest()
    _write_once(_relative(sha, extension), content=clean)
    return StoredFile(
        kind="signature", sha256=sha, original_sha256=original_sha, size=len(clean), mime=mime,
        extension=extension, storage_path=_relative(sha, extension), original_name="签名.png", width=width,
        height=height,
    )
