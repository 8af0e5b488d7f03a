"""The 通报 of a 专项督查 / 交叉检查 as PDF (fpdf2, embedded CJK font) and Word (docxtpl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shuangsuiji.common.documents import OfficialPdf, render_docx
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.supervision.models import Campaign, CampaignKind, PartStatus

TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "notice.docx"
CN_NUMBERS = "一二三四五六七八九十"


def notice_context(campaign: Campaign) -> dict[str, Any]:
    parts = list(campaign.parts.select_related("bureau", "checked_by").prefetch_related("findings"))
    title = f"关于{campaign.title}情况的通报"
    way = campaign.get_kind_display()
    checked = "、".join(p.bureau.name for p in parts)
    intro = (
        f"{format_cn_date(campaign.window_start)}至{format_cn_date(campaign.window_end)}，{campaign.owner.name}"
        f"以{way}方式对{checked}的“双随机、一公开”监管工作进行了督查。{campaign.basis}"
    )
    rating_rows = []
    bureaus = []
    for n, part in enumerate(parts, start=1):
        findings = list(part.findings.all())
        to_fix = [f for f in findings if f.requires_rectification]
        checker = f"（由{part.checked_by.name}检查）" if campaign.kind == CampaignKind.CROSS and part.checked_by else ""
        rating_rows.append([
            str(n), part.bureau.name, part.get_rating_display() or "—", str(len(findings)), str(len(to_fix)),
            format_cn_date(part.rectify_due) if part.rectify_due else ("无需整改" if part.status == PartStatus.NO_ACTION else "—"),
        ])
        bureaus.append({
            "heading": f"（{CN_NUMBERS[(n - 1) % 10]}）{part.bureau.name}{checker}",
            "summary": part.summary or "—",
            "findings": [f"{i}. 【{f.get_category_display()}】{f.description}{'' if f.requires_rectification else '（提醒，不需整改答复）'}"
                         for i, f in enumerate(findings, start=1)] or ["未发现问题。"],
        })
    requirements = campaign.notice_requirements or (
        f"有问题的单位须自通报印发之日起{campaign.rectify_workdays}个工作日内，逐项整改并通过平台答复整改情况；"
        "逾期未答复的，按“事前懒政提醒、事中怠政督办、事后失职问责”机制督办、问责。"
    )
    return {
        "title": title, "issuer": campaign.owner.name, "number": campaign.notice_number,
        "date_text": format_cn_date(campaign.issued_on) if campaign.issued_on else "（未印发）",
        "intro": intro, "summary": campaign.notice_summary, "rating_rows": rating_rows, "bureaus": bureaus,
        "requirements": requirements, "way": way,
    }


def notice_pdf(campaign: Campaign) -> bytes:
    ctx = notice_context(campaign)
    pdf = OfficialPdf(title=ctx["title"], issuer=ctx["issuer"], document_number=ctx["number"],
                      footer_note=ctx["number"])
    pdf.add_paragraph(ctx["intro"])
    if ctx["summary"]:
        pdf.add_section("一、总体情况", [ctx["summary"]])
    pdf.add_table(["序号", "被督查单位", "总体评价", "发现问题", "须整改", "整改答复期限"], ctx["rating_rows"],
                  col_widths=[0.6, 3, 1, 1, 1, 1.8])
    pdf.add_heading("二、各单位存在的问题")
    for bureau in ctx["bureaus"]:
        pdf.add_heading(bureau["heading"])
        pdf.add_paragraph(bureau["summary"])
        for line in bureau["findings"]:
            pdf.add_paragraph(line)
    pdf.add_section("三、整改要求", [ctx["requirements"]])
    if campaign.issued_on:
        pdf.add_signature(issuer=ctx["issuer"], day=campaign.issued_on)
    return pdf.to_bytes()


def notice_docx(campaign: Campaign) -> bytes:
    return render_docx(TEMPLATE, notice_context(campaign))
