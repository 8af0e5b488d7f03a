"""The 工作方案 template: the text a task's scheme starts from, and how the text splits into sections.

The body is plain text. A line such as ``一、工作目的`` starts a section; the Word and PDF downloads and the
page show the sections in order. Seed 001: "每次抽查都要制定具体工作方案".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils import timezone

from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.directory.models import InspectionMethod, RiskFlag
from shuangsuiji.planning.models import RISK_CLASSES, Task
from shuangsuiji.planning.rules import task_rules

HEADING = re.compile(r"^\s*[一二三四五六七八九十]+、\S")
RISK_LABELS = {"A": "A类（信用风险低）", "B": "B类（信用风险一般）", "C": "C类（信用风险较高）", "D": "D类（信用风险高）"}


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


def split_sections(body: str) -> list[Section]:
    """Lines starting with 一、二、… become headings; other non-empty lines are paragraphs of the section."""
    sections: list[Section] = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if HEADING.match(line):
            sections.append(Section(heading=line))
        else:
            if not sections:
                sections.append(Section(heading=""))
            sections[-1].paragraphs.append(line)
    return sections


def _percent(value: object) -> str:
    text = f"{float(str(value)):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def scheme_default_title(task: Task) -> str:
    return f"{task.owner.name}{task.title}工作方案"


def scheme_default_body(task: Task) -> str:
    items = list(task.items.select_related("specialty").all())
    specialties = "、".join(s.name for s in task.specialties.all()) or "（未限定）"
    regions = "、".join(r.name for r in task.regions.all()) or f"{task.owner.region.name}全部辖区"
    participants = [p.name for p in task.participants.all()]
    methods = "、".join(dict(InspectionMethod.choices).get(m, m) for m in task.methods) or "现场检查"
    flags = "、".join(dict(RiskFlag.choices).get(f, f) for f in task.mandatory_flags)
    basis = sorted({item.legal_basis.strip() for item in items if item.legal_basis.strip()})
    lines: list[str] = ["一、工作目的"]
    lines.append(
        f"为贯彻落实“双随机、一公开”监管要求，规范{specialties}领域监督执法行为，推进监管与信用风险分级分类相结合，"
        f"{task.owner.name}组织开展本次随机抽查，做到抽查过程公开、公正，抽查结果依法公示。"
    )
    lines.append("二、工作依据")
    if basis:
        lines.extend(f"{n}. {text}" for n, text in enumerate(basis, start=1))
    else:
        lines.append("《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》及相关法律法规。")
    if task.national_task_id:
        assert task.national_task is not None
        lines.append(f"本任务为上级下达任务（{task.national_task.source}，任务编号{task.national_task.code}），抽查范围和比例按上级要求执行。")
    lines.append("三、抽查事项")
    for n, item in enumerate(items, start=1):
        subs = "；".join(item.sub_items)
        lines.append(f"{n}. {item.name}（{item.specialty.name}）" + (f"：{subs}。" if subs else ""))
    if not items and task.national_task_id:
        assert task.national_task is not None
        lines.append(task.national_task.item_names)
    lines.append("四、抽查对象范围")
    scope = f"{regions}内纳入检查对象名录库、经营状态为“在营”的{specialties}单位。"
    if task.national_task_id:
        assert task.national_task is not None
        scope += f"上级确定的范围：{task.national_task.scope_text}"
    lines.append(scope)
    if task.exclusion_months:
        lines.append(f"近{task.exclusion_months}个月内已就相同事项检查过的对象不再抽取（高风险对象除外）。")
    lines.append("五、抽查比例")
    ratio_text = "；".join(f"{RISK_LABELS[r]}{_percent(task.ratios.get(r, 0))}" for r in RISK_CLASSES)
    lines.append(f"按信用风险分类确定抽查比例：{ratio_text}。抽取户数按比例向上取整，每类至少抽取{task.min_per_stratum}户。")
    if task.floor_percent:
        lines.append(f"各类别抽查比例不低于{_percent(task.floor_percent)}。")
    rules = task_rules(task, today=timezone.localdate())
    lines.extend(f"{line}。" for line in rules.lines() if not line.startswith("高风险必查"))
    if flags:
        lines.append(f"{format_cn_date(rules.flags_since)}以来具有以下风险标记的对象必须检查：{flags}。")
    lines.append("六、抽查方法")
    lines.append(
        "检查对象从检查对象名录库中随机抽取，执法检查人员从执法检查人员名录库中随机匹配。"
        "抽取前冻结对象池并公布其摘要和抽取参数，随机数在对象池冻结后公开产生，抽取记录可由任何人独立验证。"
        f"检查方式：{methods}。"
    )
    lines.append("七、时间安排")
    lines.append(
        f"{format_cn_date(task.window_start)}至{format_cn_date(task.window_end)}完成检查；"
        "检查结果在检查完成后20个工作日内通过国家企业信用信息公示系统等渠道依法公示。"
    )
    lines.append("八、人员组织")
    lines.append(
        f"每个检查组不少于{task.team_size}名执法人员，每名执法人员本次最多检查{task.max_targets_per_inspector}户。"
        "与检查对象有利害关系的人员应当回避。"
    )
    if participants:
        lines.append(f"本次为部门联合抽查，参与部门：{'、'.join(participants)}。对同一对象“进一次门、查多项事”。")
    lines.append("九、工作要求")
    lines.append("（一）严格依法检查，规范执法行为，如实记录检查情况，做到“一企一表”。")
    lines.append("（二）检查中发现的问题依法处理，需要后续处置的及时移交，做到“谁管辖、谁负责”。")
    lines.append("（三）严守工作纪律，不得干扰企业正常经营活动，不得泄露企业商业秘密。")
    return "\n".join(lines)
