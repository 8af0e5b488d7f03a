from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"site_title": "双随机、一公开 卫生健康监督抽查平台"}
