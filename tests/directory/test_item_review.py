"""合法性审查 of the 抽查事项清单 before publication (issue 20 item 6): services, pages, API, scope, audit, 2FA."""

from __future__ import annotations

import json

import pytest
from tests.conftest import World

from shuangsuiji.accounts.legal import can_legal_review, legal_reviewer_text
from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.directory import item_review, services
from shuangsuiji.directory.models import CheckItem, ItemReviewStatus, ItemStatus, Specialty


def _draft(world: World, code: str, owner_key: str = "a") -> CheckItem:
    return CheckItem.objects.create(
        owner=world.orgs[owner_key], code=code, specialty=Specialty.objects.get(code="disinfection_products"),
        name=f"对消毒产品的监督检查{code}", legal_basis="《消毒管理办法》", subject="莲池区卫生健康局",
        methods=["on_site"],
    )


def _legal_section(world: World) -> User:
    section = Organization.objects.create(
        name="莲池区卫生健康局政策法规股", code="A_LEGAL", kind=OrganizationKind.SECTION,
        region=world.regions["a"], parent=world.orgs["a"], system="卫生健康",
    )
    return User.objects.create_user(
        username="a_legal", password="x", organization=section, role=Role.SECTION_STAFF, real_name="法规股审查员"
    )


def test_content_fields_cover_every_editable_field() -> None:
    assert set(services.ITEM_FIELDS) <= set(item_review.CONTENT_FIELDS)


def test_unreviewed_item_cannot_be_published(world: World) -> None:
    item = _draft(world, "XD-01")
    with pytest.raises(ApplicationError, match="尚未通过合法性审查"):
        services.item_set_published(actor=world.users["a_admin"], item=item, published=True)
    assert CheckItem.objects.get(pk=item.pk).status == ItemStatus.DRAFT
    assert not AuditEntry.objects.filter(event="item.publish").exists()


def test_submit_review_publish_flow_audits_each_step(world: World) -> None:
    items = [_draft(world, "XD-01"), _draft(world, "XD-02")]
    review = item_review.item_review_submit(actor=world.users["a_staff"], items=items, note="新增消毒产品事项")
    assert review.status == ItemReviewStatus.SUBMITTED and review.entries.count() == 2
    assert review.number.startswith("SCQD")
    # under review: the draft cannot change, and cannot be submitted twice
    with pytest.raises(ApplicationError, match="正在合法性审查中"):
        services.item_update(actor=world.users["a_staff"], item=items[0], data={"name": "改名"})
    with pytest.raises(ApplicationError, match="已在审查中"):
        item_review.item_review_submit(actor=world.users["a_staff"], items=[items[0]])
    # no 政策法规 section in 莲池: the 双随机办 administrator reviews; staff and the leader may not
    for key in ("a_staff", "a_leader", "b_admin", "city_admin"):
        with pytest.raises(PermissionDeniedError, match="合法性审查须由"):
            item_review.item_review_decide(actor=world.users[key], review=review, approve=True, opinion="")
    item_review.item_review_decide(
        actor=world.users["a_admin"], review=review, approve=True, opinion="依据充分，主体适格",
        remarks={items[0].pk: "抽查依据写明条款"},
    )
    review.refresh_from_db()
    assert review.status == ItemReviewStatus.APPROVED and review.reviewer == world.users["a_admin"]
    assert review.entries.get(item=items[0]).remark == "抽查依据写明条款"
    published = item_review.item_review_publish(actor=world.users["a_staff"], review=review)
    assert {i.pk for i in published} == {i.pk for i in items}
    assert all(CheckItem.objects.get(pk=i.pk).status == ItemStatus.PUBLISHED for i in items)
    events = list(AuditEntry.objects.filter(event__startswith="item_review.").order_by("pk").values_list("event", flat=True))
    assert events == ["item_review.submit", "item_review.approve", "item_review.publish"]
    with pytest.raises(ApplicationError, match="没有可公布的事项"):
        item_review.item_review_publish(actor=world.users["a_staff"], review=review)


def test_return_needs_an_opinion_and_frees_the_items(world: World) -> None:
    item = _draft(world, "XD-01")
    review = item_review.item_review_submit(actor=world.users["a_staff"], items=[item])
    with pytest.raises(ApplicationError, match="须填写审查意见"):
        item_review.item_review_decide(actor=world.users["a_admin"], review=review, approve=False, opinion=" ")
    item_review.item_review_decide(actor=world.users["a_admin"], review=review, approve=False, opinion="抽查依据已废止")
    with pytest.raises(ApplicationError, match="不能再次审查"):
        item_review.item_review_decide(actor=world.users["a_admin"], review=review, approve=True, opinion="")
    with pytest.raises(ApplicationError, match="只有合法性审查通过"):
        item_review.item_review_publish(actor=world.users["a_staff"], review=review)
    services.item_update(actor=world.users["a_staff"], item=item, data={"legal_basis": "《消毒管理办法》第四十一条"})
    again = item_review.item_review_submit(actor=world.users["a_staff"], items=[item])
    assert again.number != review.number


def test_change_after_approval_voids_it(world: World) -> None:
    item = _draft(world, "XD-01")
    review = item_review.item_review_submit(actor=world.users["a_staff"], items=[item])
    item_review.item_review_decide(actor=world.users["a_admin"], review=review, approve=True, opinion="")
    assert item_review.item_review_state(item)["label"] == "合法性审查通过"
    services.item_update(actor=world.users["a_staff"], item=item, data={"ratio_percent": 50})
    item.refresh_from_db()
    assert item_review.item_review_state(item)["label"] == "审查通过后已修改，须重新审查"
    with pytest.raises(ApplicationError, match="内容已修改"):
        services.item_set_published(actor=world.users["a_staff"], item=item, published=True)
    with pytest.raises(ApplicationError, match="审查后已修改"):
        item_review.item_review_publish(actor=world.users["a_staff"], review=review)


def test_changed_during_review_cannot_be_approved(world: World) -> None:
    item = _draft(world, "XD-01")
    review = item_review.item_review_submit(actor=world.users["a_staff"], items=[item])
    CheckItem.objects.filter(pk=item.pk).update(subject="别的单位")  # e.g. an import writing behind the service
    with pytest.raises(ApplicationError, match="提交后内容已被修改"):
        item_review.item_review_decide(actor=world.users["a_admin"], review=review, approve=True, opinion="")


def test_legal_section_reviews_when_the_bureau_has_one(world: World) -> None:
    legal = _legal_section(world)
    bureau = world.orgs["a"]
    assert "政策法规股" in legal_reviewer_text(bureau)
    assert can_legal_review(legal, bureau) and not can_legal_review(world.users["a_admin"], bureau)
    assert not can_legal_review(legal, world.orgs["b"])
    item = _draft(world, "XD-01")
    review = item_review.item_review_submit(actor=world.users["a_admin"], items=[item])
    with pytest.raises(PermissionDeniedError, match="政策法规股"):
        item_review.item_review_decide(actor=world.users["a_admin"], review=review, approve=True, opinion="")
    item_review.item_review_decide(actor=legal, review=review, approve=True, opinion="合法")
    # the legal section reviews but does not publish (no 一单两库 edit right of the library? it has: 科室人员)
    published = item_review.item_review_publish(actor=world.users["a_admin"], review=review)
    assert [i.pk for i in published] == [item.pk]


def test_scope_submit_only_own_bureau_items(world: World) -> None:
    other = _draft(world, "XD-B", owner_key="b")
    with pytest.raises(PermissionDeniedError):
        item_review.item_review_submit(actor=world.users["a_staff"], items=[other])
    with pytest.raises(ApplicationError, match="同一单位"):
        item_review.item_review_submit(actor=world.users["a_staff"], items=[_draft(world, "XD-01"), other])
    with pytest.raises(ApplicationError, match="只有草稿或已撤回"):
        item_review.item_review_submit(actor=world.users["a_staff"], items=[world.items["a"]])
    with pytest.raises(PermissionDeniedError):
        item_review.item_review_submit(actor=world.users["a_leader"], items=[_draft(world, "XD-02")])
    assert not AuditEntry.objects.filter(event="item_review.submit").exists()


def test_pages_submit_review_publish_with_second_factor(world: World) -> None:
    item = _draft(world, "XD-01")
    staff = world.client("a_staff")
    page = staff.get("/directory/item-reviews/").content.decode()
    assert "提交合法性审查" in page and item.code in page and "双随机办管理员" in page
    detail = staff.get(f"/directory/items/{item.pk}/").content.decode()
    assert "未经合法性审查" in detail and f'action="/directory/items/{item.pk}/publish/"' not in detail
    response = staff.post("/directory/item-reviews/", {"items": [str(item.pk)], "note": "新增"})
    assert response.status_code == 302
    review = item_review.review_list(actor=world.users["a_staff"]).get()
    admin = world.client("a_admin")
    assert "合法性审查通过" in admin.get(review.get_absolute_url()).content.decode()
    admin.post(f"/directory/item-reviews/{review.pk}/decide/", {"decision": "approve", "opinion": "同意"})
    review.refresh_from_db()
    assert review.status == ItemReviewStatus.APPROVED
    # an unverified session cannot publish (audit-level 2FA guard), a verified one can
    unverified = world.client("a_staff", verified=False)
    unverified.post(f"/directory/item-reviews/{review.pk}/publish/")
    assert CheckItem.objects.get(pk=item.pk).status == ItemStatus.DRAFT
    staff.post(f"/directory/item-reviews/{review.pk}/publish/")
    assert CheckItem.objects.get(pk=item.pk).status == ItemStatus.PUBLISHED
    # the other county neither sees nor reviews it
    assert world.client("b_admin").get(review.get_absolute_url()).status_code == 404


def test_page_shows_chinese_error_for_empty_selection(world: World) -> None:
    _draft(world, "XD-01")
    page = world.client("a_staff").post("/directory/item-reviews/", {"note": "x"}).content.decode()
    assert "请至少选择一项抽查事项" in page


def test_api_flow(world: World) -> None:
    item = _draft(world, "XD-01")
    staff = world.client("a_staff")
    response = staff.post("/api/directory/item-reviews", json.dumps({"item_ids": [item.pk], "note": "接口提交"}),
                          content_type="application/json")
    assert response.status_code == 201, response.content
    review_id = response.json()["id"]
    assert response.json()["entries"][0]["content_sha256"] == item_review.item_content_digest(item)
    refused = staff.post(f"/api/directory/item-reviews/{review_id}/decide", json.dumps({"approve": True}),
                         content_type="application/json")
    assert refused.status_code == 403 and "合法性审查须由" in refused.json()["detail"]
    admin = world.client("a_admin")
    bad = admin.post(f"/api/directory/item-reviews/{review_id}/decide", json.dumps({"approve": False}),
                     content_type="application/json")
    assert bad.status_code == 400 and "审查意见" in bad.json()["detail"]
    ok = admin.post(f"/api/directory/item-reviews/{review_id}/decide", json.dumps({"approve": True, "opinion": "同意"}),
                    content_type="application/json")
    assert ok.json()["status"] == "approved"
    published = staff.post(f"/api/directory/item-reviews/{review_id}/publish")
    assert published.json() == {"published": [item.pk]}
    assert world.client("b_admin").get(f"/api/directory/item-reviews/{review_id}").status_code == 404
    other = _draft(world, "XD-B", owner_key="b")
    hidden = staff.post("/api/directory/item-reviews", json.dumps({"item_ids": [other.pk]}),
                        content_type="application/json")
    assert hidden.status_code == 400 and "数据范围" in hidden.json()["detail"]
