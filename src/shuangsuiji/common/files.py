"""Uploaded files: stored under the private media root (outside static, no public URL) and served only
through `serve_protected`, which checks permission first.

Use `private_storage` for FileFields (`models.FileField(storage=private_storage, upload_to=...)`) and a
view like::

    @login_required
    def evidence_file(request, pk):
        evidence = selectors.evidence_get(actor=request.user, pk=pk)   # scope check → 404
        return serve_protected(request, evidence.file.name, check=lambda r: True)
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.functional import LazyObject

from shuangsuiji.common.exceptions import PermissionDeniedError

# Types a browser may show inline; anything else is always downloaded.
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


class _PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = FileSystemStorage(location=str(settings.PRIVATE_MEDIA_ROOT), base_url=None)


private_storage = _PrivateStorage()


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks (backups, audit archives: files of any size)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def private_path(name: str) -> Path:
    """Absolute path of a stored file name, refusing anything that escapes the private root."""
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    candidate = (root / name).resolve()
    if not name or candidate == root or root not in candidate.parents:
        raise Http404("文件不存在")
    return candidate


def serve_protected(
    request: HttpRequest,
    path: str,
    check: Callable[[HttpRequest], bool],
    *,
    download_name: str | None = None,
) -> HttpResponse | FileResponse:
    """Send a private file after `check(request)` allowed it (403 otherwise, 404 when missing).

    With `SSJ_X_ACCEL_REDIRECT_PREFIX` set, the front web server (nginx `internal` location) sends the
    bytes after this check; otherwise Django streams the file.
    """
    if not request.user.is_authenticated or not check(request):
        raise PermissionDeniedError("您无权查看该文件")
    full = private_path(path)
    if not full.is_file():
        raise Http404("文件不存在")
    content_type = mimetypes.guess_type(full.name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    name = download_name or full.name
    disposition = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
    prefix = getattr(settings, "SSJ_X_ACCEL_REDIRECT_PREFIX", "")
    response: HttpResponse | FileResponse
    if prefix:
        relative = full.relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve()).as_posix()
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(relative)
    else:
        response = FileResponse(full.open("rb"), content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
