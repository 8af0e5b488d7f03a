"""Logs never carry personal data: ID-card and mobile numbers are masked in every formatted log line.

Masking the formatted text (message, arguments, traceback, request line) catches what a filter on the message
alone would miss, such as a phone number in a search URL or in an exception's text.
"""

from __future__ import annotations

import logging
import re

from shuangsuiji.common.crypto import mask_id_number, mask_phone

# 18-character resident ID (6-digit area, birth date 18xx–20xx, sequence, check character) and mainland mobiles;
# not when they are part of a longer code (a USCC or a 执法证号 with letters around it).
ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
)
# 执法证号 such as 冀13060625001 (province abbreviation + digits) are not phones.
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
MOBILE = re.compile(rf"(?<![0-9A-Za-z{PROVINCES}])(?:\+?86[- ]?)?1[3-9]\d{{9}}(?![0-9A-Za-z])")


def mask_personal_data(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


class MaskingFormatter(logging.Formatter):
    """``logging.Formatter`` whose output has ID-card and mobile numbers masked (138****5678)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_data(super().format(record))
