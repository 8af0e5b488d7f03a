"""Deterministic generator of demo targets and inspectors (plain Python, no Django).

Target number i is always the same for a given seed, whatever the size: 20,000 targets are the first
20,000 of the 1,000,000-target benchmark set. Codes are unique by construction (an affine bijection of i).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from shuangsuiji.core.idcard import complete_id_number
from shuangsuiji.core.uscc import ALPHABET, complete_uscc
from shuangsuiji.demo.data import (
    BRANDS,
    COUNTIES,
    EXPERTISE,
    GIVEN,
    RESULTS,
    SURNAMES,
    TAGS,
    VILLAGE_PARTS,
    County,
)


@dataclass(frozen=True)
class Profile:
    key: str
    weight: float
    specialties: tuple[str, ...]
    optional: tuple[tuple[str, float], ...]  # extra 专业 with their probability
    suffixes: tuple[str, ...]
    uscc_types: tuple[str, ...]  # 登记管理部门码 + 机构类别码
    licence: str  # licence pattern key
    style: str  # how the name is built
    risk_shift: float = 0.0  # > 0 makes C/D more likely
    legacy_share: float = 0.0  # share of units without a USCC (kept by licence number)
    city_owned: bool = False


PROFILES: tuple[Profile, ...] = (
    Profile("hotel", 9, ("public_places",), (), ("宾馆", "酒店", "快捷酒店", "旅馆", "商务酒店", "招待所"), ("91", "92"),
            "public", "brand"),
    Profile("bath", 5, ("public_places",), (("drinking_water", 0.05),), ("洗浴中心", "浴池", "足浴店", "养生馆"),
            ("92", "91"), "public", "brand", 0.2),
    Profile("beauty", 12, ("public_places",), (), ("美发店", "理发店", "美容院", "美容美发店", "形象设计工作室"), ("92",),
            "public", "brand"),
    Profile("swimming", 1, ("public_places",), (("drinking_water", 0.3),), ("游泳馆", "游泳健身中心"), ("91",),
            "public", "brand", 0.2),
    Profile("entertainment", 2, ("public_places",), (), ("KTV", "歌舞厅", "网吧", "电影城"), ("91", "92"), "public",
            "brand"),
    Profile("mall", 2, ("public_places",), (), ("购物广场", "商场", "超市"), ("91",), "public", "brand"),
    Profile("clinic", 13, ("medical", "infectious_disease"), (("radiation", 0.05),), ("诊所", "中医诊所", "口腔诊所", "门诊部"),
            ("52", "92"), "medical", "person", 0.1),
    Profile("village_clinic", 6, ("medical", "infectious_disease"), (), ("卫生室",), ("52",), "medical", "village",
            legacy_share=0.2),
    Profile("health_center", 1.5, ("medical", "infectious_disease", "family_planning"), (("radiation", 0.6),),
            ("卫生院", "社区卫生服务中心"), ("12",), "medical", "town"),
    Profile("hospital", 1.2, ("medical", "infectious_disease", "radiation"), (("blood_safety", 0.7), ("family_planning", 0.5)),
            ("医院", "中医医院", "骨科医院", "妇产医院", "眼科医院"), ("12", "52"), "medical", "brand", 0.4),
    Profile("water_supply", 1.5, ("drinking_water",), (), ("自来水有限公司", "供水站", "水务有限公司"), ("91", "12"), "water",
            "company", 0.2),
    Profile("secondary_water", 3, ("drinking_water",), (), ("物业服务有限公司（二次供水）", "小区二次供水"), ("91",), "water",
            "company"),
    Profile("water_products", 1.5, ("water_products",), (), ("净水设备有限公司", "水处理材料有限公司", "管材有限公司"), ("91",),
            "water_product", "company"),
    Profile("disinfection", 2, ("disinfection_products",), (), ("消毒用品有限公司", "卫生用品有限公司", "生物科技有限公司"),
            ("91",), "disinfection", "company", 0.1),
    Profile("tableware", 0.4, ("tableware_disinfection",), (), ("餐具消毒有限公司", "餐饮具清洗消毒中心"), ("91", "92"), "none",
            "company", 0.5),
    Profile("factory", 10, ("occupational",), (("radiation", 0.02),), ("机械制造有限公司", "化工有限公司", "建材有限公司",
            "纺织有限公司", "汽车配件有限公司", "铸造有限公司", "家具有限公司", "包装制品有限公司"), ("91",), "none", "company", 0.2),
    Profile("occupational_service", 0.2, ("occupational",), (), ("职业卫生技术服务有限公司", "检测技术有限公司"), ("91",),
            "none", "company"),
    Profile("school", 5, ("school",), (("drinking_water", 0.25), ("infectious_disease", 0.3)), ("小学", "中学", "实验学校",
            "职业技术学校"), ("12", "52"), "none", "school"),
    Profile("kindergarten", 3, ("childcare",), (("school", 0.3),), ("幼儿园", "双语幼儿园"), ("52", "12"), "none", "brand"),
    Profile("childcare", 2, ("childcare",), (), ("托育中心", "托育园", "婴幼儿照护服务中心"), ("52", "91"), "none", "brand"),
    Profile("blood", 0.03, ("blood_safety",), (("infectious_disease", 1.0),), ("中心血站", "单采血浆站"), ("12",), "blood",
            "city", city_owned=True),
    Profile("family_planning", 0.5, ("family_planning", "medical"), (), ("妇幼保健院", "计划生育服务站"), ("12",), "medical",
            "city"),
    Profile("checkup", 0.8, ("radiation", "medical"), (), ("健康体检中心", "医学影像诊断中心"), ("91", "52"), "radiation",
            "brand", 0.2),
)  # fmt: skip
PROFILE_WEIGHTS = [p.weight for p in PROFILES]
COUNTY_WEIGHTS = [c.weight for c in COUNTIES]
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "187", "188", "130",
                   "131", "132", "155", "156", "185", "186", "133", "153", "180", "189", "177", "199")  # fmt: skip
FLAGS = ("complaints", "penalized", "incident", "sampling_failed", "abnormal_list", "blacklist")
ORG_CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MA_SPACE = 31**6
_DIGIT_SPACE = 10**7


@dataclass(frozen=True)
class TargetRecord:
    index: int
    code: str
    uscc: str
    name: str
    address: str
    region_code: str
    county_name: str
    specialties: tuple[str, ...]
    licence_numbers: str
    legal_representative: str
    contact_person: str
    contact_phone: str
    status: str
    risk_class: str
    risk_flags: tuple[str, ...]
    last_inspected_on: date | None
    last_result: str
    city_owned: bool


# GB/T 2260 province codes → the abbreviation that starts a 执法证号
PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑", "31": "沪", "32": "苏",
    "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂",
    "46": "琼", "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁",
    "65": "新",
}


def _gb11714_check(body8: str) -> str:
    """Check character of the 9-character organization code (GB 11714)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(ORG_CODE_CHARS.index(c) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _base31(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 31)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars))


def make_uscc(index: int, kind: str, region_code: str, salt: int) -> str:
    """A valid, unique USCC: new-style "MA…" codes for enterprises, digit codes for public institutions."""
    if kind.startswith("9"):
        body8 = "MA" + _base31((index * 387_420_489 + salt) % _MA_SPACE, 6)
    else:
        body8 = str(4 + (kind[0] == "5")) + f"{(index * 7_919_393 + salt) % _DIGIT_SPACE:07d}"
    return complete_uscc(kind + region_code + body8 + _gb11714_check(body8))


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _brand(rng: random.Random) -> str:
    return rng.choice(BRANDS) + rng.choice(BRANDS)


def _village(rng: random.Random) -> str:
    return rng.choice(VILLAGE_PARTS) + rng.choice(VILLAGE_PARTS) + rng.choice(("村", "庄", "屯", "营"))


def _licence(kind: str, index: int, county: County, rng: random.Random) -> str:
    year = rng.randrange(2015, 2026)
    if kind == "public":
        return f"冀卫公证字〔{year}〕第{county.code}-{index:07d}号"
    if kind == "medical":
        return f"PDY{rng.randrange(10**7, 10**8)}{county.code}{index:07d}"
    if kind == "water":
        return f"冀卫水证字〔{year}〕第{county.code}-{index:07d}号"
    if kind == "water_product":
        return f"冀卫水字〔{year}〕第{index:07d}号"
    if kind == "disinfection":
        return f"冀卫消证字〔{year}〕第{index:07d}号"
    if kind == "radiation":
        return f"冀卫放证字〔{year}〕第{county.code}-{index:07d}号"
    if kind == "blood":
        return f"冀卫血证字〔{year}〕第{index:07d}号"
    return ""


def _name(profile: Profile, county: County, rng: random.Random) -> tuple[str, str]:
    """(name, address)."""
    suffix = rng.choice(profile.suffixes)
    street = rng.choice(county.streets)
    address = f"保定市{county.name}{street}{rng.randrange(1, 400)}号"
    if profile.style == "brand":
        prefix = "保定市" + county.name if rng.random() < 0.5 else county.name
        return f"{prefix}{_brand(rng)}{suffix}", address
    if profile.style == "person":
        return f"{county.name}{person_name(rng)}{suffix}", address
    if profile.style == "village":
        town = rng.choice(county.towns)
        village = _village(rng)
        return f"{county.name}{town}{village}{suffix}", f"保定市{county.name}{town}{village}"
    if profile.style == "town":
        town = rng.choice(county.towns)
        return f"{county.name}{town}{suffix}", f"保定市{county.name}{town}{rng.choice(('中心街', '政府街', '北街'))}"
    if profile.style == "company":
        return f"保定{_brand(rng)}{suffix}", address
    if profile.style == "school":
        if rng.random() < 0.4:
            return f"保定市{county.name}第{rng.randrange(1, 30)}{suffix}", address
        return f"{county.name}{rng.choice(county.towns)}{_village(rng)}{suffix}", address
    return f"保定市{county.name}{suffix}", address  # "city": one per county at most, in reality


def _risk(profile: Profile, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    x = rng.random() - profile.risk_shift * 0.3
    risk = "A" if x > 0.70 else "B" if x > 0.15 else "C" if x > 0.015 else "D"
    flag_chance = {"A": 0.005, "B": 0.02, "C": 0.35, "D": 0.8}[risk]
    flags: tuple[str, ...] = ()
    if rng.random() < flag_chance:
        picked = {rng.choice(FLAGS) for _ in range(1 + (rng.random() < 0.3))}
        flags = tuple(f for f in FLAGS if f in picked)
    return risk, flags


def target_record(index: int, rng: random.Random, today: date, counties: Sequence[County] | None = None) -> TargetRecord:
    """Target `index`, drawing from `rng` (which must be at the same state for the same index)."""
    profile = rng.choices(PROFILES, PROFILE_WEIGHTS)[0]
    if counties is None:
        county = rng.choices(COUNTIES, COUNTY_WEIGHTS)[0]
    else:
        county = counties[rng.randrange(len(counties))]
    specialties = list(profile.specialties)
    for extra, probability in profile.optional:
        if rng.random() < probability and extra not in specialties:
            specialties.append(extra)
    name, address = _name(profile, county, rng)
    licence = _licence(profile.licence, index, county, rng)
    legacy = profile.legacy_share > 0 and rng.random() < profile.legacy_share and bool(licence)
    uscc = "" if legacy else make_uscc(index, rng.choice(profile.uscc_types), county.code, 123_456_789)
    legal = person_name(rng)
    contact = legal if rng.random() < 0.6 else person_name(rng)
    status_x = rng.random()
    status = "operating" if status_x < 0.93 else "suspended" if status_x < 0.97 else "cancelled"
    risk, flags = _risk(profile, rng)
    last: date | None = None
    result = ""
    if rng.random() < 0.55:
        last = today - timedelta(days=rng.randrange(30, 3 * 365))
        result = rng.choice(RESULTS)
    return TargetRecord(
        index=index, code=uscc or f"L:{licence}", uscc=uscc, name=name, address=address, region_code=county.code,
        county_name=county.name, specialties=tuple(specialties), licence_numbers=licence, legal_representative=legal,
        contact_person=contact, contact_phone=mobile(rng), status=status, risk_class=risk, risk_flags=flags,
        last_inspected_on=last, last_result=result, city_owned=profile.city_owned,
    )


def iter_targets(
    size: int, seed: int, today: date, counties: Sequence[County] | None = None
) -> Iterator[TargetRecord]:
    rng = random.Random(seed)  # nosec B311
    for index in range(size):
        yield target_record(index, rng, today, counties)


# ---------------------------------------------------------------- inspectors


@dataclass(frozen=True)
class InspectorRecord:
    index: int
    owner_key: str  # county key or "city"
    name: str
    kind: str
    licence_no: str
    licence_valid_from: date | None
    licence_valid_to: date | None
    qualifications: tuple[str, ...]
    expertise: str
    tags: tuple[str, ...]
    status: str
    id_number: str
    phone: str
    in_section: bool


SPECIALTY_WEIGHTS = {
    "public_places": 10, "drinking_water": 6, "water_products": 2, "disinfection_products": 3,
    "tableware_disinfection": 1.5, "medical": 10, "radiation": 4, "infectious_disease": 7, "blood_safety": 1.5,
    "occupational": 5, "family_planning": 2, "school": 4, "childcare": 3,
}


def iter_inspectors(count: int, seed: int, today: date) -> Iterator[InspectorRecord]:
    """`count` inspectors over the city and its counties (city ~13 %), names unique within the set."""
    rng = random.Random(seed + 2)  # nosec B311
    owners = ["city", *[c.key for c in COUNTIES]]
    owner_weights = [0.13, *[0.87 * c.weight for c in COUNTIES]]
    region_codes = {"city": "130600", **{c.key: c.code for c in COUNTIES}}
    used: set[str] = set()
    sequence: dict[str, int] = {}
    codes = list(SPECIALTY_WEIGHTS)
    weights = list(SPECIALTY_WEIGHTS.values())
    for index in range(count):
        owner = owners[0] if index == 0 else rng.choices(owners, owner_weights)[0]
        name = person_name(rng)
        while name in used:
            name = person_name(rng)
        used.add(name)
        x = rng.random()
        kind = "officer" if x < 0.85 else "assistant" if x < 0.93 else "expert"
        licence_no = ""
        valid_from: date | None = None
        valid_to: date | None = None
        if kind == "officer":
            sequence[owner] = sequence.get(owner, 0) + 1
            issued = today - timedelta(days=rng.randrange(200, 2000))
            # as printed on 执法证: the province abbreviation, then 区划码 + year + number (冀13060625001)
            code = region_codes[owner]
            licence_no = f"{PROVINCE_ABBREVIATIONS.get(code[:2], '')}{code}{issued.year % 100:02d}{sequence[owner]:03d}"
            valid_from = issued
            valid_to = issued + timedelta(days=6 * 365 - 1) if rng.random() < 0.92 else today - timedelta(
                days=rng.randrange(1, 400)
            )
            if valid_to < valid_from:
                valid_to = valid_from + timedelta(days=30)
        quals = sorted({rng.choices(codes, weights)[0] for _ in range(rng.randrange(1, 5))}, key=codes.index)
        tags = tuple(sorted({rng.choice(TAGS) for _ in range(rng.randrange(0, 3))}, key=TAGS.index))
        born = date(rng.randrange(1965, 1999), rng.randrange(1, 13), rng.randrange(1, 29))
        region = region_codes[owner] if owner != "city" else "130602"
        male = rng.random() < 0.55
        sequence_digit = rng.randrange(0, 5) * 2 + (1 if male else 0)
        body = f"{region}{born:%Y%m%d}{rng.randrange(10, 100)}{sequence_digit}"
        status_x = rng.random()
        status = "on_duty" if status_x < 0.9 else "on_leave" if status_x < 0.96 else "transferred"
        yield InspectorRecord(
            index=index, owner_key=owner, name=name, kind=kind, licence_no=licence_no, licence_valid_from=valid_from,
            licence_valid_to=valid_to, qualifications=tuple(quals), expertise="、".join(EXPERTISE[q] for q in quals[:2]),
            tags=tags, status=status if index else "on_duty", id_number=complete_id_number(body), phone=mobile(rng),
            in_section=rng.random() < 0.15,
        )
