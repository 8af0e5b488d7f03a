"""居民身份证号码 (GB 11643-1999) validation: structure, birth date and the ISO 7064 MOD 11-2 check character.

Eighteen characters: 6-digit 行政区划代码 of the place of first registration, 8-digit birth date, 3-digit
sequence (odd for men, even for women) and a check character computed over the first 17 digits with
weights 2^(17-i) mod 11; the remainder maps to "10X98765432". Legacy 15-digit numbers (before 1999) have
no check character; they are accepted only when asked for, since every licence holder today has an
18-digit card.
"""

from __future__ import annotations

import unicodedata
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits of a mainland 行政区划代码 (GB/T 2260), plus 71 台湾, 81 香港, 82 澳门 and 83 (台湾居民居住证).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
     "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"}
)  # fmt: skip
EARLIEST_BIRTH = date(1900, 1, 1)


class IdNumberError(ValueError):
    """Invalid ID number; the message is Chinese and can be shown to the user."""


def normalize_id_number(value: str) -> str:
    """Full-width characters to ASCII, spaces removed, a lower-case x made upper-case."""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    """The GB 11643 check character of a 17-digit body."""
    if len(first17) != 17 or not first17.isdigit():
        raise IdNumberError("身份证号码前17位应为数字")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(text: str, today: date | None) -> date:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdNumberError(f"身份证号码中的出生日期“{text}”不存在") from None
    if born < EARLIEST_BIRTH or (today is not None and born > today):
        raise IdNumberError(f"身份证号码中的出生日期“{text}”不合理")
    return born


def validate_id_number(value: str, *, allow_legacy: bool = False, today: date | None = None) -> str:
    """Return the normalised number or raise IdNumberError with the reason (Chinese).

    `today`, when given, rejects birth dates in the future (the clock is the caller's business).
    """
    code = normalize_id_number(value)
    if len(code) == 15 and allow_legacy:
        if not code.isdigit():
            raise IdNumberError("15位身份证号码应全部为数字")
        if code[:2] not in PROVINCE_CODES:
            raise IdNumberError(f"身份证号码前两位“{code[:2]}”不是有效的省级行政区划代码")
        _birth_date("19" + code[6:12], today)
        return code
    if len(code) != 18:
        raise IdNumberError(f"身份证号码应为18位，当前为{len(code)}位")
    if not code[:17].isdigit():
        raise IdNumberError("身份证号码前17位应为数字")
    if code[17] not in CHECK_CHARS:
        raise IdNumberError(f"身份证号码第18位“{code[17]}”应为数字或X")
    if code[:2] not in PROVINCE_CODES:
        raise IdNumberError(f"身份证号码前两位“{code[:2]}”不是有效的省级行政区划代码")
    _birth_date(code[6:14], today)
    expected = check_char(code[:17])
    if code[17] != expected:
        raise IdNumberError(f"身份证号码校验位错误：应为“{expected}”，实际为“{code[17]}”")
    return code


def is_valid_id_number(value: str, *, allow_legacy: bool = False) -> bool:
    try:
        validate_id_number(value, allow_legacy=allow_legacy)
    except IdNumberError:
        return False
    return True


def complete_id_number(first17: str) -> str:
    """Append the check character to a 17-digit body (used by the demo generator and tests)."""
    body = normalize_id_number(first17)
    return body + check_char(body)


def birth_date_of(value: str) -> date:
    """Birth date of a valid 18- or 15-digit number."""
    code = validate_id_number(value, allow_legacy=True)
    return _birth_date(code[6:14] if len(code) == 18 else "19" + code[6:12], None)


def is_male(value: str) -> bool:
    """True for an odd sequence digit (男), False for even (女)."""
    code = validate_id_number(value, allow_legacy=True)
    return int(code[16] if len(code) == 18 else code[14]) % 2 == 1
