"""Last line of defence before free text is published: mask anything shaped like personal data.

The portal shows no personal data (DESIGN: inspectors by name and 执法证号 only, no contacts, phones or ID
numbers). Structured fields are chosen with that in mind; free text typed by staff (违法事实, 处罚内容) may still
contain a phone or an ID number, so it passes through ``scrub`` when it is published.
"""

from __future__ import annotations

import re

ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")
# Not after a province abbreviation: 执法证号 such as 冀13060625001 are published on purpose.
MOBILE = re.compile(r"(?<![0-9A-Za-z京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新])1[3-9]\d{9}(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """Mask ID-card numbers (keep the first 6 and last 4 characters) and mobile numbers (138****5678)."""
    text = ID_CARD.sub(lambda m: m.group(0)[:6] + "*" * 8 + m.group(0)[-4:], text)
    return MOBILE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)
