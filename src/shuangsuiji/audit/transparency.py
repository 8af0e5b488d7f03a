"""Transparency log: an RFC 6962 Merkle tree over registered records, with signed daily tree heads.

Draw and match records (and anything else whose integrity the public should be able to check) are
registered with `transparency_append(kind=, ref=, digest=)` in the same transaction that creates them.
Each leaf commits to (index, kind, ref, digest); a daily tree head signs the root with Ed25519 and
also pins the current head of the audit hash chain. `transparency_verify()` recomputes every leaf,
every stored head's root and signature, and — for kinds that registered a recompute function with
`register_leaf_kind` — the digest of the record as it is in the database now, so a database-level
edit of a draw record shows up.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry, TransparencyLeaf, TreeHead
from shuangsuiji.core import merkle

_PG_TREE_LOCK_KEY = 7_305_332
HEAD_FORMAT = "ssj-tree-head-v1"

# kind → function(ref) returning the record's current digest (None when the record is gone).
LEAF_RECOMPUTE: dict[str, Callable[[str], str | None]] = {}


def register_leaf_kind(kind: str, recompute: Callable[[str], str | None]) -> None:
    """Let `ssj audit verify` recompute the digest of records of `kind` (e.g. "draw") from the database."""
    LEAF_RECOMPUTE[kind] = recompute


def leaf_data(*, index: int, kind: str, ref: str, digest: str) -> bytes:
    payload = {"index": index, "kind": kind, "ref": ref, "digest": digest}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _leaf_hash_hex(*, index: int, kind: str, ref: str, digest: str) -> str:
    return merkle.leaf_hash(leaf_data(index=index, kind=kind, ref=ref, digest=digest)).hex()


def transparency_append(*, kind: str, ref: str, digest: str) -> TransparencyLeaf:
    """Register a record. Call inside the transaction that creates the record."""
    if not kind or not ref or not digest:
        raise ValueError("kind、ref、digest 均不能为空")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_TREE_LOCK_KEY])
        last = TransparencyLeaf.objects.order_by("-index").values_list("index", flat=True).first()
        index = 0 if last is None else last + 1
        leaf = TransparencyLeaf(
            index=index, kind=kind, ref=str(ref), digest=digest,
            leaf_hash=_leaf_hash_hex(index=index, kind=kind, ref=str(ref), digest=digest),
        )
        leaf.save()
    return leaf


def transparency_append_once(*, kind: str, ref: str, digest: str) -> TransparencyLeaf:
    """Register a record once: a second call for the same (kind, ref) returns the existing leaf.

    Call inside the transaction that confirms the record, after locking its row (so two confirmations of the
    same record cannot both append). A different digest for an already registered record is refused: the log
    never holds two versions of one record.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_TREE_LOCK_KEY])
        existing = leaf_for(kind=kind, ref=ref)
        if existing is not None:
            if existing.digest != digest:
                raise ValueError(f"透明日志已登记{kind}记录 {ref}（第 {existing.index} 号），摘要不同，不能再次登记")
            return existing
        return transparency_append(kind=kind, ref=ref, digest=digest)


def leaf_for(*, kind: str, ref: str) -> TransparencyLeaf | None:
    return TransparencyLeaf.objects.filter(kind=kind, ref=str(ref)).order_by("index").first()


def _leaf_hashes(size: int | None = None) -> list[bytes]:
    qs = TransparencyLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)
    if size is not None:
        qs = qs[:size]
    return [bytes.fromhex(h) for h in qs.iterator(chunk_size=5000)]


# ---------------------------------------------------------------- signing


def _signing_key() -> Ed25519PrivateKey:
    raw = settings.TREE_SIGNING_KEY
    seed = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    if len(seed) != 32:
        raise ValueError("SSJ_TREE_SIGNING_KEY 必须是 32 字节的 base64 编码种子")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_bytes() -> bytes:
    return _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_b64() -> str:
    return base64.b64encode(public_key_bytes()).decode("ascii")


def key_id(public_key: bytes | None = None) -> str:
    return hashlib.sha256(public_key if public_key is not None else public_key_bytes()).hexdigest()[:16]


def head_message(*, tree_size: int, root_hash: str, audit_seq: int | None, audit_hash: str, signed_at: str) -> bytes:
    """The exact bytes signed; published with the head so anyone can check the signature."""
    return "\n".join(
        [HEAD_FORMAT, str(tree_size), root_hash, str(audit_seq or 0), audit_hash or "-", signed_at]
    ).encode("utf-8")


def _message_for(head: TreeHead) -> bytes:
    return head_message(
        tree_size=head.tree_size, root_hash=head.root_hash, audit_seq=head.audit_seq, audit_hash=head.audit_hash,
        signed_at=head.signed_at.isoformat(),
    )


def tree_head_sign() -> TreeHead:
    """Compute and store a signed tree head over all leaves (the daily job and `ssj audit tree-head`)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_TREE_LOCK_KEY])
        leaves = _leaf_hashes()
        root = merkle.root_from_leaf_hashes(leaves).hex()
        last_audit = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
        signed_at = timezone.now().replace(microsecond=0)
        head = TreeHead(
            tree_size=len(leaves), root_hash=root, audit_seq=last_audit[0] if last_audit else None,
            audit_hash=last_audit[1] if last_audit else "", signed_at=signed_at, key_id=key_id(),
        )
        head.signature = base64.b64encode(_signing_key().sign(_message_for(head))).decode("ascii")
        head.save()
    return head


def head_signature_valid(head: TreeHead, public_key: bytes | None = None) -> bool:
    key = Ed25519PublicKey.from_public_bytes(public_key if public_key is not None else public_key_bytes())
    try:
        key.verify(base64.b64decode(head.signature), _message_for(head))
    except (InvalidSignature, ValueError):
        return False
    return True


def latest_tree_head() -> TreeHead | None:
    return TreeHead.objects.order_by("-signed_at", "-pk").first()


def tree_head_ensure_today() -> TreeHead:
    """The head of today (local date), signing one when there is none yet or new leaves came since (demo, CLI)."""
    head = latest_tree_head()
    size = TransparencyLeaf.objects.count()
    if head is not None and timezone.localdate(head.signed_at) == timezone.localdate() and head.tree_size == size:
        return head
    return tree_head_sign()


def tree_head_json(head: TreeHead) -> dict[str, object]:
    """The public form of a head (for the portal): verifiable with the public key alone."""
    return {
        "type": "ssj.transparency.tree-head",
        "id": head.pk,
        "format": HEAD_FORMAT,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "audit_seq": head.audit_seq or 0,
        "audit_hash": head.audit_hash or "-",
        "signed_at": head.signed_at.isoformat(),
        "key_id": head.key_id,
        "public_key": public_key_b64(),
        "signature": head.signature,
        "signed_message": _message_for(head).decode("utf-8"),
        "algorithm": "Ed25519; RFC 6962 Merkle tree (SHA-256, leaf 0x00, node 0x01)",
    }


def inclusion_proof_json(index: int, tree_size: int | None = None) -> dict[str, object]:
    leaves = _leaf_hashes(tree_size)
    leaf = TransparencyLeaf.objects.filter(index=index).first()
    if leaf is None or index >= len(leaves):
        raise LookupError("透明日志中没有该记录")
    return {
        "type": "ssj.transparency.inclusion",
        "index": index,
        "tree_size": len(leaves),
        "kind": leaf.kind,
        "ref": leaf.ref,
        "digest": leaf.digest,
        "leaf_data": leaf_data(index=index, kind=leaf.kind, ref=leaf.ref, digest=leaf.digest).decode("utf-8"),
        "leaf_hash": leaf.leaf_hash,
        "root_hash": merkle.root_from_leaf_hashes(leaves).hex(),
        "audit_path": [h.hex() for h in merkle.inclusion_proof(leaves, index)],
    }


def consistency_proof_json(old: TreeHead, new: TreeHead) -> dict[str, object]:
    """RFC 6962 consistency proof that the tree of head `old` is a prefix of the tree of head `new`."""
    if old.tree_size > new.tree_size:
        old, new = new, old
    proof: list[str] = []
    if 0 < old.tree_size < new.tree_size:
        proof = [h.hex() for h in merkle.consistency_proof(_leaf_hashes(new.tree_size), old.tree_size)]
    return {
        "type": "ssj.transparency.consistency",
        "old_head": tree_head_json(old),
        "new_head": tree_head_json(new),
        "old_size": old.tree_size,
        "new_size": new.tree_size,
        "proof": proof,
    }


# ---------------------------------------------------------------- verification


@dataclass
class TreeCheck:
    ok: bool
    message: str
    first_bad_index: int | None = None
    bad_head_id: int | None = None


def transparency_verify() -> TreeCheck:
    """Recompute leaves, record digests (where recomputable), roots and signatures of all heads."""
    leaves: list[bytes] = []
    expected_index = 0
    for leaf in TransparencyLeaf.objects.order_by("index").iterator(chunk_size=5000):
        if leaf.index != expected_index:
            return TreeCheck(False, f"透明日志第 {expected_index} 号记录缺失", first_bad_index=expected_index)
        computed = _leaf_hash_hex(index=leaf.index, kind=leaf.kind, ref=leaf.ref, digest=leaf.digest)
        if computed != leaf.leaf_hash:
            return TreeCheck(False, f"透明日志第 {leaf.index} 号记录被篡改（叶子哈希不符）", first_bad_index=leaf.index)
        recompute = LEAF_RECOMPUTE.get(leaf.kind)
        if recompute is not None:
            current = recompute(leaf.ref)
            if current != leaf.digest:
                state = "已被删除" if current is None else "内容与登记的摘要不符"
                return TreeCheck(
                    False, f"透明日志第 {leaf.index} 号登记的{leaf.kind}记录 {leaf.ref} {state}",
                    first_bad_index=leaf.index,
                )
        leaves.append(bytes.fromhex(leaf.leaf_hash))
        expected_index += 1
    heads = list(TreeHead.objects.order_by("signed_at", "pk"))
    own_key = key_id()
    for head in heads:
        if head.tree_size > len(leaves):
            return TreeCheck(False, f"签名树头（{head.signed_at:%Y-%m-%d}）的叶子数大于现存记录数，记录被删除",
                             bad_head_id=head.pk)
        if merkle.root_from_leaf_hashes(leaves[: head.tree_size]).hex() != head.root_hash:
            return TreeCheck(False, f"签名树头（{head.signed_at:%Y-%m-%d}，{head.tree_size} 条）的树根与现存记录不符",
                             bad_head_id=head.pk)
        if head.key_id == own_key and not head_signature_valid(head):
            return TreeCheck(False, f"签名树头（{head.signed_at:%Y-%m-%d}）的签名无效", bad_head_id=head.pk)
        if head.audit_seq:
            stored = AuditEntry.objects.filter(seq=head.audit_seq).values_list("entry_hash", flat=True).first()
            if stored is not None and stored != head.audit_hash:
                return TreeCheck(False, f"审计日志第 {head.audit_seq} 条与签名树头锚定的哈希不符",
                                 bad_head_id=head.pk)
    return TreeCheck(True, f"透明日志完整：{len(leaves)} 条记录，{len(heads)} 个签名树头校验通过")
