"""Services of 一单两库: results, audit rows, refusal out of scope, versioning."""

from __future__ import annotations

import datetime

import pytest
from tests.conftest import World

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.core.uscc import complete_uscc
from shuangsuiji.directory import item_review, services
from shuangsuiji.directory.models import CheckItem, ItemStatus, Specialty, Target


def test_item_create_audits(world: World) -> None:
    actor = world.users["a_staff"]
    item = services.item_create(
        actor=actor,
        data={
            "code": "XD-01", "specialty": Specialty.objects.get(code="disinfection_products"),
            "name": "对消毒产品的监督检查", "legal_basis": "《消毒管理办法》", "subject": "莲池区卫生健康局",
            "methods": ["on_site"],
        },
    )
    assert item.owner == world.orgs["a"]
    entry = AuditEntry.objects.get(event="item.create")
    assert entry.actor == actor and entry.object_id == str(item.pk)


def test_editing_published_item_creates_version_and_keeps_old(world: World) -> None:
    actor = world.users["a_admin"]
    item = world.items["a"]
    with pytest.raises(ApplicationError, match="修订说明"):
        services.item_update(actor=actor, item=item, data={"name": "新名称"})
    new = services.item_update(actor=actor, item=item, data={"name": "新名称"}, change_note="依据新法规修订")
    assert new.pk != item.pk and new.version == 2 and new.status == ItemStatus.DRAFT
    old = CheckItem.objects.get(pk=item.pk)
    assert old.name == "对公共场所卫生的监督检查" and not old.is_current and old.status == ItemStatus.PUBLISHED
    review = item_review.item_review_submit(actor=actor, items=[new])
    item_review.item_review_decide(actor=actor, review=review, approve=True, opinion="")
    services.item_set_published(actor=actor, item=new, published=True)
    assert CheckItem.objects.get(pk=new.pk).published_at is not None


def test_other_county_cannot_edit_item(world: World) -> None:
    with pytest.raises(PermissionDeniedError):
        services.item_retire(actor=world.users["b_admin"], item=world.items["a"])
    with pytest.raises(PermissionDeniedError):
        services.item_retire(actor=world.users["city_admin"], item=world.items["a"])
    assert not AuditEntry.objects.filter(event="item.retire").exists()


def test_leader_and_inspector_cannot_write(world: World) -> None:
    for key in ("a_leader", "a_inspector", "city_supervisor"):
        with pytest.raises(PermissionDeniedError):
            services.target_retire(actor=world.users[key], target=world.targets["a"], reason="注销")


def _target_data(world: World, uscc: str) -> dict[str, object]:
    return {
        "uscc": uscc, "name": "莲池区清泉纯净水站", "region": world.regions["a"],
        "specialties": [Specialty.objects.get(code="drinking_water")], "status": "operating", "risk_class": "C",
        "contact_phone": "13700001111",
    }


def test_target_create_validates_uscc_and_uniqueness(world: World) -> None:
    actor = world.users["a_staff"]
    good = complete_uscc("92130606MA0ABCDE1")
    target = services.target_create(actor=actor, data=_target_data(world, good))
    assert target.code == good and target.contact_phone == "13700001111"
    stored = Target.objects.filter(pk=target.pk).values_list("contact_phone", flat=True)
    raw = Target.objects.raw("SELECT id, contact_phone FROM directory_target WHERE id = %s", [target.pk])
    assert list(stored) == ["13700001111"]
    assert next(iter(raw)).contact_phone == "13700001111"  # decrypted on read
    with pytest.raises(ApplicationError, match="已在名录库中"):
        services.target_create(actor=actor, data=_target_data(world, good))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ApplicationError, match="校验位"):
        services.target_create(actor=actor, data=_target_data(world, bad))


def test_phone_is_encrypted_at_rest(world: World) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM directory_target WHERE id = %s", [world.targets["a"].pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("enc1:") and "13812345678" not in raw


def test_target_region_outside_scope_refused(world: World) -> None:
    data = _target_data(world, complete_uscc("92130630MA0ABCDE1"))
    data["region"] = world.regions["b"]
    with pytest.raises(ApplicationError, match="不在本单位管辖范围"):
        services.target_create(actor=world.users["a_staff"], data=data)


def test_legacy_unit_without_uscc_uses_licence(world: World) -> None:
    data = _target_data(world, "")
    data["licence_numbers"] = "冀卫公字[2019]第0123号"
    target = services.target_create(actor=world.users["a_staff"], data=data)
    assert target.code == "L:冀卫公字[2019]第0123号" and target.uscc == ""


def test_target_update_keeps_history(world: World) -> None:
    target = services.target_update(actor=world.users["a_admin"], target=world.targets["a"], data={"risk_class": "D"})
    assert target.risk_class == "D"
    assert target.history.count() >= 2
    entry = AuditEntry.objects.get(event="target.update")
    assert entry.changes["risk_class"] == ["B", "D"]


def test_inspector_personal_data_masked_in_audit(world: World) -> None:
    services.inspector_update(
        actor=world.users["a_admin"], inspector=world.inspectors["a"], data={"phone": "13600000000"}
    )
    entry = AuditEntry.objects.get(event="inspector.update")
    assert "13600000000" not in str(entry.changes)


def test_inspector_licence_dates_checked(world: World) -> None:
    with pytest.raises(ApplicationError, match="起始日期"):
        services.inspector_update(
            actor=world.users["a_admin"], inspector=world.inspectors["a"],
            data={"licence_valid_from": datetime.date(2030, 1, 1)},
        )


def test_conflict_declaration(world: World) -> None:
    conflict = services.conflict_declare(
        actor=world.users["a_admin"], inspector=world.inspectors["a"], target=world.targets["a"],
        reason="近亲属在该单位任职", valid_from=datetime.date(2026, 1, 1),
    )
    assert conflict.owner == world.orgs["a"]
    with pytest.raises(ApplicationError):
        services.conflict_declare(
            actor=world.users["a_admin"], inspector=world.inspectors["a"], target=world.targets["b"],
            reason="x", valid_from=datetime.date(2026, 1, 1),
        )
