"""Shared checks of the planning services: ratios, months, model validation, codes."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from shuangsuiji.accounts.models import Region
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import Specialty
from shuangsuiji.planning.models import (
    RISK_CLASSES,
)

# ---------------------------------------------------------------- shared checks


def normalise_ratios(raw: dict[str, Any] | None, *, required: bool = True) -> dict[str, float]:
    """{"A": "1", "B": 2, …} → {"A": 1.0, …}; every class A–D between 0 and 100."""
    raw = raw or {}
    unknown = set(raw) - set(RISK_CLASSES)
    if unknown:
        raise ApplicationError(f"未知的风险类别：{'、'.join(sorted(unknown))}（应为A、B、C、D）")
    ratios: dict[str, float] = {}
    for risk in RISK_CLASSES:
        value = raw.get(risk)
        if value is None or value == "":
            if required:
                raise ApplicationError(f"请填写{risk}类对象的抽查比例")
            continue
        try:
            number = Decimal(str(value).strip().rstrip("%"))
        except InvalidOperation:
            raise ApplicationError(f"{risk}类抽查比例“{value}”不是数字") from None
        if not (0 <= number <= 100):
            raise ApplicationError(f"{risk}类抽查比例应在0到100之间")
        ratios[risk] = float(round(number, 2))
    return ratios


def normalise_months(raw: Iterable[Any]) -> list[int]:
    months: set[int] = set()
    for value in raw:
        try:
            month = int(value)
        except (TypeError, ValueError):
            raise ApplicationError(f"实施月份“{value}”无效") from None
        if not 1 <= month <= 12:
            raise ApplicationError(f"实施月份“{value}”应在1到12之间")
        months.add(month)
    return sorted(months)


def full_clean(obj: Any) -> None:
    """Model validation with the errors in Chinese as an ApplicationError (never a 500)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        labels = {f.name: str(f.verbose_name) for f in obj._meta.fields}
        parts = [
            f"{labels.get(name, '')}：{'；'.join(messages)}" if name in labels else "；".join(messages)
            for name, messages in exc.message_dict.items()
        ]
        raise ApplicationError("，".join(parts)) from None




def specialties_by_code(codes: Iterable[str]) -> list[Specialty]:
    codes = list(codes)
    found = list(Specialty.objects.filter(code__in=codes))
    missing = set(codes) - {s.code for s in found}
    if missing:
        raise ApplicationError(f"未知的专业代码：{'、'.join(sorted(missing))}")
    return found


def regions_by_code(codes: Iterable[str]) -> list[Region]:
    codes = list(codes)
    found = list(Region.objects.filter(code__in=codes))
    missing = set(codes) - {r.code for r in found}
    if missing:
        raise ApplicationError(f"未知的行政区划代码：{'、'.join(sorted(missing))}")
    return found
