"""Content-addressed, read-only files of the draws: frozen pools and match inputs under VAR_DIR/draws.

A file's name is the SHA-256 of its content, so the same content is stored once and a stored file can be
checked against its name. Files are written to a temporary name, made read-only and renamed: a reader never
sees a partial file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from shuangsuiji.common.exceptions import ApplicationError


def root() -> Path:
    path = Path(settings.VAR_DIR) / "draws"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_once(path: Path, content: bytes) -> None:
    if path.exists():
        if path.read_bytes() != content:  # pragma: no cover - would need a SHA-256 collision or tampering
            raise ApplicationError(f"存储文件 {path.name} 与其内容摘要不符，可能已被篡改")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o444)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_file(*, folder: str, content: bytes, suffix: str) -> str:
    """Store ``content`` as ``<folder>/<sha256><suffix>``; returns the path relative to the draws root."""
    digest = hashlib.sha256(content).hexdigest()
    relative = f"{folder}/{digest}{suffix}"
    _write_once(root() / relative, content)
    return relative


def store_bundle(*, folder: str, files: dict[str, bytes]) -> str:
    """Store several named files in one folder named after the SHA-256 over names and contents."""
    hasher = hashlib.sha256()
    for name in sorted(files):
        hasher.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    relative = f"{folder}/{hasher.hexdigest()}"
    for name, content in files.items():
        _write_once(root() / relative / name, content)
    return relative


def resolve(relative: str) -> Path:
    path = (root() / relative).resolve()
    if not str(path).startswith(str(root().resolve())):
        raise ApplicationError("存储路径无效")
    return path


def read_file(relative: str) -> bytes:
    path = resolve(relative)
    try:
        return path.read_bytes()
    except OSError as error:
        raise ApplicationError(f"存储文件缺失或无法读取：{relative}（{error.strerror}）") from error


def read_bundle(relative: str) -> dict[str, bytes]:
    folder = resolve(relative)
    if not folder.is_dir():
        raise ApplicationError(f"匹配输入文件缺失：{relative}")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}
