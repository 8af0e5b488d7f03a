"""Verification of draw records (Chinese verdicts) and Merkle membership / non-membership proofs."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from shuangsuiji.core import merkle
from shuangsuiji.core.draw.engine import (
    clean_randomness,
    compute_seed,
    prepare,
    record_digest,
    select_strata,
)
from shuangsuiji.core.draw.model import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    COLUMNS,
    RECORD_TYPE,
    DrawInputError,
    decode_params,
    encode_params,
    row_from_fields,
    sha256_hex,
)
from shuangsuiji.core.draw.pool import Pool
from shuangsuiji.core.verification import Verification

PROOF_TYPE = "ssj.pool-proof"


# The ``ssj draw verify`` / ``verify-proof`` headlines (``Verification.summary(*RECORD_HEADLINES)``).
RECORD_HEADLINES = ("验证通过：记录与对象库、参数和公开随机数一致。", "验证失败：记录与重新计算的结果不一致。")
PROOF_HEADLINES = ("证明有效。", "证明无效：")


def verify_record(
    record: Mapping[str, Any],
    pool: Pool | None = None,
    *,
    previous_record: Mapping[str, Any] | None = None,
) -> Verification:
    """Recompute a draw record. Without a pool only the record itself can be checked (said in notes)."""
    problems: list[str] = []
    notes: list[str] = []
    try:
        return _verify(record, pool, previous_record, problems, notes)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        return Verification(False, [*problems, f"记录格式无效：{type(error).__name__} {error}"], notes)


def _verify(
    record: Mapping[str, Any],
    pool: Pool | None,
    previous_record: Mapping[str, Any] | None,
    problems: list[str],
    notes: list[str],
) -> Verification:
    if not isinstance(record, Mapping) or record.get("type") != RECORD_TYPE:
        return Verification(False, ["这不是随机抽取记录（type 不是 ssj.draw）"])
    if record_digest(record) != record.get("record_digest"):
        problems.append("记录摘要不一致：记录内容在生成后被修改过")
    algorithm = record.get("algorithm") or {}
    if algorithm.get("name") != ALGORITHM_NAME or algorithm.get("version") != ALGORITHM_VERSION:
        problems.append(
            f"算法版本不同：记录为 {algorithm.get('name')} v{algorithm.get('version')}，"
            f"本程序为 {ALGORITHM_NAME} v{ALGORITHM_VERSION}"
        )
        return Verification(False, problems)
    try:
        params = decode_params(record.get("params") or {})
    except DrawInputError as error:
        return Verification(False, [*problems, f"记录中的参数无效：{error}"])
    encoded = encode_params(params)
    if encoded != record.get("params"):
        problems.append("参数不是规范形式：记录中的参数被改动过")
    params_digest = sha256_hex(encoded)
    if params_digest != record.get("params_digest"):
        problems.append("参数摘要不一致：参数与记录所用的不同")
    if params.method != algorithm.get("method"):
        problems.append("抽取方法与参数不一致")
    try:
        randomness = clean_randomness(record.get("randomness") or [])
    except DrawInputError as error:
        return Verification(False, [*problems, f"公开随机数无效：{error}"])
    if randomness != record.get("randomness"):
        problems.append("公开随机数不是规范形式（含首尾空白）")
    previous_digest = record.get("previous_record_digest") or ""
    if previous_digest:
        if not (record.get("redraw_reason") or "").strip():
            problems.append("重新抽取记录缺少理由")
        if previous_record is not None:
            if (
                previous_record.get("record_digest") != previous_digest
                or record_digest(previous_record) != previous_digest
            ):
                problems.append("所提供的原记录与重抽记录引用的原记录摘要不一致")
            elif list(previous_record.get("randomness", [])) == randomness:
                problems.append("重新抽取使用了与原记录相同的公开随机数")
        else:
            notes.append(
                f"这是一条重新抽取记录（原记录摘要 {previous_digest[:16]}…，理由：{record.get('redraw_reason')}）；未提供原记录，未核对引用链"
            )
    pool_info = record.get("pool") or {}
    seed = compute_seed(
        params.method,
        str(pool_info.get("digest")),
        int(pool_info.get("size") or 0),
        params_digest,
        randomness,
        previous_digest,
    )
    if seed != record.get("seed"):
        problems.append("种子不一致：种子与对象库摘要、参数或公开随机数不对应")
    if pool is None:
        notes.append("未提供对象库：只核对了记录本身（摘要、参数、种子），未重新计算抽取结果")
        return Verification(not problems, problems, notes)
    digest = pool.root().hex()
    if digest != pool_info.get("digest") or len(pool) != pool_info.get("size"):
        problems.append(
            f"对象库摘要不一致：所提供的对象库（{len(pool)} 个对象，摘要 {digest[:16]}…）"
            f"与记录所用的（{pool_info.get('size')} 个对象，摘要 {str(pool_info.get('digest'))[:16]}…）不同"
        )
        return Verification(False, problems, notes)
    try:
        expected = select_strata(pool, prepare(pool, params), params, seed, randomness)
    except DrawInputError as error:
        return Verification(False, [*problems, f"无法重新计算：{error}"], notes)
    recorded = record.get("strata") or []
    if expected != recorded:
        expected_keys = [s["key"] for s in expected]
        recorded_keys = [s.get("key") for s in recorded if isinstance(s, Mapping)]
        if expected_keys != recorded_keys:
            problems.append("分层与重新计算的不一致")
        for stratum in expected:
            other = next(
                (s for s in recorded if isinstance(s, Mapping) and s.get("key") == stratum["key"]), None
            )
            if other is None:
                continue
            if other.get("selected") != stratum["selected"]:
                problems.append(f"第{stratum['number']}层（{stratum['key']}）的抽取结果与重新计算的不一致")
            elif other != stratum:
                problems.append(
                    f"第{stratum['number']}层（{stratum['key']}）的统计数字或说明与重新计算的不一致"
                )
        if not problems:
            problems.append("抽取结果与重新计算的不一致")
    if not problems:
        total = sum(len(s["selected"]) for s in expected)
        notes.insert(
            0,
            f"重新计算得到相同的抽取结果：{len(expected)} 层，共 {total} 个对象；记录摘要 {record.get('record_digest')}",
        )
    return Verification(not problems, problems, notes)


# ------------------------------------------------------------------------------------------------ proofs


def _leaf_entry(pool: Pool, levels: list[bytes], index: int) -> dict[str, Any]:
    return {
        "index": index,
        "row": list(pool.row_fields(index)),
        "path": [h.hex() for h in merkle.audit_path(levels, index)],
    }


def membership_proof(pool: Pool, candidate_id: str) -> dict[str, Any]:
    """Inclusion proof for an id, or, if absent, the proofs of its two neighbours in canonical order."""
    levels = pool.tree_levels()
    root = levels[-1].hex()
    index = pool.index_of(candidate_id)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "pool_digest": root,
        "pool_size": len(pool),
        "id": candidate_id,
        "columns": list(COLUMNS),
    }
    if index is not None:
        proof["present"] = True
        proof["leaf"] = _leaf_entry(pool, levels, index)
        return proof
    position = bisect.bisect_left(pool.ids, candidate_id)
    proof["present"] = False
    proof["left"] = _leaf_entry(pool, levels, position - 1) if position > 0 else None
    proof["right"] = _leaf_entry(pool, levels, position) if position < len(pool) else None
    return proof


def _check_leaf(entry: Any, size: int, root: bytes, what: str, problems: list[str]) -> str | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{what}缺失")
        return None
    try:
        row = [str(v) for v in entry["row"]]
        index = int(entry["index"])
        path = [bytes.fromhex(h) for h in entry["path"]]
        leaf = merkle.leaf_hash(row_from_fields(row))
    except (KeyError, TypeError, ValueError) as error:
        problems.append(f"{what}格式无效：{error}")
        return None
    if not merkle.verify_audit_path(leaf, index, size, path, root):
        problems.append(f"{what}（第{index + 1}个）的审计路径与对象库摘要不符")
        return None
    return row[0]


def verify_membership_proof(proof: Mapping[str, Any], root: str) -> Verification:
    """Check a proof against a published pool digest (hex)."""
    problems: list[str] = []
    if not isinstance(proof, Mapping) or proof.get("type") != PROOF_TYPE:
        return Verification(False, ["这不是对象库证明（type 不是 ssj.pool-proof）"])
    if proof.get("pool_digest") != root:
        problems.append("证明所针对的对象库摘要与给定的摘要不同")
    try:
        size = int(proof["pool_size"])
        root_bytes = bytes.fromhex(root)
    except (KeyError, TypeError, ValueError):
        return Verification(False, [*problems, "证明缺少对象库大小或摘要格式无效"])
    wanted = str(proof.get("id", ""))
    if proof.get("present"):
        found = _check_leaf(proof.get("leaf"), size, root_bytes, "对象行", problems)
        if found is not None and found != wanted:
            problems.append(f"证明中的对象编号 {found} 与要证明的 {wanted} 不同")
        if not problems:
            return Verification(
                True,
                [],
                [f"{wanted} 在对象库中（第{int(proof['leaf']['index']) + 1}个，共{size}个）"],
            )
        return Verification(False, problems)
    left, right = proof.get("left"), proof.get("right")
    left_id = _check_leaf(left, size, root_bytes, "左邻对象", problems) if left is not None else None
    right_id = _check_leaf(right, size, root_bytes, "右邻对象", problems) if right is not None else None
    if problems:
        return Verification(False, problems)
    left_index = int(left["index"]) if isinstance(left, Mapping) else -1
    right_index = int(right["index"]) if isinstance(right, Mapping) else size
    if right_index != left_index + 1:
        problems.append("左右相邻对象在规范顺序中并不相邻")
    if left_id is not None and not left_id < wanted:
        problems.append(f"左邻对象编号 {left_id} 不小于 {wanted}")
    if right_id is not None and not wanted < right_id:
        problems.append(f"右邻对象编号 {right_id} 不大于 {wanted}")
    if left is None and right is None:
        problems.append("不在库证明必须至少给出一个相邻对象")
    if problems:
        return Verification(False, problems)
    return Verification(True, [], [f"{wanted} 不在对象库中：它在规范顺序中位于相邻的两行之间"])
