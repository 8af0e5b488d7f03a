"""验证本次抽取 on the portal: downloads, CLI instructions, server-side recomputation, membership proofs.

Recomputation is the draws app's (``draws.verification.verify_draw``: pool file, record digest, result and the
stored drawn targets); membership proofs come from the draw engine's Merkle tree over the frozen pool. This
module only adapts them for the public pages and adds ETag-aware downloads.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.core.draw import DrawInputError, Pool, membership_proof, verify_membership_proof
from shuangsuiji.core.uscc import normalize_uscc
from shuangsuiji.disclosure.selectors import draw_has_result
from shuangsuiji.draws import engine, storage
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
        ("重新计算本次抽取：命令重新计算对象池摘要（Merkle 根）并与记录中的摘要比对，再用记录中的参数和随机数"
         "重新抽取；显示“验证通过”即抽取结果与公布的一致。请同时核对记录中的对象池摘要与对象池冻结时公布的摘要"
         f"（{draw.pool_digest}）相同", f"ssj draw verify {record} --pool {pool}"),
        ("查询某一单位是否在抽取范围内：在本页下方输入统一社会信用代码，下载证明文件后离线核对",
         f"ssj draw verify-proof proof.json --root {draw.pool_digest}"),
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


@functools.lru_cache(maxsize=8)
def _stored_pool(pool_file: str) -> Pool:
    """The frozen pool of a draw (content-addressed, immutable file: safe to keep in memory)."""
    return engine.load_pool(storage.read_file(pool_file))


def membership(draw: TargetDraw, query: str) -> Membership:
    """Inclusion (or non-inclusion) proof of one unit in the frozen pool of ``draw``.

    Pool ids are USCCs (legacy units without one: ``L:<许可证号>``). The proof is checked against the digest
    published when the pool was frozen before it is handed out, exactly as ``ssj draw verify-proof`` does.
    """
    raw = query.replace("\x00", "").strip()
    candidate = raw if raw.upper().startswith("L:") else normalize_uscc(raw)
    if not candidate:
        return Membership(id="", included=None, message="请输入统一社会信用代码")
    try:
        pool = _stored_pool(draw.pool_file)
    except (ApplicationError, engine.DrawEngineError, DrawInputError) as error:
        return Membership(id=candidate, included=None, message=f"无法读取本次抽取的对象池：{error}")
    proof = membership_proof(pool, candidate)
    check = verify_membership_proof(proof, draw.pool_digest)
    if not check.ok:
        return Membership(id=candidate, included=None,
                          message="对象池文件与公布的对象池摘要不一致，不能出具证明：" + "；".join(check.problems))
    size = int(proof["pool_size"])
    if proof["present"]:
        position = int(proof["leaf"]["index"]) + 1
        message = f"{candidate} 在本次抽取的对象池中（按代码排序第{position}户，共{size}户）。"
    else:
        message = f"{candidate} 不在本次抽取的对象池中（共{size}户）；证明给出了它在排序中前后相邻的两户。"
    return Membership(id=candidate, included=bool(proof["present"]), message=message, proof=proof)


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
