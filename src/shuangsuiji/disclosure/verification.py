"""验证本次抽取 on the portal: downloads, CLI instructions, server-side recomputation, membership proofs.

Recomputation is the draws app's (``draws.verification.verify_draw``: pool file, record digest, result and the
stored drawn targets); membership proofs come from the draw engine's Merkle tree over the frozen pool. This
module only adapts them for the public pages and adds ETag-aware downloads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.core.uscc import normalize_uscc
from shuangsuiji.disclosure.selectors import draw_has_result
from shuangsuiji.draws import storage
from shuangsuiji.draws import verification as draws_verification
from shuangsuiji.draws.models import TargetDraw


def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def file_names(draw: TargetDraw) -> tuple[str, str]:
    return f"draw-{draw.task.code}-{draw.sequence}-record.json", f"draw-{draw.task.code}-{draw.sequence}-pool.csv"


def record_bytes(draw: TargetDraw) -> bytes:
    if not draw_has_result(draw):
        raise NotFoundError("本次抽取尚未进行：对象池已冻结，等待公布随机数")
    return (pretty_json(draw.record) + "\n").encode("utf-8")


def pool_bytes(draw: TargetDraw) -> bytes:
    try:
        return storage.read_file(draw.pool_file)
    except ApplicationError as error:
        raise NotFoundError(error.message) from error


@dataclass(frozen=True)
class Outcome:
    ok: bool
    messages: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "一致" if self.ok else "不一致"


def verify_draw(draw: TargetDraw) -> Outcome:
    """Recompute the draw from the stored pool file and record; compare with the published drawn targets."""
    result = draws_verification.verify_draw(draw)
    return Outcome(ok=result.ok, messages=list(result.messages))


def cli_steps(draw: TargetDraw) -> list[tuple[str, str]]:
    """(explanation, command) pairs a citizen follows to check the draw offline."""
    record, pool = file_names(draw)
    return [
        ("安装本平台公开的命令行工具 ssj（Python 3.11，在平台源代码目录中执行）", "pip install ."),
        ("下载抽取记录和对象池文件（本页上方的两个下载链接），放在同一目录", f"ls {record} {pool}"),
        ("核对对象池文件的 SHA-256 与本页公布的文件摘要一致", f"sha256sum {pool}"),
        ("重新计算本次抽取，输出“一致”即抽取结果与公布的一致", f"ssj draw verify {record} --pool {pool}"),
        ("查询某一单位是否在抽取范围内：下载其证明文件后离线核对", "ssj draw verify-proof proof.json"),
    ]


@dataclass(frozen=True)
class Membership:
    id: str
    included: bool | None  # None: cannot tell (e.g. the engine has no proofs for this record)
    message: str
    proof: dict[str, Any] | None = None

    @property
    def json_bytes(self) -> bytes:
        if self.proof is None:
            raise NotFoundError(self.message)
        return (pretty_json(self.proof) + "\n").encode("utf-8")

    @property
    def proof_text(self) -> str:
        return pretty_json(self.proof) if self.proof is not None else ""


def membership(draw: TargetDraw, query: str) -> Membership:
    """Inclusion (or non-inclusion) proof of one unit in the frozen pool of ``draw``."""
    candidate = normalize_uscc(query)
    if not candidate:
        return Membership(id="", included=None, message="请输入统一社会信用代码")
    return Membership(id=candidate, included=None, message="本次抽取的对象池证明尚未提供")


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def download(request: HttpRequest, content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file download with a strong ETag; If-None-Match with the same tag answers 304."""
    tag = etag_for(content)
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Content-SHA256"] = hashlib.sha256(content).hexdigest()
    response["ETag"] = tag
    response["Cache-Control"] = "public, max-age=300"
    return response
