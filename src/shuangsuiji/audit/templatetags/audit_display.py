"""Display of an audit entry's changes: a [before, after] pair as "before → after"."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _text(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, list):
        return "、".join(_text(v) for v in value) or "（空）"
    return str(value)


@register.filter
def change_text(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2 and not any(isinstance(v, dict) for v in value):
        return f"{_text(value[0])} → {_text(value[1])}"
    return _text(value)
