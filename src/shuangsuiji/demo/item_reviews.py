"""Demo data of the 合法性审查 of the 抽查事项清单 (issue 20 item 6), built through the services.

- 保定市卫生健康委员会 gets a 政策法规科 (玉溪 2020: "委政策法规与体制改革科负责对抽查事项清单……的合法性审查") with
  the account ``city_legal``: a new city item is submitted by the 双随机办, approved there and published.
- 莲池区 (no 政策法规股: its 双随机办 administrator reviews) has one review returned with an opinion and one
  waiting, so the pages show every state.

Idempotent: items are looked up by code, reviews by what they contain.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role, User
from shuangsuiji.demo.loader import DEMO_PASSWORD, DemoContext
from shuangsuiji.directory import item_review, services
from shuangsuiji.directory.models import CheckItem, ItemReviewEntry, ItemStatus, Specialty

CITY_LEGAL_USER = "city_legal"
NEW_ITEMS = {
    "city": ("SJ-XD-09", "disinfection_products", "对医疗机构消毒产品使用情况的监督检查",
             "《消毒管理办法》第四条、第三十一条", "使用中消毒产品的卫生许可批件\n消毒产品标签、说明书"),
    "lianchi_returned": ("LC-SY-08", "drinking_water", "对二次供水设施卫生状况的监督检查",
                         "《生活饮用水卫生监督管理办法》第七条", "二次供水设施卫生许可\n水箱清洗消毒记录"),
    "lianchi_pending": ("LC-TY-03", "childcare", "对托育机构卫生保健工作的监督检查",
                        "《托育机构卫生评价基本标准》", "卫生保健人员配备\n晨午检记录"),
}


def _admin(bureau: Organization) -> User:
    return User.objects.filter(role=Role.PROGRAM_ADMIN, organization=bureau, is_active=True).order_by("pk").first()  # type: ignore[return-value]


def _draft(ctx: DemoContext, key: str, actor: User) -> CheckItem:
    code, specialty, name, basis, subs = NEW_ITEMS[key]
    found = CheckItem.objects.filter(owner=actor.organization, code=code, is_current=True).first()
    if found is not None:
        return found
    ctx.count("抽查事项", 1)
    return services.item_create(actor=actor, data={
        "code": code, "specialty": Specialty.objects.get(code=specialty), "name": name, "legal_basis": basis,
        "subject": actor.organization.name if actor.organization else "", "target_type": "",
        "methods": ["on_site", "documents"], "sub_items": subs.split("\n"), "ratio_percent": 5,
    })


def _legal_user(ctx: DemoContext) -> User:
    city = ctx.bureaus["city"]
    section, created = Organization.objects.get_or_create(
        code="CITY-FG", defaults={
            "name": f"{city.name}政策法规科", "kind": OrganizationKind.SECTION, "region": city.region,
            "parent": city, "system": city.system,
        },
    )
    ctx.count("单位", int(created))
    user = User.objects.filter(username=CITY_LEGAL_USER).first()
    if user is None:
        user = User.objects.create(
            username=CITY_LEGAL_USER, password=make_password(DEMO_PASSWORD), real_name="市卫健委政策法规科审查员",
            role=Role.SECTION_STAFF, organization=section, is_demo=True,
        )
        ctx.count("演示账号", 1)
    return user


def step_item_reviews(ctx: DemoContext) -> None:
    legal = _legal_user(ctx)
    city_admin, lianchi_admin = _admin(ctx.bureaus["city"]), _admin(ctx.bureaus["lianchi"])
    created = 0
    # city: submitted by the 双随机办, approved by the 政策法规科, published
    item = _draft(ctx, "city", city_admin)
    if item.status != ItemStatus.PUBLISHED:
        entry = item_review.pending_entry(item) or item_review.approved_entry(item)
        if entry is None:
            entry = _submit(item, city_admin, "新增医疗机构消毒产品使用检查事项")
        review = entry.review
        if review.status == "submitted":
            item_review.item_review_decide(
                actor=legal, review=review, approve=True,
                opinion="抽查依据现行有效，抽查主体、对象和比例符合《消毒管理办法》和本委权责清单，同意公布。",
            )
        item_review.item_review_publish(actor=city_admin, review=review)
        created += 1
    # 莲池: one returned with the reviewer's opinion, one waiting
    returned = _draft(ctx, "lianchi_returned", lianchi_admin)
    if not ItemReviewEntry.objects.filter(item=returned).exists():
        entry = _submit(returned, lianchi_admin, "新增二次供水检查事项")
        item_review.item_review_decide(
            actor=lianchi_admin, review=entry.review, approve=False,
            opinion="抽查依据应写明《生活饮用水卫生监督管理办法》具体条款，并补充《二次供水设施卫生规范》（GB 17051）。",
        )
        created += 1
    pending = _draft(ctx, "lianchi_pending", lianchi_admin)
    if not ItemReviewEntry.objects.filter(item=pending).exists():
        _submit(pending, lianchi_admin, "新增托育机构卫生检查事项")
        created += 1
    ctx.count("事项清单合法性审查", created)


def _submit(item: CheckItem, actor: User, note: str) -> ItemReviewEntry:
    review = item_review.item_review_submit(actor=actor, items=[item], note=note)
    return review.entries.get()
