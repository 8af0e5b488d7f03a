"""The Django side of the demo: steps that create what is missing, fast (bulk_create), idempotently."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, OrganizationKind, Region, RegionLevel, Role, User
from shuangsuiji.audit.services import audit_record
from shuangsuiji.demo import events
from shuangsuiji.demo.data import (
    ADJACENCY,
    CITY,
    CONFLICT_REASONS,
    COUNTIES,
    DEPARTMENT_ITEMS,
    HEALTH_ITEMS,
    PROVINCE,
)
from shuangsuiji.demo.generator import iter_inspectors, iter_targets
from shuangsuiji.directory.models import (
    CheckItem,
    ConflictDeclaration,
    Inspector,
    ItemStatus,
    Specialty,
    Target,
)

DEMO_PASSWORD = "Demo@2026ssj"  # nosec B105
TARGET_BATCH = 5000

PUBLIC_HEALTH = ("public_places", "drinking_water", "water_products", "disinfection_products",
                 "tableware_disinfection", "occupational", "school", "childcare")  # fmt: skip
MEDICAL = ("medical", "radiation", "infectious_disease", "blood_safety", "family_planning")
DEPARTMENTS = (("WGL", "文化广电和旅游局", "文化和旅游"), ("YB", "医疗保障局", "医疗保障"), ("SJ", "市场监督管理局", "市场监管"))


@dataclass
class DemoContext:
    size: int
    inspectors: int
    seed: int
    today: date
    log: Callable[[str], None] = print
    regions: dict[str, Region] = field(default_factory=dict)  # "province", "city", county keys
    bureaus: dict[str, Organization] = field(default_factory=dict)  # "city" and county keys
    institutes: dict[str, Organization] = field(default_factory=dict)
    sections: dict[str, list[Organization]] = field(default_factory=dict)
    departments: dict[str, dict[str, Organization]] = field(default_factory=dict)  # key → system → org
    specialties: dict[str, Specialty] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, number: int) -> None:
        if number:
            self.created[what] = self.created.get(what, 0) + number


def _owner_keys() -> list[str]:
    return ["city", *[c.key for c in COUNTIES]]


# ---------------------------------------------------------------- steps


def step_geography(ctx: DemoContext) -> None:
    """河北省 → 保定市 → 7 counties/districts, with adjacency between neighbours."""

    def region(code: str, name: str, level: str, parent: Region | None) -> Region:
        obj, created = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
        ctx.count("行政区划", int(created))
        return obj

    province = region(PROVINCE[0], PROVINCE[1], RegionLevel.PROVINCE, None)
    city = region(CITY[0], CITY[1], RegionLevel.CITY, province)
    ctx.regions.update(province=province, city=city)
    for county in COUNTIES:
        ctx.regions[county.key] = region(county.code, county.name, RegionLevel.COUNTY, city)
    for a, b in ADJACENCY:
        left, right = ctx.regions[a], ctx.regions[b]
        if not left.adjacent.filter(pk=right.pk).exists():
            left.adjacent.add(right)


def step_organizations(ctx: DemoContext) -> None:
    """Per level: 卫健局/卫健委, 卫生监督所, three 科室/股室, 文广旅局, 医保局, 市场监管局."""
    ctx.specialties = {s.code: s for s in Specialty.objects.all()}

    def org(code: str, name: str, kind: str, region: Region, parent: Organization | None = None,
            system: str = "卫生健康", short: str = "", specialties: Sequence[str] = ()) -> Organization:  # fmt: skip
        obj, created = Organization.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "region": region, "parent": parent, "system": system, "short_name": short},
        )
        if created:
            ctx.count("单位", 1)
            obj.specialties.set([ctx.specialties[s] for s in specialties if s in ctx.specialties])
        return obj

    levels = [("city", CITY[1], "卫生健康委员会", "科")] + [(c.key, c.name, "卫生健康局", "股") for c in COUNTIES]
    for key, place, bureau_suffix, unit in levels:
        region = ctx.regions[key]
        code = region.code
        bureau = org(f"{code}-WJ", f"{'保定市' if key != 'city' else ''}{place}{bureau_suffix}",
                     OrganizationKind.HEALTH_BUREAU, region, short=f"{place}卫健{'委' if key == 'city' else '局'}")
        ctx.bureaus[key] = bureau
        ctx.institutes[key] = org(f"{code}-JDS", f"{'保定市' if key != 'city' else ''}{place}卫生监督所",
                                  OrganizationKind.SUPERVISION_INSTITUTE, region, bureau, short=f"{place}卫生监督所")
        ctx.sections[key] = [
            org(f"{code}-GW", f"{bureau.name}公共卫生{unit}", OrganizationKind.SECTION, region, bureau,
                specialties=PUBLIC_HEALTH),
            org(f"{code}-YZ", f"{bureau.name}医政医管{unit}", OrganizationKind.SECTION, region, bureau,
                specialties=MEDICAL),
            org(f"{code}-ZH", f"{bureau.name}综合监督{unit}（双随机办）", OrganizationKind.SECTION, region, bureau),
        ]
        ctx.departments[key] = {
            system: org(f"{code}-{suffix}", f"{'保定市' if key != 'city' else ''}{place}{name}",
                        OrganizationKind.OTHER_DEPARTMENT, region, system=system)
            for suffix, name, system in DEPARTMENTS
        }


# 专业性强的事项 (放射诊疗、职业卫生): an expert of the 专家库 joins each team that checks them.
EXPERT_SPECIALTIES = ("radiation", "occupational")


def step_items(ctx: DemoContext) -> None:
    """The 抽查事项清单 of every bureau: 17 卫健 items (seed 004's 11 among them) and the departments' items."""
    now = timezone.now()
    owners: list[tuple[Organization, tuple[Any, ...]]] = [(b, HEALTH_ITEMS) for b in ctx.bureaus.values()]
    for by_system in ctx.departments.values():
        owners += [(org, DEPARTMENT_ITEMS[system]) for system, org in by_system.items()]
    existing = set(CheckItem.objects.filter(owner__in=[o for o, _ in owners]).values_list("owner_id", "code"))
    new = []
    for owner, items in owners:
        for code, specialty, name, subs, basis, target_type, methods, kind, ratio in items:
            if (owner.pk, code) in existing:
                continue
            new.append(CheckItem(
                owner=owner, code=code, version=1, is_current=True, specialty=ctx.specialties[specialty], name=name,
                sub_items=list(subs), legal_basis=basis, subject=owner.name, target_type=target_type,
                methods=list(methods), ratio_percent=ratio, frequency="每年不少于1次", kind=kind,
                needs_expert=specialty in EXPERT_SPECIALTIES, status=ItemStatus.PUBLISHED, published_at=now,
            ))
    CheckItem.objects.bulk_create(new)
    ctx.count("抽查事项", len(new))


def step_targets(ctx: DemoContext) -> None:
    """`ctx.size` targets, owned by their county bureau (血站 by the city), created in batches."""
    owners = {key: ctx.bureaus[key] for key in _owner_keys()}
    region_ids = {ctx.regions[c.key].code: ctx.regions[c.key].pk for c in COUNTIES}
    county_key = {c.code: c.key for c in COUNTIES}
    existing = set(Target.objects.filter(owner__in=owners.values()).values_list("owner_id", "code"))
    specialty_ids = {code: s.pk for code, s in ctx.specialties.items()}
    through = Target.specialties.through
    created = 0
    batch: list[Any] = []

    def flush() -> None:
        nonlocal created
        if not batch:
            return
        objs = [obj for obj, _ in batch]
        Target.objects.bulk_create(objs, batch_size=1000)
        through.objects.bulk_create(
            [through(target_id=obj.pk, specialty_id=specialty_ids[s]) for obj, specs in batch for s in specs],
            batch_size=2000,
        )
        created += len(batch)
        batch.clear()
        if ctx.size >= 100_000 and created % 100_000 < TARGET_BATCH:
            ctx.log(f"  已生成检查对象 {created} 个")

    for record in iter_targets(ctx.size, ctx.seed, ctx.today):
        owner = owners["city" if record.city_owned else county_key[record.region_code]]
        if (owner.pk, record.code) in existing:
            continue
        existing.add((owner.pk, record.code))
        target = Target(
            owner=owner, code=record.code, uscc=record.uscc, name=record.name, address=record.address,
            region_id=region_ids[record.region_code], licence_numbers=record.licence_numbers,
            legal_representative=record.legal_representative, contact_person=record.contact_person,
            contact_phone=record.contact_phone, status=record.status, risk_class=record.risk_class,
            risk_flags=list(record.risk_flags), last_inspected_on=record.last_inspected_on,
            last_result=record.last_result,
        )
        batch.append((target, record.specialties))
        if len(batch) >= TARGET_BATCH:
            flush()
    flush()
    ctx.count("检查对象", created)


def step_inspectors(ctx: DemoContext) -> None:
    """`ctx.inspectors` inspectors: licences (some expired), qualifications, 专长, ID numbers, phones."""
    owners = {key: ctx.bureaus[key] for key in _owner_keys()}
    existing = set(Inspector.objects.filter(owner__in=owners.values()).values_list("owner_id", "name"))
    through = Inspector.qualifications.through
    new: list[tuple[Inspector, tuple[str, ...]]] = []
    for record in iter_inspectors(ctx.inspectors, ctx.seed, ctx.today):
        owner = owners[record.owner_key]
        if (owner.pk, record.name) in existing:
            continue
        organization = ctx.sections[record.owner_key][0] if record.in_section else ctx.institutes[record.owner_key]
        region = ctx.regions[record.owner_key] if record.owner_key != "city" else ctx.regions["jingxiu"]
        new.append((Inspector(
            owner=owner, name=record.name, organization=organization, region=region, kind=record.kind,
            licence_no=record.licence_no, licence_valid_from=record.licence_valid_from,
            licence_valid_to=record.licence_valid_to, expertise=record.expertise, tags=list(record.tags),
            status=record.status, id_number=record.id_number, phone=record.phone,
        ), record.qualifications))
    Inspector.objects.bulk_create([i for i, _ in new], batch_size=1000)
    through.objects.bulk_create(
        [through(inspector_id=i.pk, specialty_id=ctx.specialties[q].pk) for i, quals in new for q in quals]
    )
    ctx.count("执法检查人员", len(new))


def step_conflicts(ctx: DemoContext) -> None:
    """Some 利害关系 declarations: an officer and a target of the same bureau."""
    import random

    rng = random.Random(ctx.seed + 3)  # nosec B311
    created = 0
    if ConflictDeclaration.objects.filter(owner__in=[ctx.bureaus[k] for k in _owner_keys()]).exists():
        return  # made on the first load: later steps add targets (demo/mines.py), which would move the random picks
    for key in _owner_keys():
        bureau = ctx.bureaus[key]
        officers = list(Inspector.objects.filter(owner=bureau, kind="officer").order_by("licence_no", "name"))
        targets = Target.objects.filter(owner=bureau).order_by("code")
        total = targets.count()
        if not officers or not total:
            continue
        for _ in range(max(1, len(officers) // 8)):
            inspector = officers[rng.randrange(len(officers))]
            target = targets[rng.randrange(total)]
            valid_from = ctx.today - timedelta(days=rng.randrange(30, 900))
            reason = rng.choice(CONFLICT_REASONS)
            _, was_created = ConflictDeclaration.objects.get_or_create(
                owner=bureau, inspector=inspector, target=target, valid_from=valid_from,
                defaults={"reason": reason, "valid_to": None},
            )
            created += int(was_created)
    ctx.count("回避申报", created)


# (username, real name, role, organization getter)
def _user_specs(ctx: DemoContext) -> list[tuple[str, str, str, Organization, bool]]:
    lianchi = ctx.bureaus["lianchi"]
    specs: list[tuple[str, str, str, Organization, bool]] = [
        ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, ctx.bureaus["city"], True),
        ("security", "安全管理员", Role.SECURITY_ADMIN, ctx.bureaus["city"], False),
        ("auditor", "审计管理员", Role.AUDIT_ADMIN, ctx.bureaus["city"], False),
        ("city_admin", "市双随机办管理员", Role.PROGRAM_ADMIN, ctx.bureaus["city"], False),
        ("city_supervisor", "市卫健委监督员", Role.SUPERVISOR, ctx.bureaus["city"], False),
        ("city_leader", "市卫健委领导", Role.LEADER, ctx.bureaus["city"], False),
        ("lianchi_staff", "莲池公卫股科员", Role.SECTION_STAFF, ctx.sections["lianchi"][0], False),
        ("lianchi_inspector", "莲池执法人员", Role.INSPECTOR, ctx.institutes["lianchi"], False),
        ("lianchi_leader", "莲池卫健局领导", Role.LEADER, lianchi, False),
        ("lianchi_wenlv", "莲池文广旅局管理员", Role.PROGRAM_ADMIN, ctx.departments["lianchi"]["文化和旅游"], False),
        ("lianchi_yibao", "莲池医保局管理员", Role.PROGRAM_ADMIN, ctx.departments["lianchi"]["医疗保障"], False),
        ("lianchi_scjg", "莲池市场监管局管理员", Role.PROGRAM_ADMIN, ctx.departments["lianchi"]["市场监管"], False),
    ]
    for county in COUNTIES:
        specs.insert(6, (f"{county.key}_admin", f"{county.name}双随机办管理员", Role.PROGRAM_ADMIN,
                         ctx.bureaus[county.key], False))
    return specs


def step_users(ctx: DemoContext) -> None:
    """One demo user per role (all with DEMO_PASSWORD), a 双随机办 admin per county; the 执法人员 account
    is linked to an officer of 莲池区 with a valid licence."""
    hashed = make_password(DEMO_PASSWORD)  # one hash for all demo users: loading stays fast
    existing = set(User.objects.filter(username__in=[s[0] for s in _user_specs(ctx)]).values_list("username", flat=True))
    created = 0
    for username, real_name, role, organization, superuser in _user_specs(ctx):
        if username in existing:
            continue
        User.objects.create(
            username=username, password=hashed, real_name=real_name, role=role, organization=organization,
            is_demo=True, is_staff=superuser, is_superuser=superuser,
        )
        created += 1
    ctx.count("演示账号", created)
    account = User.objects.get(username="lianchi_inspector")
    if not Inspector.objects.filter(user=account).exists():
        officer = (
            Inspector.objects.filter(
                owner=ctx.bureaus["lianchi"], kind="officer", status="on_duty", user__isnull=True,
                licence_valid_to__gte=ctx.today,
            ).order_by("licence_no").first()
        )
        if officer is not None:
            officer.user = account
            officer.save(update_fields=["user"])


# ---------------------------------------------------------------- entry points


def load_demo(
    *, size: int = 20_000, inspectors: int = 300, seed: int = 20260101, today: date | None = None,
    log: Callable[[str], None] | None = None, steps: Sequence[Callable[[DemoContext], None]] | None = None,
) -> DemoContext:
    """Create the demo data that is missing. Running it twice changes nothing; a larger `size` adds targets."""
    if steps is None:
        from shuangsuiji.demo import DEMO_STEPS

        steps = DEMO_STEPS
    ctx = DemoContext(
        size=size, inspectors=inspectors, seed=seed, today=today or timezone.localdate(),
        log=log or (lambda message: None),
    )
    for step in steps:
        with transaction.atomic():
            step(ctx)
    if ctx.created:
        with transaction.atomic():
            audit_record(actor=None, event=events.DEMO_LOAD, changes={"created": ctx.created, "seed": seed, "size": size})
    return ctx


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role label, organization) of the demo accounts, in role order."""
    order = {value: index for index, value in enumerate(Role.values)}
    users = User.objects.filter(is_demo=True).select_related("organization")
    rows = sorted(users, key=lambda u: (order.get(u.role, 99), u.username))
    return [(u.username, u.get_role_display(), u.organization.name if u.organization else "") for u in rows]
