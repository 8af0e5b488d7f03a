"""The public form of a draw: no risk class of any target, still bound to the full record (issue 9, DESIGN §4).

The credit-risk class (and the risk flags and score the draw used) is internal. What the portal publishes instead:

* the **public pool**: one row per candidate, sorted by id, with the columns ``PUBLIC_COLUMNS``; the risk
  attributes are replaced by ``risk_commitment`` = SHA-256(``ssj-risk-v1`` ‖ salt ‖ id ‖ class ‖ flags ‖ score,
  joined by U+001F). The salt is secret and different for every frozen pool, so the commitment cannot be
  guessed back (only four classes) but it binds the class the draw used;
* the **public pool digest**: the RFC 6962 Merkle root over those rows (fixed when the pool is frozen);
* the **public record**: algorithm, parameters, randomness, seed, the selected ids (sorted by id, no stratum),
  totals, and ``record_commitment`` = SHA-256(``ssj-record-v1`` ‖ salt ‖ digest of the full record); its own
  digest ``public_record_digest`` is the leaf registered in the transparency log when the draw is confirmed.

Anyone can check offline that the public pool hashes to the published digest, that the selected units are in
it, that the public record is the one in the signed transparency log, and an enterprise's membership proof.
The full recomputation needs the classes: the portal does it server-side (一致/不一致), and auditors in scope
download the audit bundle (full record, full pool, salt) and run ``ssj audit proof verify`` on it.

Pure Python (no Django): the ``ssj`` CLI imports it without a database.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shuangsuiji.core import merkle
from shuangsuiji.core.draw import read_pool_csv, record_digest, verify_record
from shuangsuiji.core.sha256_batch import sha256_many

PUBLIC_RECORD_TYPE = "ssj.draw.public"
PUBLIC_PROOF_TYPE = "ssj.pool.public-membership"
AUDIT_BUNDLE_TYPE = "ssj.draw.audit-bundle"
FORMAT_VERSION = 1
SEPARATOR = "\x1f"
PUBLIC_COLUMNS = ("id", "region", "specialties", "last_inspected_on", "risk_commitment")
RISK_COMMITMENT_RULE = (
    "risk_commitment = SHA-256(UTF-8 of 'ssj-risk-v1' ‖ salt ‖ id ‖ risk_class ‖ risk_flags ‖ risk_score, "
    "joined by U+001F); the per-pool salt is not published"
)
TREE_RULE = "RFC 6962 Merkle tree, SHA-256, leaf = the public row's fields joined by U+001F, rows sorted by id"
# Indexes of the full pool row (core.draw COLUMNS: id, region, specialties, risk_class, risk_flags,
# last_inspected_on, risk_score).
_ID, _REGION, _SPECIALTIES, _CLASS, _FLAGS, _LAST, _SCORE = range(7)


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def risk_commitment(salt: str, candidate_id: str, risk_class: str, flags: str, score: str) -> str:
    text = SEPARATOR.join(["ssj-risk-v1", salt, candidate_id, risk_class, flags, score])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_commitment(salt: str, full_record_digest: str) -> str:
    return hashlib.sha256(SEPARATOR.join(["ssj-record-v1", salt, full_record_digest]).encode("utf-8")).hexdigest()


def public_rows(full_rows: Sequence[Sequence[str]], salt: str) -> list[tuple[str, ...]]:
    """Public rows (PUBLIC_COLUMNS) from the full pool's canonical rows (already sorted by id).

    The commitments of all rows are hashed in one batch (`sha256_many`): same digests as `risk_commitment`.
    """
    if not full_rows:
        return []
    prefix = SEPARATOR.join(["ssj-risk-v1", salt, ""])
    text = "\n".join(
        prefix + SEPARATOR.join((r[_ID], r[_CLASS], r[_FLAGS], r[_SCORE])) for r in full_rows
    )  # fields hold no newline (canonical values have no control characters)
    digests = _hash_lines(text.encode("utf-8"), b"").hex()
    commitments = [digests[k : k + 64] for k in range(0, len(digests), 64)]
    return [
        (r[_ID], r[_REGION], r[_SPECIALTIES], r[_LAST], commitment)
        for r, commitment in zip(full_rows, commitments, strict=True)
    ]


def _hash_lines(lines: bytes, prefix: bytes) -> bytes:
    """SHA-256 of prefix + line for every line of `lines` (newline-separated), concatenated, in one batch."""
    newlines = np.flatnonzero(np.frombuffer(lines, dtype=np.uint8) == 10)
    bounds = np.concatenate(([-1], newlines, [len(lines)]))  # line k is lines[bounds[k] + 1 : bounds[k + 1]]
    lengths = np.diff(bounds) - 1 + len(prefix)
    # Messages back to back: each newline becomes the next line's prefix (or disappears).
    data = prefix + lines.replace(b"\n", prefix)
    return sha256_many(data, np.concatenate(([0], np.cumsum(lengths))))


def row_bytes(row: Sequence[str]) -> bytes:
    return SEPARATOR.join(row).encode("utf-8")


def leaf_hashes(rows: Sequence[Sequence[str]]) -> bytes:
    if not rows:
        return b""
    return _hash_lines("\n".join(map(SEPARATOR.join, rows)).encode("utf-8"), merkle.LEAF_PREFIX)


def public_pool_digest(rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return merkle.empty_root().hex()
    return merkle.tree_root(leaf_hashes(rows)).hex()


def public_pool_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PUBLIC_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def read_public_pool_csv(content: bytes) -> list[tuple[str, ...]]:
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    header = next(reader, None)
    if header is None or tuple(header) != PUBLIC_COLUMNS:
        raise ValueError(f"公开对象池文件的表头应为 {','.join(PUBLIC_COLUMNS)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if len(row) != len(PUBLIC_COLUMNS):
            raise ValueError(f"公开对象池文件第 {number} 行应有 {len(PUBLIC_COLUMNS)} 列")
        rows.append(tuple(row))
    return rows


# ---------------------------------------------------------------- the public record


def public_record(
    full_record: Mapping[str, Any],
    *,
    full_record_digest: str,
    public_digest: str,
    pool_size: int,
    salt: str,
    previous_public_digest: str | None = None,
) -> dict[str, Any]:
    """The record the public downloads: everything of the full record except what reveals a risk class."""
    selected = sorted(
        ({"id": str(entry["id"]), "reason": str(entry["reason"])}
         for stratum in full_record.get("strata", []) for entry in stratum.get("selected", [])),
        key=lambda entry: entry["id"],
    )
    summary = full_record.get("summary", {})
    body: dict[str, Any] = {
        "type": PUBLIC_RECORD_TYPE,
        "format_version": FORMAT_VERSION,
        "algorithm": full_record.get("algorithm"),
        "pool": {
            "public_digest": public_digest, "size": pool_size, "columns": list(PUBLIC_COLUMNS),
            "tree": TREE_RULE, "risk_commitment": RISK_COMMITMENT_RULE,
        },
        "params": full_record.get("params"),
        "params_digest": full_record.get("params_digest"),
        "randomness": full_record.get("randomness"),
        "seed": full_record.get("seed"),
        "previous_public_record_digest": previous_public_digest,
        "redraw_reason": full_record.get("redraw_reason"),
        "selected": selected,
        "summary": {
            "pool_size": summary.get("pool_size", pool_size), "selected": len(selected),
            "mandatory": sum(1 for e in selected if e["reason"] == "mandatory"),
            "drawn": sum(1 for e in selected if e["reason"] != "mandatory"),
        },
        "record_commitment": record_commitment(salt, full_record_digest),
    }
    body["public_record_digest"] = sha256_hex(body)
    return body


def public_record_digest(record: Mapping[str, Any]) -> str:
    return sha256_hex({k: v for k, v in record.items() if k != "public_record_digest"})


# ---------------------------------------------------------------- membership proofs against the public digest


def _leaf_entry(rows: Sequence[Sequence[str]], levels: list[bytes], index: int) -> dict[str, Any]:
    return {"index": index, "row": list(rows[index]), "path": [h.hex() for h in merkle.audit_path(levels, index)]}


def membership_proof(rows: Sequence[Sequence[str]], candidate_id: str) -> dict[str, Any]:
    """Inclusion proof of an id in the public pool, or, when absent, the proofs of its two neighbours."""
    ids = [r[0] for r in rows]
    proof: dict[str, Any] = {
        "type": PUBLIC_PROOF_TYPE, "format_version": FORMAT_VERSION, "public_pool_digest": public_pool_digest(rows),
        "pool_size": len(rows), "id": candidate_id, "columns": list(PUBLIC_COLUMNS), "tree": TREE_RULE,
    }
    if not rows:
        proof.update(present=False, left=None, right=None)
        return proof
    levels = merkle.tree_levels(leaf_hashes(rows))
    position = bisect.bisect_left(ids, candidate_id)
    if position < len(ids) and ids[position] == candidate_id:
        proof.update(present=True, leaf=_leaf_entry(rows, levels, position))
        return proof
    proof.update(
        present=False,
        left=_leaf_entry(rows, levels, position - 1) if position > 0 else None,
        right=_leaf_entry(rows, levels, position) if position < len(ids) else None,
    )
    return proof


@dataclass
class Check:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.append(message)


def _checked_leaf(entry: Any, size: int, root: bytes, what: str, check: Check) -> tuple[int, str] | None:
    try:
        row = [str(v) for v in entry["row"]]
        index = int(entry["index"])
        path = [bytes.fromhex(h) for h in entry["path"]]
    except (KeyError, TypeError, ValueError) as error:
        check.fail(f"{what}格式无效：{error}")
        return None
    if len(row) != len(PUBLIC_COLUMNS):
        check.fail(f"{what}的字段数不对")
        return None
    if not merkle.verify_audit_path(merkle.leaf_hash(row_bytes(row)), index, size, path, root):
        check.fail(f"{what}（第{index + 1}户）的审计路径与公开对象池摘要不符")
        return None
    return index, row[0]


def verify_membership_proof(proof: Mapping[str, Any], expected_digest: str | None = None) -> Check:
    check = Check()
    digest = str(proof.get("public_pool_digest", ""))
    if expected_digest and digest != expected_digest:
        check.fail(f"证明中的公开对象池摘要 {digest} 与公布的摘要 {expected_digest} 不同")
        return check
    try:
        root, size, candidate = bytes.fromhex(digest), int(proof["pool_size"]), str(proof["id"])
    except (KeyError, TypeError, ValueError) as error:
        check.fail(f"证明格式无效：{error}")
        return check
    if proof.get("present"):
        found = _checked_leaf(proof.get("leaf"), size, root, "证明的叶子", check)
        if found is not None and found[1] != candidate:
            check.fail("证明的叶子不是所查询的单位")
        if check.ok:
            check.notes.append(f"{candidate} 在对象池中（第{found[0] + 1}户，共{size}户）" if found else "")
        return check
    left = _checked_leaf(proof["left"], size, root, "左邻", check) if proof.get("left") else None
    right = _checked_leaf(proof["right"], size, root, "右邻", check) if proof.get("right") else None
    if not check.ok:
        return check
    if left is None and right is None:
        if size:
            check.fail("不在对象池中的证明须给出相邻的单位")
        return check
    if left is not None and right is not None and right[0] != left[0] + 1:
        check.fail("左右两邻在排序中不相邻")
    elif left is None and right is not None and right[0] != 0:
        check.fail("没有左邻时右邻必须是第一户")
    elif right is None and left is not None and left[0] != size - 1:
        check.fail("没有右邻时左邻必须是最后一户")
    if (left is not None and not left[1] < candidate) or (right is not None and not candidate < right[1]):
        check.fail("所查询的代码不在左右两邻之间")
    if check.ok:
        check.notes.append(f"{candidate} 不在对象池中（共{size}户）")
    return check


# ---------------------------------------------------------------- offline checks of the downloads


def verify_public_record(record: Mapping[str, Any], pool_rows: Sequence[Sequence[str]] | None = None) -> Check:
    """The public record's own digest; with the public pool file: its digest, size and the selected ids."""
    check = Check()
    if record.get("type") != PUBLIC_RECORD_TYPE:
        check.fail("不是公开抽取记录（type 应为 ssj.draw.public）")
        return check
    if public_record_digest(record) != record.get("public_record_digest"):
        check.fail("公开抽取记录的摘要与内容不符，文件被改动过")
    pool = record.get("pool") or {}
    if pool_rows is not None:
        rows = list(pool_rows)
        if [r[0] for r in rows] != sorted(r[0] for r in rows):
            check.fail("公开对象池文件没有按代码排序")
        digest = public_pool_digest(rows)
        if digest != pool.get("public_digest"):
            check.fail(f"公开对象池文件的摘要 {digest} 与记录中的 {pool.get('public_digest')} 不同")
        if len(rows) != pool.get("size"):
            check.fail(f"公开对象池有 {len(rows)} 户，记录中为 {pool.get('size')} 户")
        ids = {r[0] for r in rows}
        missing = [e["id"] for e in record.get("selected", []) if e["id"] not in ids]
        if missing:
            check.fail(f"抽中的单位不在对象池中：{'、'.join(missing[:5])}")
    if check.ok:
        check.notes.append(
            f"公开记录摘要 {record.get('public_record_digest')}；抽中 {len(record.get('selected', []))} 户"
            + ("，均在公开对象池中" if pool_rows is not None else "")
        )
    return check


def verify_audit_bundle(bundle: Mapping[str, Any]) -> Check:
    """Auditors: recompute the draw from the full record and pool, then the public pool and public record."""
    check = Check()
    if bundle.get("type") != AUDIT_BUNDLE_TYPE:
        check.fail("不是审计用完整抽取包（type 应为 ssj.draw.audit-bundle）")
        return check
    full = bundle["full_record"]
    salt = str(bundle["salt"])
    with tempfile.TemporaryDirectory(prefix="ssj-bundle-") as folder:
        path = Path(folder) / "pool.csv"
        path.write_text(str(bundle["full_pool_csv"]), encoding="utf-8")
        pool = read_pool_csv(path, parallel=False)
    previous = bundle.get("previous_full_record")
    result = verify_record(full, pool, previous_record=previous)
    if not result.ok:
        for problem in result.problems:
            check.fail(problem)
    else:
        check.notes.append("完整记录重新计算一致（含风险等级分层）")
    rows = public_rows([pool.row_fields(i) for i in range(len(pool))], salt)
    public = bundle["public_record"]
    rebuilt = public_record(
        full, full_record_digest=record_digest(full), public_digest=public_pool_digest(rows), pool_size=len(rows),
        salt=salt, previous_public_digest=public.get("previous_public_record_digest"),
    )
    if rebuilt != public:
        check.fail("由完整记录和盐值推出的公开记录与公布的公开记录不同")
    else:
        check.notes.append(f"公开记录由完整记录推出，一致；公开记录摘要 {rebuilt['public_record_digest']}")
    return check
