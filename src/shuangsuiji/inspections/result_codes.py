"""The 抽查结果 code list of DESIGN §2 as seed data (the migration copies it into the ResultCode table).

National practice (provincial 双随机 platforms, 国家企业信用信息公示系统) — hierarchical and multi-select.
Each entry: code, name, parent code, and the flags the services read (they never test codes by value):
selectable, exclusive, requires_findings, requires_note, is_problem, follow_up_measures, publication_group.
Seed 003 publishes in four groups (未发现问题 / 发现问题已责令整改 / 行政处罚 / 无法联系); the group of each
code is data here, and a record's group is derived from its codes (models.PUBLICATION_PRECEDENCE).
"""

from __future__ import annotations

from typing import Any

RESULT_CODES: list[dict[str, Any]] = [
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
