"""Seeds the 抽查结果 code list (DESIGN §2) with its seed-003 publication groups.

The data is copied here (not imported) so that this migration keeps producing the same rows when
result_codes.py changes later; later changes to the list come as new migrations or admin edits.
"""

from django.db import migrations

RESULT_CODES = [
    {"code": "10", "name": "未发现问题", "exclusive": True, "group": "no_problem"},
    {"code": "20", "name": "发现问题", "selectable": False, "problem": True, "group": "rectified"},
    {"code": "21", "parent": "20", "name": "发现问题已责令改正", "problem": True, "measures": ["rectify"],
     "group": "rectified"},
    {"code": "22", "parent": "20", "name": "发现问题待后续处理", "selectable": False, "problem": True,
     "group": "rectified"},
    {"code": "221", "parent": "22", "name": "立案查处", "problem": True, "measures": ["case"], "group": "rectified"},
    {"code": "222", "parent": "22", "name": "移交有管辖权的机关", "problem": True, "measures": ["transfer"],
     "group": "rectified"},
    {"code": "223", "parent": "22", "name": "移送司法机关", "problem": True, "measures": ["judicial"],
     "group": "rectified"},
    {"code": "23", "parent": "20", "name": "行政处罚", "problem": True, "measures": ["case"], "group": "penalty"},
    {"code": "30", "name": "通过登记的住所（经营场所）无法联系", "findings": False, "group": "unreachable"},
    {"code": "40", "name": "不配合检查情节严重", "findings": False, "problem": True, "requires_note": True,
     "measures": ["case"], "group": "rectified"},
    {"code": "50", "name": "未发现开展本次抽查涉及的经营活动", "findings": False, "group": "other"},
    {"code": "60", "name": "已关闭停业或正在组织清算", "findings": False, "group": "other"},
    {"code": "70", "name": "登记状态已变更", "selectable": False, "findings": False, "group": "other"},
    {"code": "71", "parent": "70", "name": "注销", "findings": False, "group": "other"},
    {"code": "72", "parent": "70", "name": "被吊销", "findings": False, "group": "other"},
    {"code": "73", "parent": "70", "name": "被撤销", "findings": False, "group": "other"},
    {"code": "74", "parent": "70", "name": "迁出", "findings": False, "group": "other"},
    {"code": "90", "name": "其他", "findings": False, "requires_note": True, "group": "other"},
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ResultCode = apps.get_model("inspections", "ResultCode")
    by_code = {}
    for order, entry in enumerate(RESULT_CODES, start=1):
        row, _ = ResultCode.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "parent": by_code.get(entry.get("parent", "")),
                "sort_order": order,
                "is_selectable": entry.get("selectable", True),
                "is_exclusive": entry.get("exclusive", False),
                "requires_findings": entry.get("findings", True),
                "requires_note": entry.get("requires_note", False),
                "is_problem": entry.get("problem", False),
                "follow_up_measures": entry.get("measures", []),
                "publication_group": entry["group"],
            },
        )
        by_code[entry["code"]] = row


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
