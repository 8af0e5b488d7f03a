"""Input checks with Chinese messages. All problems are collected and raised together."""

from __future__ import annotations

from collections import Counter

from shuangsuiji.core.matching.model import (
    FallbackPolicy,
    InspectorKind,
    InspectorStatus,
    MatchInputError,
    MatchInputs,
)

MAX_SPECIALTIES = 63  # qualifications are kept as bits of one int64 per inspector


def validate_inputs(inputs: MatchInputs) -> None:
    problems: list[str] = []
    params = inputs.params
    if params.team_size < 2:
        problems.append(f"参数 team_size={params.team_size}：每组执法人员不得少于2人")
    if params.max_targets_per_inspector < 1:
        problems.append(f"参数 max_targets_per_inspector={params.max_targets_per_inspector}：必须至少为1")
    if not 0 < params.probability_cap <= 1:
        problems.append(f"参数 probability_cap={params.probability_cap}：必须在 (0, 1] 之内")
    if not 0 <= params.swap_limit_ratio <= 1:
        problems.append(f"参数 swap_limit_ratio={params.swap_limit_ratio}：必须在 [0, 1] 之内")
    if params.fallback is FallbackPolicy.DIRECT and not params.direct_assignment_reason.strip():
        problems.append("参数 fallback=direct（直接委派）时必须填写 direct_assignment_reason（委派理由）")

    for label, ids in (
        ("检查对象", [t.id for t in inputs.targets]),
        ("检查人员", [i.id for i in inputs.inspectors]),
    ):
        duplicates = sorted(k for k, n in Counter(ids).items() if n > 1)
        if duplicates:
            problems.append(f"{label}编号重复：{'、'.join(duplicates[:10])}")
        if any(not x.strip() for x in ids):
            problems.append(f"{label}编号不能为空")

    for target in inputs.targets:
        if not target.specialties:
            problems.append(f"检查对象 {target.id} 未填写检查专业")
        if target.window_start > target.window_end:
            problems.append(f"检查对象 {target.id} 的检查开始日期晚于结束日期")
        if not target.region.strip():
            problems.append(f"检查对象 {target.id} 未填写所属区域")

    for inspector in inputs.inspectors:
        if not inspector.qualifications:
            problems.append(f"检查人员 {inspector.id} 没有任何专业资格")
        if not inspector.region.strip():
            problems.append(f"检查人员 {inspector.id} 未填写所属区域")
        if inspector.existing_workload < 0:
            problems.append(f"检查人员 {inspector.id} 的已有工作量不能为负数")
        start, end = inspector.licence_valid_from, inspector.licence_valid_to
        if start is not None and end is not None and start > end:
            problems.append(f"检查人员 {inspector.id} 的执法证有效期起始日期晚于截止日期")

    specialties = {s for t in inputs.targets for s in t.specialties}
    specialties |= {q for i in inputs.inspectors for q in i.qualifications}
    if len(specialties) > MAX_SPECIALTIES:
        problems.append(f"专业类别过多（{len(specialties)} 个，上限 {MAX_SPECIALTIES} 个）")

    available = sum(
        1
        for i in inputs.inspectors
        if i.kind is InspectorKind.LAW_ENFORCEMENT and i.status is InspectorStatus.ON_DUTY
    )
    if inputs.targets and available < params.team_size:
        problems.append(f"在岗执法人员共 {available} 人，少于每组人数 {params.team_size} 人，无法组成检查组")

    if inputs.adjacency:
        known_regions: set[str] = set()
        for row in inputs.adjacency:
            if row.region_a == row.region_b:
                problems.append(f"区域相邻关系不能指向自身：{row.region_a}")
            known_regions.update(r for r in (row.region_a, row.region_b) if r)
        used = {t.region for t in inputs.targets} | {i.region for i in inputs.inspectors}
        unknown = sorted(used - known_regions)
        if unknown:
            problems.append(f"未知区域（不在区域相邻表中）：{'、'.join(unknown[:10])}")

    inspector_ids = {i.id for i in inputs.inspectors}
    target_ids = {t.id for t in inputs.targets}
    groups = {t.group for t in inputs.targets if t.group}
    seen: set[tuple[object, ...]] = set()
    for n, conflict in enumerate(inputs.conflicts, start=1):
        where = f"回避记录第{n}条（{conflict.inspector_id}）"
        if conflict.inspector_id not in inspector_ids:
            problems.append(f"{where}：检查人员不存在")
        if bool(conflict.target_id) == bool(conflict.target_group):
            problems.append(f"{where}：必须且只能填写检查对象编号或对象分组之一")
        elif conflict.target_id and conflict.target_id not in target_ids:
            if conflict.target_id in inspector_ids:
                problems.append(
                    f"{where}：回避对象 {conflict.target_id} 是检查人员而非检查对象（循环回避记录）"
                )
            else:
                problems.append(f"{where}：检查对象 {conflict.target_id} 不存在")
        elif conflict.target_group and conflict.target_group not in groups:
            problems.append(f"{where}：对象分组 {conflict.target_group} 不存在")
        start, end = conflict.period_start, conflict.period_end
        if start is not None and end is not None and start > end:
            problems.append(f"{where}：回避期间起始日期晚于截止日期")
        key = (conflict.inspector_id, conflict.target_id, conflict.target_group, start, end)
        if key in seen:
            problems.append(f"{where}：与前面的回避记录重复")
        seen.add(key)

    if problems:
        raise MatchInputError("输入数据有误：\n" + "\n".join(f"- {p}" for p in problems))
