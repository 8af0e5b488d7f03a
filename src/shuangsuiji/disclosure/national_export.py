"""File exports for the national systems (大洼 细则 八: "将涉企抽查检查结果及时归集至国家企业信用信息公示系统、
全国信用信息共享平台和国家'互联网+监管'系统"), written as files: nothing is sent over a network.

Three layouts, each with a JSON Schema in ``national_schemas/`` (field lists, sources and assumptions:
docs/national-export.md):

- ``gsxt_ccjc``  公示系统 抽查检查结果信息 — one row per published (public) result;
- ``gsxt_xzcf``  行政处罚信息 — one row per published (public) 行政处罚 decision;
- ``hlwjg_sjjc`` 互联网+监管 双随机 检查行为 — one row per inspected item of a published record.

``national_export_build`` validates every row against the layout's schema; rows that do not meet it (e.g. a
legacy unit without 统一社会信用代码, which the national systems cannot file under an enterprise) are left out
and listed with row, field and reason in ``未导出记录.csv``. The ZIP holds the data CSV, that list and a
``manifest.json`` with row counts and the SHA-256 of each file. Each export writes one audit entry.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.scope import Perm, check_can_edit, readable_owner_ids, user_bureau
from shuangsuiji.audit.services import audit_record
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.core.uscc import UsccError, validate_uscc
from shuangsuiji.disclosure import events
from shuangsuiji.disclosure.models import PublishedPenalty, PublishedResult, ResultGroup
from shuangsuiji.disclosure.models_national import NationalExportProfile
from shuangsuiji.disclosure.selectors_results import CASE_KEY, RECORD_KEY
from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord
from shuangsuiji.planning.models import NonRandomSource, Task, TaskKind

SCHEMA_DIR = Path(__file__).resolve().parent / "national_schemas"
SCHEMA_VERSION = "v1"

# The national 抽查结果 code list (公示系统 / 双随机 platforms; DESIGN §2), as in the schemas' JCJG pattern.
NATIONAL_RESULTS = (
    "未发现问题", "未按规定公示应当公示的信息", "公示信息隐瞒真实情况、弄虚作假", "通过登记的住所（经营场所）无法联系",
    "不配合检查情节严重", "未发现开展本次抽查涉及的经营活动", "发现问题已责令改正", "发现问题待后续处理",
    "已关闭停业或正在组织清算", "注销", "被吊销", "被撤销", "迁出", "行政处罚", "其他",
)
# Our result names that the national code list calls differently (the national list has no sub-codes of
# 发现问题待后续处理); anything else not on the list becomes 其他.
NATIONAL_RESULT_ALIASES = {
    "立案查处": "发现问题待后续处理", "移交有管辖权的机关": "发现问题待后续处理", "移送司法机关": "发现问题待后续处理",
}
# 行政处罚法 (2021) 第九条 kinds, in the order of the law; found by their words in the decision's content.
PENALTY_KINDS = (
    ("警告", ("警告",)), ("通报批评", ("通报批评",)), ("罚款", ("罚款",)), ("没收违法所得", ("没收违法所得",)),
    ("没收非法财物", ("没收非法财物",)), ("暂扣许可证件", ("暂扣",)), ("降低资质等级", ("降低资质等级",)),
    ("吊销许可证件", ("吊销",)), ("限制开展生产经营活动", ("限制开展生产经营活动",)),
    ("责令停产停业", ("责令停产停业", "停业整顿")), ("责令关闭", ("责令关闭",)), ("限制从业", ("限制从业",)),
    ("行政拘留", ("行政拘留",)),
)
METHOD_LABELS = {
    "on_site": "现场检查", "documents": "书面检查", "online": "网络检查", "entrusted": "委托专业机构", "testing": "检验检测",
}
FINDING_LABELS = {"pass": "合格", "fail": "不合格", "na": "不适用"}  # nosec B105 - result labels, not a password
# 行政处罚 stays on record "长期" unless the credit-repair rules shorten its publication: the standard asks for a
# date, 2099-12-31 is what the provincial platforms use for "长期有效" (assumption, see docs).
LONG_TERM = "2099-12-31"


@dataclass(frozen=True)
class Layout:
    key: str
    title: str
    system: str
    rows: Callable[[NationalExportContext], Iterator[tuple[str, dict[str, str]]]]

    @property
    def schema(self) -> dict[str, Any]:
        return load_schema(self.key)

    @property
    def columns(self) -> list[str]:
        return list(self.schema["properties"])

    @property
    def column_titles(self) -> list[str]:
        return [prop["title"] for prop in self.schema["properties"].values()]


@dataclass
class NationalExportContext:
    actor: User
    owner_ids: list[int] | None
    date_from: datetime.date | None
    date_to: datetime.date | None
    profiles: dict[int, NationalExportProfile] = field(default_factory=dict)

    def agency_uscc(self, owner_id: int) -> str:
        profile = self.profiles.get(owner_id)
        return profile.agency_uscc if profile else ""


@cache
def load_schema(key: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{key}.schema.json").read_text(encoding="utf-8"))


@cache
def _validator(key: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(load_schema(key))


def row_errors(layout_key: str, row: dict[str, str]) -> list[tuple[str, str]]:
    """(field title, Chinese reason) for every way ``row`` breaks the layout's schema."""
    schema = load_schema(layout_key)
    props = schema["properties"]
    # an empty optional value is left out of the document (the national files write it as an empty cell)
    document = {k: v for k, v in row.items() if v != "" or k in schema["required"]}
    errors: list[tuple[str, str]] = []
    for error in _validator(layout_key).iter_errors(document):
        path = list(error.instance_path)
        name = str(path[0]) if path else ""
        kind = error.kind.__class__.__name__
        if not name and kind == "Required":
            name = str(getattr(error.kind, "property", ""))
        title = props.get(name, {}).get("title", name)
        value = row.get(name, "")
        if value == "" and name in schema["required"]:
            reason = "必填项为空"
        elif kind == "Pattern":
            reason = f"“{value[:40]}”不符合规定格式"
        elif kind == "MaxLength":
            reason = f"超过{props[name].get('maxLength')}个字符"
        elif kind == "Enum":
            reason = f"“{value}”不在规定的取值范围内（{'、'.join(props[name]['enum'])}）"
        else:
            reason = f"不符合要求（{error.message}）"
        errors.append((title, reason))
    return errors


# ---------------------------------------------------------------- mapping helpers


def national_results(label: str) -> str:
    """Our result names (one or several, "；") → the national 抽查结果 code list, in order, without repeats."""
    names: list[str] = []
    for name in (part.strip() for part in label.split("；")):
        if not name:
            continue
        mapped = NATIONAL_RESULT_ALIASES.get(name, name if name in NATIONAL_RESULTS else "其他")
        if mapped not in names:
            names.append(mapped)
    return "；".join(names)


def result_text(result: PublishedResult) -> str:
    """检查结果 of a published result; a result whose 行政处罚 was published later says so too."""
    label = result.result_label
    if result.result_group == ResultGroup.PENALTY:
        label = f"{label}；行政处罚"
    return national_results(label)


def penalty_kinds(content: str) -> str:
    kinds = [kind for kind, words in PENALTY_KINDS if any(word in content for word in words)]
    return "；".join(kinds) or "其他行政处罚"


def fine_in_10k(amount: Decimal | None) -> str:
    """罚款金额 in 万元 with six decimals (the standard's unit); empty when none was recorded."""
    if amount is None:
        return ""
    return f"{(Decimal(amount) / Decimal(10000)).quantize(Decimal('0.000001'))}"


def _date(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _subject_kind(uscc: str) -> str:
    # 个体工商户 have USCCs starting with 92 (GB 32100: 登记管理部门 9 工商, 机构类别 2 个体工商户)
    return "个体工商户" if uscc.startswith("92") else "法人及非法人组织"


# ---------------------------------------------------------------- row sources


def _results(ctx: NationalExportContext) -> QuerySet[PublishedResult]:
    qs = PublishedResult.objects.filter(is_public=True).select_related("task__nonrandom_basis", "owner")
    if ctx.owner_ids is not None:
        qs = qs.filter(owner_id__in=ctx.owner_ids)
    if ctx.date_from:
        qs = qs.filter(published_at__date__gte=ctx.date_from)
    if ctx.date_to:
        qs = qs.filter(published_at__date__lte=ctx.date_to)
    return qs.order_by("published_at", "pk")


RANDOM_KIND = "双随机抽查"


def _nonrandom_source(task: Task | None) -> str | None:
    """The source of a non-random task (``Task.kind``, issue 20 item 2); ``None`` for a 双随机 task."""
    if task is None or task.kind != TaskKind.NONRANDOM:
        return None
    try:
        return task.nonrandom_basis.source
    except ObjectDoesNotExist:
        return ""


def _task_kind(result: PublishedResult) -> str:
    """检查类型 (JCLX) of the 公示系统: 双随机抽查 for a drawn task; of a non-random one 专项检查 for its 专项检查
    source, 其他检查 for 投诉举报、转办交办、移送、监测."""
    source = _nonrandom_source(result.task if result.task_id else None)
    if source is None:
        return RANDOM_KIND
    return "专项检查" if source == NonRandomSource.SPECIAL else "其他检查"


def _check_class(task: Task | None) -> str:
    """检查类别 (JCLB) of the 互联网+监管 system: 双随机抽查, 专项检查, 投诉举报检查 or 其他检查."""
    source = _nonrandom_source(task)
    if source is None:
        return RANDOM_KIND
    classes: dict[str, str] = {NonRandomSource.SPECIAL: "专项检查", NonRandomSource.COMPLAINT: "投诉举报检查"}
    return classes.get(source, "其他检查")


def ccjc_rows(ctx: NationalExportContext) -> Iterator[tuple[str, dict[str, str]]]:
    for r in _results(ctx).iterator(chunk_size=2000):
        yield f"{r.task_code} {r.enterprise_name}", {
            "TYSHXYDM": r.uscc, "QYMC": r.enterprise_name, "JCSSJG": r.organization_name,
            "JCSSJGDM": ctx.agency_uscc(r.owner_id), "JCLX": _task_kind(r), "JCRQ": _date(r.inspected_on),
            "JCJG": result_text(r), "CCRWBH": r.task_code, "CCRWMC": r.task_title,
            "GSRQ": _date(r.published_at),
        }


def xzcf_rows(ctx: NationalExportContext) -> Iterator[tuple[str, dict[str, str]]]:
    qs = PublishedPenalty.objects.filter(is_public=True, result__is_public=True).select_related("result", "result__target")
    if ctx.owner_ids is not None:
        qs = qs.filter(result__owner_id__in=ctx.owner_ids)
    if ctx.date_from:
        qs = qs.filter(published_at__date__gte=ctx.date_from)
    if ctx.date_to:
        qs = qs.filter(published_at__date__lte=ctx.date_to)
    penalties = list(qs.order_by("published_at", "pk"))
    case_ids = [int(p.source_key.split(":")[1]) for p in penalties if p.source_key.startswith(CASE_KEY.format(""))]
    cases = {c.pk: c for c in FollowUpCase.objects.filter(pk__in=case_ids).select_related("record__task", "target")}
    for p in penalties:
        result = p.result
        case = cases.get(int(p.source_key.split(":")[1])) if p.source_key.startswith(CASE_KEY.format("")) else None
        target = result.target
        agency = ctx.agency_uscc(result.owner_id)
        violation_type = f"违反{case.record.task.title}所查事项的规定" if case and case.record_id else ""
        yield f"{p.decision_no} {result.enterprise_name}", {
            "XZXDRMC": result.enterprise_name, "XZXDRLB": _subject_kind(result.uscc),
            "TYSHXYDM": result.uscc, "FDDBR": target.legal_representative if target else "",
            "CFJDSWH": p.decision_no, "WFXWLX": _violation_type(p, violation_type), "WFSS": p.violation,
            "CFYJ": p.basis, "CFLB": penalty_kinds(p.content), "CFNR": p.content,
            "FKJE": fine_in_10k(case.penalty_amount if case else None), "CFJDRQ": _date(p.decided_on),
            "CFYXQ": LONG_TERM, "CFJG": p.authority, "CFJGDM": agency, "SJLY": result.organization_name,
            "SJLYDM": agency, "BZ": "",
        }


def _violation_type(penalty: PublishedPenalty, fallback: str) -> str:
    """违法行为类型: the law named first in the 处罚依据 (e.g. 违反《公共场所卫生管理条例》)."""
    basis = penalty.basis or penalty.violation
    start, end = basis.find("《"), basis.find("》")
    if 0 <= start < end:
        return f"违反{basis[start:end + 1]}"
    return fallback


def sjjc_rows(ctx: NationalExportContext) -> Iterator[tuple[str, dict[str, str]]]:
    results = {r.source_key: r for r in _results(ctx).filter(source_key__startswith=RECORD_KEY.format(""))}
    record_ids = [int(key.split(":")[1]) for key in results]
    records = (
        InspectionRecord.objects.filter(pk__in=record_ids)
        .select_related("task__nonrandom_basis", "target")
        .prefetch_related("items", "members")
        .order_by("task__code", "number")
    )
    for record in records:
        result = results[RECORD_KEY.format(record.pk)]
        members = "；".join(
            f"{m.name}（{m.licence_no}）" if m.licence_no else m.name for m in record.members.all()
        )
        methods = "；".join(dict.fromkeys(METHOD_LABELS.get(m, m) for m in record.methods))
        for item in record.items.all():
            yield f"{record.number} {item.code}", {
                "XWBM": f"{record.number}-{item.sort_order:02d}", "JCSSQDBM": item.code, "JCSSQDMC": item.name,
                "JCLB": _check_class(record.task), "JCFS": methods,
                "JCDXMC": result.enterprise_name, "JCDXDM": result.uscc, "JCRWBH": record.task.code,
                "JCRWMC": record.task.title, "JCRQ": _date(record.inspected_on or result.inspected_on),
                "JCJL": FINDING_LABELS.get(item.finding, ""), "JCJG": result_text(result),
                "JCSSJG": result.organization_name, "JCSSJGDM": ctx.agency_uscc(result.owner_id), "JCRY": members,
            }


LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in (
        Layout("gsxt_ccjc", "抽查检查结果信息", "国家企业信用信息公示系统", ccjc_rows),
        Layout("gsxt_xzcf", "行政处罚信息", "国家企业信用信息公示系统 / 全国信用信息共享平台", xzcf_rows),
        Layout("hlwjg_sjjc", "双随机抽查检查行为", "国家“互联网+监管”系统", sjjc_rows),
    )
}


# ---------------------------------------------------------------- building the file


@dataclass
class ExportResult:
    layout: Layout
    content: bytes  # the ZIP
    file_name: str
    exported: int
    excluded: list[dict[str, Any]]
    manifest: dict[str, Any]


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))  # same content → same bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _owner_scope(actor: User, organization: Organization | None) -> list[int] | None:
    """The own bureau by default ("谁产生、谁提供"); an upper level may export a subordinate bureau's data."""
    readable = readable_owner_ids(actor)
    if organization is None:
        bureau = user_bureau(actor)
        return None if bureau is None else [bureau.pk]
    if readable is not None and organization.pk not in readable:
        raise PermissionDeniedError("该单位不在您的数据范围内")
    return [organization.pk]


def _context(
    actor: User, organization: Organization | None, date_from: datetime.date | None, date_to: datetime.date | None
) -> NationalExportContext:
    if not actor.is_authenticated or (user_bureau(actor) is None and not actor.is_superuser):
        raise PermissionDeniedError("您的账号未关联单位，不能导出")
    if date_from and date_to and date_from > date_to:
        raise ApplicationError("起始日期不能晚于截止日期")
    owner_ids = _owner_scope(actor, organization)
    profiles_qs = NationalExportProfile.objects.all()
    if owner_ids is not None:
        profiles_qs = profiles_qs.filter(owner_id__in=owner_ids)
    return NationalExportContext(
        actor=actor, owner_ids=owner_ids, date_from=date_from, date_to=date_to,
        profiles={p.owner_id: p for p in profiles_qs},
    )


def _layout(layout_key: str) -> Layout:
    layout = LAYOUTS.get(layout_key)
    if layout is None:
        raise ApplicationError(f"未知的导出格式：{layout_key}（可选：{'、'.join(LAYOUTS)}）")
    return layout


def _collect(layout: Layout, ctx: NationalExportContext) -> tuple[list[list[str]], list[dict[str, Any]]]:
    columns = layout.columns
    good: list[list[str]] = []
    excluded: list[dict[str, Any]] = []
    for number, (label, row) in enumerate(layout.rows(ctx), start=1):
        errors = row_errors(layout.key, row)
        if errors:
            for title, reason in errors:
                excluded.append({"row": number, "record": label, "field": title, "reason": reason})
        else:
            good.append([row.get(column, "") for column in columns])
    return good, excluded


def national_export_preview(
    *, actor: User, layout_key: str, organization: Organization | None = None,
    date_from: datetime.date | None = None, date_to: datetime.date | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Read only: how many rows would be exported and which would be left out (and why)."""
    layout = _layout(layout_key)
    good, excluded = _collect(layout, _context(actor, organization, date_from, date_to))
    return len(good), excluded


@transaction.atomic
def national_export_build(
    *, actor: User, layout_key: str, organization: Organization | None = None,
    date_from: datetime.date | None = None, date_to: datetime.date | None = None,
) -> ExportResult:
    """Build the export ZIP of ``layout_key`` over the published data of the actor's scope (one audit entry)."""
    layout = _layout(layout_key)
    good, excluded = _collect(layout, _context(actor, organization, date_from, date_to))
    columns = layout.columns
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    data_name = f"{layout.key}.csv"
    files = {
        data_name: _csv_bytes(columns, good),
        "未导出记录.csv": _csv_bytes(
            ["序号", "记录", "字段", "原因"], [[str(e["row"]), e["record"], e["field"], e["reason"]] for e in excluded]
        ),
    }
    manifest = {
        "layout": layout.key, "title": layout.title, "system": layout.system, "schema": f"{layout.key}.schema.json",
        "schema_version": SCHEMA_VERSION, "schema_sha256": hashlib.sha256(
            (SCHEMA_DIR / f"{layout.key}.schema.json").read_bytes()
        ).hexdigest(),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "date_from": _date(date_from), "date_to": _date(date_to),
        "rows_exported": len(good), "rows_excluded": len({e["row"] for e in excluded}),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        "columns": dict(zip(columns, layout.column_titles, strict=True)),
        "note": "本文件仅供人工上传或交换，本平台不向任何外部系统发送数据。",
    }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    content = _zip(files)
    audit_record(
        actor=actor, event=events.NATIONAL_EXPORT_CREATE, target=organization or user_bureau(actor),
        changes={"layout": layout.key, "rows": len(good), "excluded": manifest["rows_excluded"],
                 "date_from": _date(date_from), "date_to": _date(date_to),
                 "sha256": hashlib.sha256(content).hexdigest()},
    )
    return ExportResult(
        layout=layout, content=content, file_name=f"{layout.key}-{stamp}.zip", exported=len(good),
        excluded=excluded, manifest=manifest,
    )


# ---------------------------------------------------------------- the bureau's codes


@transaction.atomic
def export_profile_save(*, actor: User, agency_uscc: str) -> NationalExportProfile:
    """The bureau's own 统一社会信用代码 (检查实施机关 / 处罚机关 / 数据来源单位 code in the national files)."""
    bureau = user_bureau(actor)
    if bureau is None:
        raise PermissionDeniedError("您的账号未关联单位")
    check_can_edit(actor, bureau.pk, Perm.PLAN_EDIT)
    try:
        code = validate_uscc(agency_uscc)
    except UsccError as exc:
        raise ApplicationError(f"本机关统一社会信用代码：{exc}") from None
    profile, _ = NationalExportProfile.objects.select_for_update().get_or_create(owner=bureau)
    old = profile.agency_uscc
    profile.agency_uscc = code
    profile.updated_by = actor
    profile.save()
    audit_record(actor=actor, event=events.NATIONAL_EXPORT_PROFILE, target=profile, changes={"agency_uscc": (old, code)})
    return profile
