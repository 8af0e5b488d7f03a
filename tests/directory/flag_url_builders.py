"""County A's flag objects for the URL access test (built once per world)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from tests.conftest import World

from shuangsuiji.directory import flag_services
from shuangsuiji.directory.models import TargetFlagRecord


def flag_list(w: World) -> Any:
    """An imported 经营异常名录 that flags county A's target (one unmatched code)."""
    store = w.__dict__.setdefault("_flag_cache", {})
    if "list" not in store:
        target = w.targets["a"]
        content = f"统一社会信用代码,企业名称\r\n{target.uscc},{target.name}\r\n".encode()
        store["list"] = flag_services.flag_list_import(
            actor=w.users["a_admin"], kind="abnormal_list", source="国家企业信用信息公示系统",
            list_date=timezone.localdate() - datetime.timedelta(days=30), content=content, file_name="名单.csv",
        )
    return store["list"]


def flag_record(w: World) -> TargetFlagRecord:
    return TargetFlagRecord.objects.get(list_import=flag_list(w))
