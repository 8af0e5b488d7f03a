"""Public commitments of draws and their place in the transparency log (issues 9 and 11).

* ``draw_salt``: the secret per-pool salt of the risk-class commitments, HMAC-SHA256 of the frozen pool's digest
  under ``settings.RISK_COMMITMENT_KEY`` (so it is fixed when the pool is frozen and needs no extra row);
* ``draw_public_pool`` / ``draw_public_record``: the public forms (``public_draw``) of a stored draw;
* ``draw_record_register`` / ``match_record_register``: called by ``draws.services`` in the transaction that
  confirms a draw (双人确认) or a match: append the record's digest to the transparency log, once. The draw leaf
  is the public record's digest (it commits to the full record through ``record_commitment``); the match leaf
  is the match record's own digest;
* ``register_leaf_kinds``: lets ``ssj audit verify`` recompute both digests from the database rows, so a
  database-level edit of a draw or match record is reported with the first broken leaf.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction

from shuangsuiji.audit import transparency
from shuangsuiji.audit.models import TransparencyLeaf, TreeHead
from shuangsuiji.core import merkle
from shuangsuiji.core.draw import Pool
from shuangsuiji.core.draw import public as public_draw
from shuangsuiji.core.draw import record_digest as full_record_digest
from shuangsuiji.core.draw.pool import IdSequence
from shuangsuiji.core.matching.model import sha256_hex as match_sha256_hex
from shuangsuiji.core.sha256_batch import sha256_many
from shuangsuiji.draws import engine, storage
from shuangsuiji.draws.models import DrawStatus, InspectorMatch, MatchStatus, TargetDraw

DRAW_KIND = "draw_record"
MATCH_KIND = "match_record"


def salt_for(pool_digest: str) -> str:
    key = str(settings.RISK_COMMITMENT_KEY).encode("utf-8")
    return hmac.new(key, f"ssj-risk-salt-v1|{pool_digest}".encode(), hashlib.sha256).hexdigest()


def draw_salt(draw: TargetDraw) -> str:
    return salt_for(draw.pool_digest)


def _arrow_texts(values: Any) -> Any:
    import pyarrow as pa

    return pa.array(values, type=pa.large_string())


def _arrow_ids(pool: Pool) -> Any:
    """The pool's ids as an Arrow large_string array (from the bytes array when the pool keeps one)."""
    import pyarrow as pa

    if not isinstance(pool.ids, IdSequence):
        return _arrow_texts(list(pool.ids))
    encoded = pool.ids.encoded
    count, width = len(encoded), encoded.dtype.itemsize
    matrix = np.frombuffer(encoded.tobytes(), dtype=np.uint8).reshape(count, width)
    lengths = width - (matrix[:, ::-1] != 0).argmax(axis=1)
    lengths[~matrix.any(axis=1)] = 0
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = matrix[np.arange(width) < lengths[:, None]]
    return pa.Array.from_buffers(pa.large_string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _arrow_column(pool: Pool, name: str) -> Any:
    import pyarrow as pa

    column = pool.columns[name]
    return pa.DictionaryArray.from_arrays(pa.array(column.codes, type=pa.int32()), _arrow_texts(list(column.values))).dictionary_decode()


def _hash_each(array: Any) -> bytes:
    """SHA-256 of every value of an Arrow large_string array (n x 32 bytes), in one batch."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = array.buffers()[2]
    return sha256_many(np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8), offsets)


PUBLIC_CHUNK_ROWS = 1 << 17  # rows hashed per batch: bounded memory whatever the pool size


def public_pool_digest_of(pool: Pool, salt: str) -> str:
    """The public pool digest (``public_draw.public_pool_digest`` of ``public_draw.public_rows``) computed
    column-wise with Arrow, a chunk of rows at a time: no Python object per row, SHA-256 in batches."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(value: str) -> Any:
        return pa.scalar(value, pa.large_string())

    ids = _arrow_ids(pool)
    columns = {name: _arrow_column(pool, name) for name in ("risk_class", "risk_flags", "risk_score", "region",
                                                                "specialties", "last_inspected_on")}  # fmt: skip
    separator = text(public_draw.SEPARATOR)
    leaves = []
    for start in range(0, len(ids), PUBLIC_CHUNK_ROWS):
        part = {name: array.slice(start, PUBLIC_CHUNK_ROWS) for name, array in columns.items()}
        chunk_ids = ids.slice(start, PUBLIC_CHUNK_ROWS)
        commitment_input = pc.binary_join_element_wise(
            text("ssj-risk-v1"), text(salt), chunk_ids, part["risk_class"], part["risk_flags"], part["risk_score"],
            separator,
        )  # fmt: skip
        hexes = binascii.hexlify(_hash_each(commitment_input))
        count = len(chunk_ids)
        commitments = pa.Array.from_buffers(
            pa.large_string(), count, [None, pa.py_buffer(np.arange(count + 1, dtype=np.int64) * 64), pa.py_buffer(hexes)]
        )
        row = pc.binary_join_element_wise(
            chunk_ids, part["region"], part["specialties"], part["last_inspected_on"], commitments, separator
        )
        leaves.append(_hash_each(pc.binary_join_element_wise(text(merkle.LEAF_PREFIX.decode("ascii")), row, text(""))))
    del ids, columns
    pa.default_memory_pool().release_unused()
    return merkle.tree_root(b"".join(leaves)).hex()


@dataclass(frozen=True)
class PublicPool:
    rows: tuple[tuple[str, ...], ...]
    digest: str

    @property
    def csv_bytes(self) -> bytes:
        return public_draw.public_pool_csv(self.rows)


@functools.lru_cache(maxsize=16)
def _public_pool(pool_file: str, salt: str) -> PublicPool:
    pool = engine.load_pool(storage.read_file(pool_file))
    rows = tuple(public_draw.public_rows(pool.rows(), salt))
    return PublicPool(rows=rows, digest=public_draw.public_pool_digest(rows))


def draw_public_pool(draw: TargetDraw) -> PublicPool:
    """The public pool of a frozen draw (content-addressed pool file: safe to keep in memory)."""
    return _public_pool(draw.pool_file, draw_salt(draw))


def draw_has_record(draw: TargetDraw) -> bool:
    return draw.status != DrawStatus.POOL_FROZEN and draw.record is not None


def draw_public_record(draw: TargetDraw, *, recompute: bool = False) -> dict[str, Any]:
    """The public record as computed now from the stored row (the full record's digest is recomputed, not
    trusted). The public pool digest fixed at the freeze is used when the row has it; ``recompute`` (the
    transparency-log check) builds the public pool again from the stored pool file instead."""
    if not draw_has_record(draw):
        raise LookupError("本次抽取尚未进行")
    assert draw.record is not None
    previous = draw.previous if draw.previous_id else None
    previous_digest = None
    if previous is not None and draw_has_record(previous):
        previous_digest = str(draw_public_record(previous, recompute=recompute)["public_record_digest"])
    if draw.public_pool_digest and not recompute:
        public_digest, size = draw.public_pool_digest, draw.pool_size
    else:
        pool = draw_public_pool(draw)
        public_digest, size = pool.digest, len(pool.rows)
    return public_draw.public_record(
        draw.record, full_record_digest=full_record_digest(draw.record), public_digest=public_digest,
        pool_size=size, salt=draw_salt(draw), previous_public_digest=previous_digest,
    )


def draw_leaf_digest(draw: TargetDraw) -> str:
    return str(draw_public_record(draw)["public_record_digest"])


def match_leaf_digest(match: InspectorMatch) -> str:
    return match_sha256_hex({k: v for k, v in match.record.items() if k != "record_digest"})


# ---------------------------------------------------------------- registration (called by services, DrawsConfig)


def draw_record_register(draw: TargetDraw) -> TransparencyLeaf:
    """Append the confirmed draw's public record digest to the transparency log (idempotent)."""
    return transparency.transparency_append_once(kind=DRAW_KIND, ref=str(draw.pk), digest=draw_leaf_digest(draw))


def match_record_register(match: InspectorMatch) -> TransparencyLeaf:
    """Append the confirmed match record's digest to the transparency log (idempotent)."""
    return transparency.transparency_append_once(kind=MATCH_KIND, ref=str(match.pk), digest=match_leaf_digest(match))


def _recompute_draw(ref: str) -> str | None:
    draw = TargetDraw.objects.filter(pk=int(ref)).select_related("previous").first() if ref.isdigit() else None
    if draw is None or not draw_has_record(draw):
        return None
    assert draw.record is not None
    if full_record_digest(draw.record) != draw.record_digest:
        return "record_digest-mismatch"  # the stored digest no longer matches the stored record
    try:
        return str(draw_public_record(draw, recompute=True)["public_record_digest"])
    except Exception as error:
        return f"unreadable: {error}"


def _recompute_match(ref: str) -> str | None:
    match = InspectorMatch.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    if match is None:
        return None
    digest = match_leaf_digest(match)
    return digest if digest == match.record_digest else "record_digest-mismatch"


def register_leaf_kinds() -> None:
    transparency.register_leaf_kind(DRAW_KIND, _recompute_draw)
    transparency.register_leaf_kind(MATCH_KIND, _recompute_match)


# ---------------------------------------------------------------- reads for the portal


def draw_leaf(draw: TargetDraw) -> TransparencyLeaf | None:
    return transparency.leaf_for(kind=DRAW_KIND, ref=str(draw.pk))


@dataclass(frozen=True)
class DrawInclusion:
    leaf: TransparencyLeaf | None
    head: TreeHead | None
    proof: dict[str, Any] | None
    message: str

    @property
    def proof_text(self) -> str:
        return json.dumps(self.proof, ensure_ascii=False, indent=2, sort_keys=True) if self.proof else ""


def draw_inclusion(draw: TargetDraw) -> DrawInclusion:
    """The draw's leaf and its inclusion proof against the latest signed tree head (if the head covers it)."""
    leaf = draw_leaf(draw)
    head = transparency.latest_tree_head()
    if leaf is None:
        return DrawInclusion(None, head, None, "本次抽取尚未经双人确认，确认后其记录登记到透明日志")
    if head is None or leaf.index >= head.tree_size:
        return DrawInclusion(leaf, head, None, f"记录已登记为透明日志第 {leaf.index} 号，将收录在下一个每日签名树头中")
    proof = transparency.inclusion_proof_json(leaf.index, head.tree_size)
    proof["tree_head"] = transparency.tree_head_json(head)
    return DrawInclusion(leaf, head, proof, f"记录为透明日志第 {leaf.index} 号，包含在 {head.tree_size} 条记录的签名树头中")


def audit_bundle(draw: TargetDraw) -> dict[str, Any]:
    """For auditors in scope: full record, full pool, salt and public record, checkable with the CLI."""
    assert draw.record is not None
    previous = draw.previous.record if draw.previous_id and draw.previous is not None else None
    return {
        "type": public_draw.AUDIT_BUNDLE_TYPE,
        "format_version": public_draw.FORMAT_VERSION,
        "notice": "内部资料：含检查对象的信用风险等级，不得公开",
        "task": draw.task.code,
        "sequence": draw.sequence,
        "salt": draw_salt(draw),
        "full_record": draw.record,
        "previous_full_record": previous,
        "full_pool_csv": storage.read_file(draw.pool_file).decode("utf-8"),
        "public_record": draw_public_record(draw),
    }


# ---------------------------------------------------------------- back-fill and demo


@transaction.atomic
def transparency_backfill() -> int:
    """Register confirmed draws and matches that have no leaf yet (data from before the log); returns how many."""
    added = 0
    registered = {
        (kind, ref) for kind, ref in TransparencyLeaf.objects.filter(kind__in=[DRAW_KIND, MATCH_KIND])
        .values_list("kind", "ref")
    }
    draws = TargetDraw.objects.filter(confirmed_at__isnull=False).exclude(record=None).order_by("confirmed_at", "pk")
    for draw in draws.select_related("previous"):
        if (DRAW_KIND, str(draw.pk)) not in registered:
            draw_record_register(draw)
            added += 1
    matches = InspectorMatch.objects.filter(confirmed_at__isnull=False).order_by("confirmed_at", "pk")
    for match in matches.exclude(status=MatchStatus.MATCHED):
        if (MATCH_KIND, str(match.pk)) not in registered:
            match_record_register(match)
            added += 1
    return added


def demo_transparency() -> TreeHead:
    """Demo hook: register the demo's confirmed records (if any were made without the log) and sign today's head."""
    transparency_backfill()
    return transparency.tree_head_ensure_today()
