"""Open-data tables of the portal: published items, plans, tasks, draw records, results, credit exchange.

Every dataset is a header and a row generator over published data only. ``downloads`` turns them into CSV
(UTF-8 with BOM, streamed) or .xlsx (xlsxwriter, constant memory). The credit-exchange layout is documented in
the README section "公开数据接口".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from shuangsuiji.disclosure import selectors, verification
from shuangsuiji.disclosure.models import PublishedResult, ResultRelease
from shuangsuiji.disclosure.selectors_results import ResultFilters, filtered_results
from shuangsuiji.draws import commitments
from shuangsuiji.draws.models import TargetDraw

Row = list[Any]


def _dt(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _d(value: Any) -> str:
    return value.isoformat() if value is not None else ""


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: Callable[[Any], Iterator[Row]]
    large: bool = False  # streamed CSV; ETag from the data version, not the content

    def version(self, params: Any) -> str:
        return VERSIONS.get(self.key, lambda p: "")(params)


def item_rows(params: Any) -> Iterator[Row]:
    for item in selectors.public_items():
        yield [
            item.owner.name, item.code, item.version, item.specialty.name, item.name, "；".join(item.sub_items),
            item.legal_basis, item.subject, item.target_type, "、".join(item.method_labels),
            str(item.ratio_percent), item.frequency, item.get_kind_display(), _dt(item.published_at),
        ]


def plan_rows(params: Any) -> Iterator[Row]:
    for plan in selectors.public_annual_plans().prefetch_related("lines__item"):
        base = [
            plan.owner.name, plan.year, plan.title, plan.version, plan.get_status_display(),
            plan.adjustment_reason, str(plan.overall_goal_percent), _dt(plan.published_at),
        ]
        lines = list(plan.lines.all())
        if not lines:
            yield [*base, "", "", "", "", ""]
        for line in lines:
            yield [*base, line.item.code, line.item.name, line.ratio_text, line.frequency,
                   "、".join(f"{m}月" for m in line.months)]


def joint_plan_rows(params: Any) -> Iterator[Row]:
    for plan in selectors.public_joint_plans():
        participants = selectors.public_joint_participants(plan=plan)
        yield [
            plan.owner.name, plan.year, plan.title, plan.version, plan.get_status_display(), plan.adjustment_reason,
            "、".join(p.organization.name for p in participants), plan.target_scope, str(plan.ratio_percent), _d(plan.window_start), _d(plan.window_end),
            _dt(plan.published_at),
        ]


def task_rows(params: Any) -> Iterator[Row]:
    for task in selectors.public_tasks().prefetch_related("specialties", "items", "participants"):
        yield [
            task.code, task.title, task.owner.name, task.year, "、".join(s.name for s in task.specialties.all()),
            "；".join(i.name for i in task.items.all()), _d(task.window_start), _d(task.window_end),
            "、".join(p.name for p in task.participants.all()), task.scheme.document_number, task.scheme.title,
            _dt(task.scheme.published_at), task.get_state_display(),
        ]


def _public_record_digest(draw: TargetDraw) -> str:
    try:
        return str(commitments.draw_public_record(draw)["public_record_digest"])
    except Exception:
        return ""


def draw_rows(params: Any) -> Iterator[Row]:
    draws = TargetDraw.objects.filter(task__in=selectors.public_tasks()).select_related("task").order_by(
        "task__code", "sequence"
    )
    for draw in draws:
        has_result = selectors.draw_has_result(draw)
        yield [
            draw.task.code, draw.task.title, draw.sequence, draw.get_status_display(), draw.pool_size,
            verification.public_pool_digest(draw), json.dumps(draw.params, ensure_ascii=False, sort_keys=True),
            draw.get_randomness_kind_display(), draw.randomness_source, draw.seed_commitment,
            "；".join(str(r) for r in draw.randomness) if has_result else "",
            _public_record_digest(draw) if has_result else "", _dt(draw.frozen_at), _dt(draw.drawn_at) if has_result else "",
            draw.selections.count() if has_result else "",
        ]


def _result_filters(params: Any) -> ResultFilters:
    return ResultFilters.from_params(params or {})


def result_rows(params: Any) -> Iterator[Row]:
    qs, _ = filtered_results(_result_filters(params))
    for r in qs.select_related("region").iterator(chunk_size=5000):
        yield [
            r.uscc, r.enterprise_name, r.region.name, r.specialty_names, r.task_code, r.task_title,
            r.organization_name, _d(r.inspected_on), r.get_result_group_display(), r.result_label, r.result_detail,
            _dt(r.published_at),
        ]


CREDIT_COLUMNS = ["TYSHXYDM", "QYMC", "CCRWBH", "CCRWMC", "JCRQ", "CCJGLB", "CCJG", "JCSSJG", "GSRQ"]
CREDIT_HEADER = [
    "统一社会信用代码", "企业名称", "抽查任务编号", "抽查任务名称", "检查日期", "抽查结果类别", "抽查结果",
    "检查实施机关", "公示日期",
]


def credit_rows(params: Any) -> Iterator[Row]:
    """企业信用信息公示 exchange: one row per published result (layout in README "公开数据接口")."""
    qs, _ = filtered_results(_result_filters(params))
    for r in qs.iterator(chunk_size=5000):
        yield [
            r.uscc, r.enterprise_name, r.task_code, r.task_title, _d(r.inspected_on), r.get_result_group_display(),
            r.result_label, r.organization_name, _d(timezone.localtime(r.published_at).date()),
        ]


def _results_version(params: Any) -> str:
    latest = PublishedResult.objects.aggregate(m=Max("updated_at"), n=Max("id"))
    releases = ResultRelease.objects.aggregate(m=Max("updated_at"))
    return f"{latest['m']}|{latest['n']}|{releases['m']}|{sorted((params or {}).items())}"


VERSIONS: dict[str, Callable[[Any], str]] = {"results": _results_version, "credit": _results_version}

DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in [
        Dataset("items", "随机抽查事项清单", "现行有效的已公布抽查事项（每个事项的最新公布版本）", [
            "单位", "事项编码", "版本", "专业", "抽查事项", "检查内容", "抽查依据", "抽查主体", "抽查对象类型",
            "抽查方式", "抽查比例（%）", "抽查频次", "事项类别", "公布时间",
        ], item_rows),
        Dataset("plans", "年度抽查计划", "已公布的年度抽查计划（含调整前后各版本），每行一个计划事项", [
            "制定单位", "年度", "计划名称", "版本", "状态", "调整原因", "年度抽查占比目标（%）", "公布时间",
            "事项编码", "抽查事项", "各风险类别抽查比例", "抽查频次", "实施月份",
        ], plan_rows),
        Dataset("joint_plans", "联合抽查计划", "已公布的部门联合抽查计划（含调整前后各版本）", [
            "发起部门", "年度", "计划名称", "版本", "状态", "调整原因", "参与部门", "抽查对象范围", "抽查比例（%）", "开始日期", "结束日期",
            "公布时间",
        ], joint_plan_rows),
        Dataset("tasks", "抽查任务", "工作方案已公布的抽查任务", [
            "任务编号", "任务名称", "组织单位", "年度", "专业", "抽查事项", "检查开始日期", "检查结束日期",
            "参与部门", "工作方案文号", "工作方案标题", "方案公布时间", "状态",
        ], task_rows),
        Dataset("draws", "随机抽取记录", "每次抽取的公开对象池摘要、参数、随机数和公开记录摘要（公开记录见各抽取页；不含风险等级）", [
            "任务编号", "任务名称", "第几次抽取", "状态", "对象池户数", "公开对象池摘要", "抽取参数", "随机数来源",
            "随机数出处说明", "随机种子承诺值", "随机数", "公开记录摘要", "对象池冻结时间", "抽取时间", "抽中户数",
        ], draw_rows),
        Dataset("results", "抽查结果", "已公示的抽查结果（可用 q、region、specialty、year、result 参数筛选）", [
            "统一社会信用代码", "名称", "所在区划", "专业", "任务编号", "任务名称", "检查实施机关", "检查日期",
            "结果类别", "抽查结果", "结果说明", "公示时间",
        ], result_rows, large=True),
        Dataset("credit", "企业信用信息公示交换格式", "抽查结果按企业信用信息公示系统归集所需字段导出，字段："
                + "，".join(f"{c}（{h}）" for c, h in zip(CREDIT_COLUMNS, CREDIT_HEADER, strict=True)),
                CREDIT_COLUMNS, credit_rows, large=True),
    ]
}
