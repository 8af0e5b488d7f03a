"""JSON body parser refusing NUL characters: PostgreSQL text cannot hold them, so a body with "\\u0000"
was a server error on PostgreSQL (found by fuzzing); now it is a 400 with a Chinese message."""

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from shuangsuiji.common.exceptions import ApplicationError


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class SafeJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if _has_nul(data):
            raise ApplicationError("提交的数据中含有空字符（\\u0000），请删除后重试")
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        if _has_nul(result):
            raise ApplicationError("查询参数中含有空字符（%00），请删除后重试")
        return result
