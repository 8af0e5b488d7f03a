"""Archive packages (归档包) with a manifest of SHA-256 digests — pure Python, no Django.

A package is a ZIP holding the files, ``manifest.json`` (for each file: path, size, SHA-256; plus the package's
own metadata) and ``SHA256SUMS`` (the same digests in the format of ``sha256sum -c``, so the files can be checked
with standard tools). The SHA-256 of ``manifest.json`` is recorded outside the package (database, audit log,
printed on the archive page): with it, even a consistent rewrite of a file *and* the manifest is detected.

    content, manifest_digest = build_archive(files, meta={"task": "RW-2026-001"})
    check = verify_archive(content, expected_manifest_sha256=manifest_digest)   # check.ok when intact
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from shuangsuiji.core.verification import Verification

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = "ssj-archive-v1"
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # the same files always give the same ZIP bytes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_name(name: str) -> None:
    if not name or name.startswith(("/", "\\")) or ".." in name.split("/") or name in (MANIFEST, SUMS):
        raise ValueError(f"归档文件名无效：{name!r}")


def build_manifest(files: Mapping[str, bytes], meta: Mapping[str, Any]) -> bytes:
    entries = [{"path": name, "size": len(data), "sha256": sha256(data)} for name, data in sorted(files.items())]
    document = {"format": FORMAT, "meta": dict(meta), "files": entries}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def build_archive(files: Mapping[str, bytes], *, meta: Mapping[str, Any]) -> tuple[bytes, str]:
    """(ZIP bytes, SHA-256 of manifest.json)."""
    for name in files:
        _check_name(name)
    manifest = build_manifest(files, meta)
    sums = "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(MANIFEST, manifest), (SUMS, sums), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue(), sha256(manifest)


def verify_archive(content: bytes, *, expected_manifest_sha256: str | None = None) -> Verification:
    """一致 when each file matches the manifest (and the manifest the registered digest); else every problem found."""
    check = Verification()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        check.fail("不是有效的 ZIP 文件")
        return check
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            check.fail("缺少 manifest.json")
            return check
        manifest_bytes = archive.read(MANIFEST)
        if expected_manifest_sha256 is not None and sha256(manifest_bytes) != expected_manifest_sha256.lower():
            check.fail(
                f"manifest.json 的 SHA-256 为 {sha256(manifest_bytes)}，与登记的 {expected_manifest_sha256} 不符"
            )
        try:
            manifest = json.loads(manifest_bytes)
            entries = {entry["path"]: entry for entry in manifest["files"]}
        except (ValueError, KeyError, TypeError):
            check.fail("manifest.json 无法解析")
            return check
        for name, entry in sorted(entries.items()):
            if name not in names:
                check.fail(f"缺少文件：{name}")
                continue
            data = archive.read(name)
            if sha256(data) != entry.get("sha256") or len(data) != entry.get("size"):
                check.fail(f"文件被改动：{name}（SHA-256 {sha256(data)}，清单记载 {entry.get('sha256')}）")
        for name in sorted(names - set(entries) - {MANIFEST, SUMS}):
            if not name.endswith("/"):
                check.fail(f"清单之外的文件：{name}")
        if SUMS in names:
            expected_sums = "".join(f"{e['sha256']}  {n}\n" for n, e in sorted(entries.items())).encode("utf-8")
            if archive.read(SUMS) != expected_sums:
                check.fail("SHA256SUMS 与 manifest.json 不一致")
    if check.ok:
        check.notes.append(
            f"{len(entries)} 个文件与 manifest.json 相符" + ("，manifest.json 与登记的摘要相符" if expected_manifest_sha256 else "")
        )
    return check


def read_manifest(content: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return dict(json.loads(archive.read(MANIFEST)))
