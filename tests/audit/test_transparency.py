"""Transparency log: Merkle leaves, signed tree heads, public JSON, and detection of database edits."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection
from django.test import Client

from shuangsuiji.audit import transparency
from shuangsuiji.audit.models import AuditEntry, TransparencyLeaf, TreeHead
from shuangsuiji.audit.services import audit_record
from shuangsuiji.core import merkle
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _fill(n: int = 5) -> list[TransparencyLeaf]:
    return [transparency.transparency_append(kind="draw", ref=f"D-{i}", digest=f"{i:064x}") for i in range(n)]


def test_leaves_heads_and_verification() -> None:
    leaves = _fill(5)
    assert [leaf.index for leaf in leaves] == [0, 1, 2, 3, 4]
    audit_record(actor=None, event="test.event")
    head = transparency.tree_head_sign()
    assert head.tree_size == 5 and transparency.head_signature_valid(head)
    assert head.audit_hash == AuditEntry.objects.order_by("-seq").first().entry_hash  # type: ignore[union-attr]
    expected = merkle.root_from_leaf_hashes([merkle.leaf_hash(transparency.leaf_data(
        index=i, kind="draw", ref=f"D-{i}", digest=f"{i:064x}")) for i in range(5)])
    assert head.root_hash == expected.hex()
    _fill(2)
    assert transparency.tree_head_sign().tree_size == 7
    check = transparency.transparency_verify()
    assert check.ok, check.message
    with pytest.raises(PermissionError):
        leaves[0].delete()
    with pytest.raises(PermissionError):
        TreeHead.objects.all().update(tree_size=1)


def test_database_edit_of_a_leaf_is_detected() -> None:
    _fill(4)
    transparency.tree_head_sign()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_transparencyleaf SET digest = %s WHERE \"index\" = 2", ["f" * 64])
    check = transparency.transparency_verify()
    assert not check.ok and check.first_bad_index == 2 and "第 2 号" in check.message


def test_consistent_rewrite_of_a_leaf_is_caught_by_the_signed_head() -> None:
    _fill(4)
    transparency.tree_head_sign()
    # an attacker who also recomputes the leaf hash still cannot match the signed root
    forged = transparency.leaf_data(index=1, kind="draw", ref="D-1", digest="e" * 64)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_transparencyleaf SET digest = %s, leaf_hash = %s WHERE \"index\" = 1",
            ["e" * 64, merkle.leaf_hash(forged).hex()],
        )
    check = transparency.transparency_verify()
    assert not check.ok and "树根" in check.message


def test_registered_record_kinds_are_recomputed() -> None:
    records = {"R-1": "a" * 64, "R-2": "b" * 64}
    transparency.register_leaf_kind("testrecord", lambda ref: records.get(ref))
    try:
        for ref, digest in records.items():
            transparency.transparency_append(kind="testrecord", ref=ref, digest=digest)
        assert transparency.transparency_verify().ok
        records["R-2"] = "c" * 64  # the draw record was edited in the database
        check = transparency.transparency_verify()
        assert not check.ok and "R-2" in check.message and check.first_bad_index == 1
    finally:
        transparency.LEAF_RECOMPUTE.pop("testrecord", None)


def test_public_tree_head_and_inclusion_proof(world: World) -> None:
    anonymous = Client()
    assert anonymous.get("/audit/transparency/head.json").status_code == 404
    _fill(6)
    transparency.tree_head_sign()
    head = anonymous.get("/audit/transparency/head.json").json()
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(head["public_key"]))
    public_key.verify(base64.b64decode(head["signature"]), head["signed_message"].encode("utf-8"))
    proof = anonymous.get("/audit/transparency/proof/3.json").json()
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]), 3, proof["tree_size"], [bytes.fromhex(h) for h in proof["audit_path"]],
        bytes.fromhex(head["root_hash"]),
    )
    assert merkle.leaf_hash(proof["leaf_data"].encode("utf-8")).hex() == proof["leaf_hash"]
    assert anonymous.get("/audit/transparency/proof/99.json").status_code == 404


def test_signed_head_pins_the_audit_chain(world: World) -> None:
    for i in range(3):
        audit_record(actor=None, event="test.event", changes={"i": i})
    head = transparency.tree_head_sign()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET entry_hash = %s WHERE seq = %s", ["0" * 63 + "1", head.audit_seq])
    assert not transparency.transparency_verify().ok
