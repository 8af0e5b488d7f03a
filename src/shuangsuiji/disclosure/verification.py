"""验证本次抽取 on the portal: downloads, CLI instructions, server-side recomputation, membership proofs.

Recomputation is the draws app's (``draws.verification.verify_draw``: pool file, record digest, result and the
stored drawn targets), done server-side on the full record; what the public downloads is the public form
(``public_draw``: risk classes replaced by salted commitments), and membership proofs are against the public
pool digest. This module adapts them for the public pages and adds ETag-aware downloads.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from shuangsuiji.common.exceptions import ApplicationError, NotFoundError
from shuangsuiji.core.draw import DrawInputError
from shuangsuiji.core.draw import public as public_draw
from shuangsuiji.core.uscc import normalize_uscc
from shuangsuiji.core.verification import Verification
from shuangsuiji.disclosure.selectors import draw_has_result
from shuangsuiji.draws import commitments, engine
from shuangsuiji.draws import verification as draws_verification
from shuangsuiji.draws.models import TargetDraw


def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def file_names(draw: TargetDraw) -> tuple[str, str]:
    return (f"draw-{draw.task.code}-{draw.sequence}-public-record.json",
            f"draw-{draw.task.code}-{draw.sequence}-public-pool.csv")


def record_bytes(draw: TargetDraw) -> bytes:
    """The public record (no risk class; see ``public_draw``)."""
    if not draw_has_result(draw):
        raise NotFoundError("本次抽取尚未进行：对象池已冻结，等待公布随机数")
    try:
        record = commitments.draw_public_record(draw)
    except (ApplicationError, engine.DrawEngineError, DrawInputError) as error:
        raise NotFoundError(f"无法读取本次抽取的对象池：{error}") from error
    return (pretty_json(record) + "\n").encode("utf-8")


def _public_pool(draw: TargetDraw) -> commitments.PublicPool:
    try:
        return commitments.draw_public_pool(draw)
    except (ApplicationError, engine.DrawEngineError, DrawInputError) as error:
        message = error.message if isinstance(error, ApplicationError) else str(error)
        raise NotFoundError(f"无法读取本次抽取的对象池：{message}") from error


def pool_bytes(draw: TargetDraw) -> bytes:
    """The public pool: one row per unit with its risk commitment instead of the risk class."""
    return _public_pool(draw).csv_bytes


def public_pool_digest(draw: TargetDraw) -> str:
    try:
        return _public_pool(draw).digest
    except NotFoundError:
        return ""


def public_record_digest(draw: TargetDraw) -> str:
    try:
        return str(json.loads(record_bytes(draw))["public_record_digest"])
    except NotFoundError:
        return ""




def verify_draw(draw: TargetDraw) -> Verification:
    """Recompute the draw server-side from the full (internal) pool and record, then check that the published
    public pool, public record and transparency-log leaf are the ones derived from them.

    The messages never name a risk class: the engine's per-stratum notes stay internal.
    """
    result = draws_verification.verify_draw(draw)
    messages: list[str] = []
    ok = result.ok
    if ok:
        messages.append(f"按完整对象池（{draw.pool_size} 户）和公布的随机数重新抽取，结果与公布的抽中名单一致")
    else:
        messages.append("按完整对象池和公布的随机数重新计算，结果与保存的记录或抽中名单不一致")
    try:
        public = commitments.draw_public_record(draw)
    except (ApplicationError, engine.DrawEngineError, DrawInputError, LookupError):
        return Verification.of(ok=False, messages=[*messages, "无法生成公开记录（对象池文件不可读）"])
    messages.append(f"公开对象池摘要 {public['pool']['public_digest']}，公开记录摘要 {public['public_record_digest']}")
    leaf = commitments.draw_leaf(draw)
    if leaf is not None:
        if leaf.digest == public["public_record_digest"]:
            messages.append(f"与透明日志第 {leaf.index} 号登记的摘要一致")
        else:
            ok = False
            messages.append(f"与透明日志第 {leaf.index} 号登记的摘要不一致：记录在登记后被改动")
    return Verification.of(ok=ok, messages=messages)


def cli_steps(draw: TargetDraw) -> list[tuple[str, str]]:
    """(explanation, command) pairs a citizen follows to check the draw offline."""
    record, pool = file_names(draw)
    return [
        ("安装本平台公开的命令行工具 ssj（Python 3.11，在平台源代码目录中执行）", "pip install ."),
        ("下载公开抽取记录和公开对象池文件（本页上方的两个下载链接），放在同一目录", f"ls {record} {pool}"),
        ("核对公开记录：重新计算公开对象池的 Merkle 根并与记录中的摘要比对（请同时核对它与对象池冻结时公布的"
         f"公开对象池摘要 {public_pool_digest(draw)} 相同），检查抽中的单位都在对象池中，并重新计算公开记录摘要",
         f"ssj audit proof verify {record} --pool {pool}"),
        ("核对本次抽取记录已登记在透明日志中：下载下方“透明日志包含证明”，用平台公布的公钥核对签名树头",
         "ssj audit proof verify inclusion.json --public-key 公钥"),
        ("查询某一单位是否在抽取范围内：在本页下方输入统一社会信用代码，下载证明文件后离线核对",
         f"ssj audit proof verify proof.json --root {public_pool_digest(draw)}"),
    ]


@dataclass(frozen=True)
class Membership:
    id: str
    included: bool | None  # None: cannot tell (e.g. the pool file cannot be read)
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
    """Inclusion (or non-inclusion) proof of one unit in the public pool of ``draw``.

    Pool ids are USCCs (legacy units without one: ``L:<许可证号>``). The proof is against the public pool digest
    (risk commitments, not classes) and is checked before it is handed out, as ``ssj audit proof verify`` does.
    """
    raw = query.replace("\x00", "").strip()
    candidate = raw if raw.upper().startswith("L:") else normalize_uscc(raw)
    if not candidate:
        return Membership(id="", included=None, message="请输入统一社会信用代码")
    try:
        pool = _public_pool(draw)
    except NotFoundError as error:
        return Membership(id=candidate, included=None, message=error.message)
    proof = public_draw.membership_proof(pool.rows, candidate)
    check = public_draw.verify_membership_proof(proof, pool.digest)
    if not check.ok:
        return Membership(id=candidate, included=None, message="不能出具证明：" + "；".join(check.problems))
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
