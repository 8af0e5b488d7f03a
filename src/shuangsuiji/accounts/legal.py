"""Who does the 合法性审查 (legality review) of a bureau's 抽查事项清单 and plans.

玉溪 2020: "委政策法规与体制改革科负责对抽查事项清单和抽查计划的合法性审查". A bureau that has a 政策法规
section (a 科室 whose name contains 政策法规, 法规 or 法制) has its review done there; a county bureau without one
has it done by its 双随机办 administrator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shuangsuiji.accounts.models import Organization, OrganizationKind, Role

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User

LEGAL_SECTION_MARKERS = ("政策法规", "法规", "法制")


def is_legal_section(org: Organization | None) -> bool:
    return (
        org is not None
        and org.kind == OrganizationKind.SECTION
        and any(marker in org.name for marker in LEGAL_SECTION_MARKERS)
    )


def legal_sections(bureau: Organization) -> list[Organization]:
    """The bureau's 政策法规 sections (direct 科室 of the bureau)."""
    sections = Organization.objects.filter(parent=bureau, kind=OrganizationKind.SECTION).order_by("pk")
    return [org for org in sections if is_legal_section(org)]


def legal_reviewer_text(bureau: Organization) -> str:
    """Who reviews, in the words shown on pages and in refusals."""
    sections = legal_sections(bureau)
    if sections:
        return "、".join(org.name for org in sections) + "的工作人员"
    return "本单位双随机办管理员（本单位未设政策法规科室）"


def can_legal_review(user: User, bureau: Organization) -> bool:
    """The 政策法规 section's users when the bureau has one, otherwise its 双随机办 administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = user.organization
    if org is None or org.bureau.pk != bureau.pk:
        return False
    if legal_sections(bureau):
        return is_legal_section(org)
    return user.role == Role.PROGRAM_ADMIN
