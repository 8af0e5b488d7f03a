"""The audit log is append-only and its hash chain exposes a database-level edit."""

from __future__ import annotations

import pytest
from django.db import connection

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import audit_chain_verify, audit_record
from tests.conftest import World


def test_chain_verifies_and_detects_tampering(world: World) -> None:
    actor = world.users["a_admin"]
    for i in range(5):
        audit_record(actor=actor, event="test.event", target=world.targets["a"], changes={"i": i})
    ok, broken, message = audit_chain_verify()
    assert ok and broken is None and "校验通过" in message
    third = AuditEntry.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["篡改", third.seq])
    ok, broken, message = audit_chain_verify()
    assert not ok and broken == third.seq and "篡改" in message


def test_entries_cannot_be_updated_or_deleted(world: World) -> None:
    entry = audit_record(actor=world.users["a_admin"], event="test.event")
    entry.event = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(seq=entry.seq).update(event="x")


def test_personal_fields_are_masked(world: World) -> None:
    entry = audit_record(actor=world.users["a_admin"], event="test.event", changes={"phone": "13812345678"})
    assert "13812345678" not in str(entry.changes)
