from __future__ import annotations

from typing import Any

from django.http import HttpRequest

NAV_ITEMS: list[tuple[str, str]] = [
    ("首页", "/"),
    ("抽查事项清单", "/directory/items/"),
    ("检查对象名录库", "/directory/targets/"),
    ("执法检查人员名录库", "/directory/inspectors/"),
    ("导入记录", "/directory/imports/"),
    ("年度抽查计划", "/planning/plans/"),
    ("联合抽查计划", "/planning/joint/"),
    ("上级下达任务", "/planning/national/"),
    ("抽查任务", "/planning/tasks/"),
    ("双随机抽取", "/draws/"),
    ("期限督办", "/oversight/"),
    ("一企一表", "/inspections/"),
    ("后续处置台账", "/inspections/cases/"),
    ("公开平台", "/gs/"),
    ("接口文档", "/api/docs"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    items = [
        {"label": label, "url": url, "active": (url != "/" and request.path.startswith(url)) or request.path == url}
        for label, url in NAV_ITEMS
    ]
    return {"site_title": "双随机、一公开 卫生健康监督抽查平台", "nav_items": items}
