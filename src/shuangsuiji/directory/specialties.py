"""The 专业 categories of DESIGN §3 (seeded by a data migration; editable afterwards)."""

SPECIALTIES: list[tuple[str, str]] = [
    ("public_places", "公共场所卫生"),
    ("drinking_water", "生活饮用水卫生"),
    ("water_products", "涉水产品"),
    ("disinfection_products", "消毒产品"),
    ("tableware_disinfection", "餐饮具集中消毒服务单位"),
    ("medical", "医疗机构/医疗卫生"),
    ("radiation", "放射诊疗/放射卫生"),
    ("infectious_disease", "传染病防治"),
    ("blood_safety", "血液安全"),
    ("occupational", "职业卫生"),
    ("family_planning", "计划生育"),
    ("school", "学校卫生"),
    ("childcare", "托育机构卫生"),
]
