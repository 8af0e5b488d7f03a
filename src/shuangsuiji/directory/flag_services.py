"""Dated risk flags of targets (大洼: 上年度投诉举报较多、受到同类处罚……应当纳入年度随机抽查范围).

``target_flag_record`` is the one write: the flag is kept in ``Target.risk_flags`` (what the 名录库 shows) and a
``TargetFlagRecord`` holds its date and source. ``effective_flags`` is what a draw on a given day counts.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import Perm, bureau_for_write, check_can_edit
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError
from shuangsuiji.directory import events
from shuangsuiji.directory.flag_lists import read_flag_list
from shuangsuiji.directory.models import (
    STATE_FLAGS,
    FlagSource,
    FlagStatus,
    RiskFlag,
    Target,
    TargetFlagRecord,
)
from shuangsuiji.directory.models_flags import FlagList, FlagListImport

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
    list_import: FlagListImport | None = None,
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
        reference=reference, note=note.strip()[:255], recorded_by=actor, list_import=list_import,
    )
    locked = Target.objects.select_for_update(of=("self",)).get(pk=target.pk)
    changes: dict[str, object] = {
        "flag": flag, "occurred_on": occurred_on.isoformat(), "source": source, "reference": reference,
    }
    if flag not in locked.risk_flags:
        changes["risk_flags"] = (list(locked.risk_flags), [*locked.risk_flags, flag])
        locked.risk_flags = [*locked.risk_flags, flag]
        locked.save(update_fields=["risk_flags", "updated_at"])
    audit_record(actor=actor, event=events.TARGET_FLAG_RECORD, target=locked, changes=changes)
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
    if target.is_retired:
        raise ApplicationError("该检查对象已移出名录，不能再登记风险标记")
    if source != FlagSource.MANUAL and not reference.strip():
        raise ApplicationError("请填写来源文书或编号（如处罚决定书文号、投诉登记号、名单批次）")
    if source == FlagSource.IMPORTED_LIST:
        raise ApplicationError("名单类标记请通过“导入经营异常/严重违法失信名单”登记，以便记录名单来源和日期")
    if TargetFlagRecord.objects.filter(
        target=target, flag=flag, occurred_on=occurred_on, source=source, reference=reference.strip()[:200]
    ).exists():
        raise ApplicationError("同一标记（同一日期、来源和文书）已登记过")
    return record_flag(
        actor=actor, target=target, flag=flag, occurred_on=occurred_on, source=source, reference=reference, note=note
    )


def _sync_risk_flags(actor: User | None, target: Target, flag: str) -> None:
    """``Target.risk_flags`` (the 名录库's current flags) keeps a flag while at least one record of it is active."""
    locked = Target.objects.select_for_update(of=("self",)).get(pk=target.pk)
    active = TargetFlagRecord.objects.filter(target=locked, flag=flag, status=FlagStatus.ACTIVE).exists()
    if active == (flag in locked.risk_flags):
        return
    new = [*locked.risk_flags, flag] if active else [f for f in locked.risk_flags if f != flag]
    audit_record(
        actor=actor, event=events.TARGET_UPDATE, target=locked, changes={"risk_flags": (list(locked.risk_flags), new)}
    )
    locked.risk_flags = new
    locked.save(update_fields=["risk_flags", "updated_at"])


def _lock_record(record: TargetFlagRecord) -> TargetFlagRecord:
    return TargetFlagRecord.objects.select_for_update(of=("self",)).select_related("target").get(pk=record.pk)


@transaction.atomic
def target_flag_end(*, actor: User, record: TargetFlagRecord, ended_on: datetime.date, reason: str) -> TargetFlagRecord:
    """解除: a list flag ends on the day the target was 移出 the list; it still counts for draws whose look-back
    window began before that day (the target was on the list then)."""
    record = _lock_record(record)
    check_can_edit(actor, record.owner_id, Perm.LIBRARY_EDIT)
    if record.status != FlagStatus.ACTIVE:
        raise ApplicationError(f"该标记当前为“{record.get_status_display()}”，不能再解除")
    if record.flag not in STATE_FLAGS:
        raise ApplicationError(
            f"“{record.get_flag_display()}”按发生日期计入抽取（上年度以来发生即必查），不能解除；如登记有误，请撤销该标记"
        )
    if not reason.strip():
        raise ApplicationError("请填写解除原因（如移出经营异常名录的决定书文号）")
    if ended_on < record.occurred_on:
        raise ApplicationError(f"解除日期 {ended_on.isoformat()} 早于列入日期 {record.occurred_on.isoformat()}")
    if ended_on > timezone.localdate():
        raise ApplicationError(f"解除日期 {ended_on.isoformat()} 晚于今天")
    record.status, record.ended_on = FlagStatus.ENDED, ended_on
    record.closed_reason, record.closed_by, record.closed_at = reason.strip()[:255], actor, timezone.now()
    record.save(update_fields=["status", "ended_on", "closed_reason", "closed_by", "closed_at", "updated_at"])
    audit_record(
        actor=actor, event=events.TARGET_FLAG_END, target=record.target,
        changes={"record": record.pk, "flag": record.flag, "ended_on": ended_on.isoformat(), "reason": reason.strip()},
    )
    _sync_risk_flags(actor, record.target, record.flag)
    return record


@transaction.atomic
def target_flag_withdraw(*, actor: User, record: TargetFlagRecord, reason: str) -> TargetFlagRecord:
    """撤销: the record was wrong (投诉经核查不属实、处罚决定被撤销、名单匹配错误); it never counts again, and stays
    in the history with the reason."""
    record = _lock_record(record)
    check_can_edit(actor, record.owner_id, Perm.LIBRARY_EDIT)
    if record.status == FlagStatus.WITHDRAWN:
        raise ApplicationError("该标记已撤销")
    if not reason.strip():
        raise ApplicationError("请填写撤销原因（如投诉经核查不属实、处罚决定已被撤销）")
    before = record.status
    record.status, record.closed_reason = FlagStatus.WITHDRAWN, reason.strip()[:255]
    record.closed_by, record.closed_at = actor, timezone.now()
    record.save(update_fields=["status", "closed_reason", "closed_by", "closed_at", "updated_at"])
    audit_record(
        actor=actor, event=events.TARGET_FLAG_WITHDRAW, target=record.target,
        changes={"record": record.pk, "flag": record.flag, "status": (before, record.status), "reason": reason.strip()},
    )
    _sync_risk_flags(actor, record.target, record.flag)
    return record


# ---------------------------------------------------------------- which flags make a target mandatory


@dataclass(frozen=True)
class MandatoryRule:
    """高风险必查 as the draw applies it for a bureau on a day (the rules live in planning; see ``register``)."""

    since: datetime.date
    flags: tuple[str, ...]
    source: str

    @property
    def flag_labels(self) -> list[str]:
        labels = dict(RiskFlag.choices)
        return [labels.get(f, f) for f in self.flags]


def _default_rule(organization: Organization, day: datetime.date) -> MandatoryRule:
    return MandatoryRule(datetime.date(day.year - 1, 1, 1), tuple(RiskFlag.values), "系统默认")


_rule_provider: list[Callable[[Organization, datetime.date], MandatoryRule]] = [_default_rule]


def register_mandatory_rule(provider: Callable[[Organization, datetime.date], MandatoryRule]) -> None:
    """planning fills this in (AppConfig.ready) with the bureau's 抽取规则: directory does not import planning."""
    _rule_provider[0] = provider


def mandatory_rule(organization: Organization, day: datetime.date) -> MandatoryRule:
    return _rule_provider[0](organization, day)


@dataclass
class FlagSummary:
    rule: MandatoryRule
    day: datetime.date
    records: list[TargetFlagRecord]
    counting: set[int] = field(default_factory=set)  # pks of the records that count on ``day``
    mandatory_reasons: list[str] = field(default_factory=list)  # of the flags the rule makes mandatory


def target_flag_summary(target: Target, *, day: datetime.date | None = None) -> FlagSummary:
    """The target's flag history, which records count for a draw today, and whether they make it 必查."""
    day = day or timezone.localdate()
    rule = mandatory_rule(target.owner, day)
    records = list(
        target.flag_records.select_related("recorded_by", "closed_by", "list_import").order_by("-occurred_on", "-pk")
    )
    summary = FlagSummary(rule=rule, day=day, records=records)
    summary.counting = {r.pk for r in records if counts_in_window(r, since=rule.since, until=day)}
    flags, reasons = effective_flags([target.pk], since=rule.since, until=day)
    labels = dict(RiskFlag.choices)
    wanted = {labels.get(f, f) for f in (flags.get(target.pk, set()) & set(rule.flags))}
    summary.mandatory_reasons = [r for r in reasons.get(target.pk, []) if any(r.startswith(w) for w in wanted)]
    return summary


def effective_flags(
    target_ids: Iterable[int], *, since: datetime.date, until: datetime.date
) -> tuple[dict[int, set[str]], dict[int, list[str]]]:
    """Flags that count for a draw on ``until``, per target pk, and the Chinese reasons.

    - an event flag (投诉举报, 行政处罚, 突发事件, 抽检不合格) counts when it occurred in [since, until];
    - a list flag (经营异常名录, 严重违法失信名单) counts when the target was on the list at any time of the window:
      listed on or before ``until`` and not 移出 before ``since``;
    - a withdrawn (撤销) record never counts;
    - a flag in ``Target.risk_flags`` without any dated record (entered before flags had dates) counts as current.
    """
    ids = list(target_ids)
    flags: dict[int, set[str]] = {}
    reasons: dict[int, list[str]] = {}
    dated: dict[int, set[str]] = {}
    labels = dict(RiskFlag.choices)
    records = TargetFlagRecord.objects.filter(target_id__in=ids).order_by("target_id", "-occurred_on", "pk")
    for record in records:
        dated.setdefault(record.target_id, set()).add(record.flag)
        if not counts_in_window(record, since=since, until=until):
            continue
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


def counts_in_window(record: TargetFlagRecord, *, since: datetime.date, until: datetime.date) -> bool:
    """Whether one record makes its flag count for a draw on ``until`` with the look-back from ``since``."""
    if record.status == FlagStatus.WITHDRAWN or record.occurred_on > until:
        return False
    if record.flag in STATE_FLAGS:
        return record.ended_on is None or record.ended_on > since
    return record.occurred_on >= since


# ---------------------------------------------------------------- imported 经营异常名录 / 严重违法失信名单


@transaction.atomic
def flag_list_import(
    *,
    actor: User,
    kind: str,
    source: str,
    list_date: datetime.date,
    content: bytes,
    file_name: str,
    batch: str = "",
    note: str = "",
) -> FlagListImport:
    """Import a list, all rows or none: each row's 统一社会信用代码 is matched to the targets of the actor's bureau,
    each match gets a dated flag pointing to the list (its source and date). Codes not in the 名录库 are kept
    on the import (reported, not an error). A row with 移出日期 ends the target's active listings of this kind.

    Bad rows raise ApplicationError with extra={"errors": [{row, column, message}]}; nothing is saved.
    """
    bureau = bureau_for_write(actor, Perm.LIBRARY_EDIT)
    today = timezone.localdate()
    problems: list[str] = []
    if kind not in FlagList.values:
        problems.append(f"名单类型『{kind}』无效（可选：{'、'.join(FlagList.labels)}）")
    if not source.strip():
        problems.append("请填写名单来源（如：国家企业信用信息公示系统、某市场监督管理局）")
    if list_date > today:
        problems.append(f"名单日期 {list_date.isoformat()} 晚于今天")
    if problems:
        raise ApplicationError("；".join(problems))
    digest = hashlib.sha256(content).hexdigest()
    rows, errors = read_flag_list(content, file_name=file_name, list_date=list_date, today=today)
    if errors:
        first = errors[0]
        raise ApplicationError(
            f"导入失败：名单中有{len(errors)}处错误，未导入任何标记（第{first['row']}行“{first['column']}”：{first['message']}）",
            extra={"errors": errors},
        )
    if FlagListImport.objects.filter(owner=bureau, kind=kind, file_sha256=digest).exists():
        raise ApplicationError("同一份名单文件已导入过（文件内容相同），未重复导入")
    imported = FlagListImport.objects.create(
        owner=bureau, kind=kind, source=source.strip()[:200], list_date=list_date, batch=batch.strip()[:100],
        file_name=file_name[:255], file_sha256=digest, total_rows=len(rows), note=note.strip()[:255],
        created_by=actor,
    )
    targets: dict[str, list[Target]] = {}
    codes = sorted({r.uscc for r in rows})
    for start in range(0, len(codes), 500):  # a list of 50,000 codes: SQLite limits the variables of one query
        chunk = codes[start : start + 500]
        for target in Target.objects.filter(owner=bureau, is_retired=False, uscc__in=chunk).order_by("pk"):
            targets.setdefault(target.uscc, []).append(target)
    unmatched: list[dict[str, Any]] = []
    matched: set[int] = set()
    created = existing = ended = 0
    for row in rows:
        found = targets.get(row.uscc, [])
        if not found:
            unmatched.append({"row": row.row, "uscc": row.uscc, "name": row.name})
            continue
        detail = "；".join(x for x in (row.reason, f"作出决定机关：{row.authority}" if row.authority else "") if x)
        for target in found:
            matched.add(target.pk)
            known = TargetFlagRecord.objects.filter(target=target, flag=kind, occurred_on=row.listed_on).exclude(
                status=FlagStatus.WITHDRAWN
            )
            if row.removed_on is not None and known.exists():
                existing += 1  # a removal list: the listing is already recorded, only its end is new
            else:
                record = record_flag(
                    actor=actor, target=target, flag=kind, occurred_on=row.listed_on,
                    source=FlagSource.IMPORTED_LIST, reference=imported.reference, note=detail, list_import=imported,
                )
                if record.list_import_id == imported.pk:
                    created += 1
                else:
                    existing += 1
            if row.removed_on is not None:
                ended += _end_listings(actor, target, kind, row.removed_on, row.removal_reason or "名单登记移出", imported)
    imported.matched_count, imported.created_count = len(matched), created
    imported.existing_count, imported.ended_count, imported.unmatched = existing, ended, unmatched
    imported.save(update_fields=["matched_count", "created_count", "existing_count", "ended_count", "unmatched",
                                 "updated_at"])
    audit_record(
        actor=actor, event=events.FLAG_LIST_IMPORT, target=imported, organization=bureau,
        changes={"kind": kind, "source": imported.source, "list_date": list_date.isoformat(), "batch": imported.batch,
                 "file": file_name, "sha256": digest, "rows": len(rows), "matched": len(matched), "created": created,
                 "existing": existing, "ended": ended, "unmatched": len(unmatched)},
    )
    return imported


def _end_listings(
    actor: User, target: Target, kind: str, removed_on: datetime.date, reason: str, imported: FlagListImport
) -> int:
    """移出: every active listing of this kind that began on or before the removal day ends on it."""
    count = 0
    active = TargetFlagRecord.objects.filter(target=target, flag=kind, status=FlagStatus.ACTIVE, occurred_on__lte=removed_on)
    for record in active.order_by("pk"):
        target_flag_end(actor=actor, record=record, ended_on=removed_on, reason=f"{reason}（{imported.reference}）"[:255])
        count += 1
    return count


def flag_list_unmatched_csv(imported: FlagListImport) -> bytes:
    """The codes of a list not found in the 名录库 (to check whether they should be registered)."""
    lines = ["行号,统一社会信用代码,企业名称"]
    lines += [f"{u['row']},{u['uscc']},{str(u.get('name', '')).replace(',', '，')}" for u in imported.unmatched]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
