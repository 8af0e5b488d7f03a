"""Dated risk flags of targets (大洼: 上年度投诉举报较多、受到同类处罚……应当纳入年度随机抽查范围).

``target_flag_record`` is the one write: the flag is kept in ``Target.risk_flags`` (what the 名录库 shows) and a
``TargetFlagRecord`` holds its date and source. ``effective_flags`` is what a draw on a given day counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import Perm, check_can_edit
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory.models import FlagSource, RiskFlag, Target, TargetFlagRecord

# The flag a source usually gives, for imports that name only the list (经营异常名录 / 严重违法失信名单).
SOURCE_DEFAULT_FLAG = {FlagSource.PENALTY: RiskFlag.PENALIZED, FlagSource.COMPLAINT: RiskFlag.COMPLAINTS}


def record_flag(
    *,
    actor: User | None,
    target: Target,
    flag: str,
    occurred_on: datetime.date,
    source: str,
    reference: str = "",
    note: str = "",
) -> TargetFlagRecord:
    """Within the caller's transaction (used by other services, e.g. the penalty decision)."""
    if flag not in RiskFlag.values:
        raise ApplicationError(f"未知的风险标记：{flag}（可选：{'、'.join(RiskFlag.labels)}）")
    if source not in FlagSource.values:
        raise ApplicationError(f"未知的标记来源：{source}（可选：{'、'.join(FlagSource.labels)}）")
    if occurred_on > datetime.date.today() + datetime.timedelta(days=1):
        raise ApplicationError(f"风险标记的发生日期 {occurred_on.isoformat()} 晚于今天")
    reference = reference.strip()[:200]
    found = TargetFlagRecord.objects.filter(
        target=target, flag=flag, occurred_on=occurred_on, source=source, reference=reference
    ).first()
    if found is not None:
        return found
    entry = TargetFlagRecord.objects.create(
        owner_id=target.owner_id, target=target, flag=flag, occurred_on=occurred_on, source=source,
        reference=reference, note=note.strip()[:255], recorded_by=actor,
    )
    locked = Target.objects.select_for_update(of=("self",)).get(pk=target.pk)
    changes: dict[str, object] = {
        "flag": flag, "occurred_on": occurred_on.isoformat(), "source": source, "reference": reference,
    }
    if flag not in locked.risk_flags:
        changes["risk_flags"] = (list(locked.risk_flags), [*locked.risk_flags, flag])
        locked.risk_flags = [*locked.risk_flags, flag]
        locked.save(update_fields=["risk_flags", "updated_at"])
    audit_record(actor=actor, event="target.flag_record", target=locked, changes=changes)
    return entry


@transaction.atomic
def target_flag_record(
    *,
    actor: User,
    target: Target,
    flag: str,
    occurred_on: datetime.date,
    source: str,
    reference: str = "",
    note: str = "",
) -> TargetFlagRecord:
    """登记风险标记 (with its date and source) on a target of the actor's bureau."""
    check_can_edit(actor, target.owner_id, Perm.LIBRARY_EDIT)
    if source != FlagSource.MANUAL and not reference.strip():
        raise ApplicationError("请填写来源文书或编号（如处罚决定书文号、投诉登记号、名单批次）")
    return record_flag(
        actor=actor, target=target, flag=flag, occurred_on=occurred_on, source=source, reference=reference, note=note
    )


def effective_flags(
    target_ids: Iterable[int], *, since: datetime.date, until: datetime.date
) -> tuple[dict[int, set[str]], dict[int, list[str]]]:
    """Flags that count for a draw on ``until``, per target pk, and the Chinese reasons.

    A flag with dated records counts only when one of them falls in [since, until]; a flag in
    ``Target.risk_flags`` without any dated record (entered before flags had dates) counts as current.
    """
    ids = list(target_ids)
    flags: dict[int, set[str]] = {}
    reasons: dict[int, list[str]] = {}
    dated: dict[int, set[str]] = {}
    labels = dict(RiskFlag.choices)
    for record in TargetFlagRecord.objects.filter(target_id__in=ids).order_by("target_id", "-occurred_on", "pk"):
        dated.setdefault(record.target_id, set()).add(record.flag)
        if since <= record.occurred_on <= until:
            if record.flag not in flags.setdefault(record.target_id, set()):
                reasons.setdefault(record.target_id, []).append(record.reason_text)
            flags[record.target_id].add(record.flag)
    for pk, current in Target.objects.filter(pk__in=ids).values_list("pk", "risk_flags"):
        for flag in current or []:
            if flag in dated.get(pk, set()):
                continue
            if flag not in flags.setdefault(pk, set()):
                reasons.setdefault(pk, []).append(f"{labels.get(flag, flag)}（名录库标记，未登记日期）")
            flags[pk].add(flag)
    return flags, reasons
