"""Server-side verification of stored draw and match records (also used by the public portal).

Recomputes everything from the stored files, exactly as ``ssj draw verify`` / ``ssj match verify`` would
from the downloads, and checks that the database rows say the same as the record.
"""

from __future__ import annotations

import hashlib

from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.core.formats.text import FormatError
from shuangsuiji.core.matching import MatchError, MatchInputError, verify_record
from shuangsuiji.core.verification import Verification
from shuangsuiji.draws import engine, storage
from shuangsuiji.draws.match_inputs import inspector_pk, load_stored_inputs
from shuangsuiji.draws.models import DrawStatus, InspectorMatch, RandomnessKind, TargetDraw


def verify_draw(draw: TargetDraw) -> Verification:
    """一致 when the pool file, the record and the drawn targets all agree with a recomputation."""
    if draw.record is None or draw.status == DrawStatus.POOL_FROZEN:
        return Verification.of(False, ["尚未抽取：对象池已冻结，等待公布随机数"])
    messages: list[str] = []
    try:
        content = storage.read_file(draw.pool_file)
    except ApplicationError as error:
        return Verification.of(False, [error.message])
    if hashlib.sha256(content).hexdigest() not in draw.pool_file:
        messages.append("对象池文件内容与其存储摘要不符，文件可能被改动")
    try:
        pool = engine.load_pool(content)
        if engine.pool_digest(pool) != draw.pool_digest:
            messages.append("对象池摘要与冻结时公布的不一致")
        previous = draw.previous.record if draw.previous is not None else None
        recomputed = engine.verify(draw.record, pool, previous_record=previous)
    except engine.DrawEngineError as error:
        return Verification.of(False, [*messages, f"无法重新计算：{error}"])
    if not recomputed.ok:
        messages.extend(recomputed.messages)
    if engine.recompute_record_digest(draw.record) != draw.record_digest:
        messages.append("数据库中保存的记录摘要与记录内容不一致")
    if draw.randomness_kind == RandomnessKind.COMMIT_REVEAL:
        reveal = draw.randomness[0] if draw.randomness else ""
        if hashlib.sha256(reveal.encode("utf-8")).hexdigest() != draw.seed_commitment:
            messages.append("揭示的随机种子与冻结时公布的承诺值不符")
    recorded = sorted((p.id, p.stratum, p.rank, p.reason) for p in engine.selections(draw.record))
    stored = sorted(
        draw.selections.values_list("target__code", "stratum", "rank", "reason")  # type: ignore[arg-type]
    )
    if recorded != stored:
        messages.append("系统中的抽中对象清单与抽取记录不一致")
    if messages:
        return Verification.of(False, messages)
    summary = [m for m in recomputed.messages if m]
    return Verification.of(
        True,
        [
            *summary,
            f"对象池 {draw.pool_size} 户，摘要 {draw.pool_digest}",
            f"抽中 {len(recorded)} 户，与系统中的抽中对象清单一致；记录摘要 {draw.record_digest}",
        ],
    )


def verify_match(match: InspectorMatch) -> Verification:
    """一致 when the record recomputes from the stored inputs and the assignments say the same."""
    try:
        folder = storage.resolve(match.inputs_file)
        inputs = load_stored_inputs(folder)
    except (ApplicationError, FormatError, MatchInputError, OSError) as error:
        return Verification.of(False, [f"无法读取匹配输入：{error}"])
    previous = match.previous.record if match.previous is not None else None
    try:
        verification = verify_record(match.record, inputs, previous)
    except (MatchError, ValueError) as error:
        return Verification.of(False, [f"无法重新计算：{error}"])
    messages = list(verification.messages)
    recorded = sorted(
        (entry["target_id"], inspector_pk(member["inspector_id"]))
        for entry in match.record["assignments"]
        for member in entry["team"] + entry["experts"]
    )
    stored = sorted(match.assignments.values_list("drawn_target__target__code", "inspector_id"))  # type: ignore[arg-type]
    ok = verification.ok
    if recorded != stored:
        ok = False
        messages.append("系统中的人员分派与匹配记录不一致")
    if match.record_digest != match.record.get("record_digest"):
        ok = False
        messages.append("数据库中保存的记录摘要与记录内容不一致")
    return Verification.of(ok, messages)
