"""统一社会信用代码 (USCC, GB 32100-2015) validation.

python-stdnum's `cn.uscc.validate` demands digits in the first 8 positions, but the 登记管理部门码 and
机构类别码 (positions 1–2) may be letters (e.g. "N" 农业, "Y" 其他), so valid codes of 农民专业合作社 and
others would be refused. We check the structure ourselves and compute the check character with the GB 32100 weights (a test
keeps it equal to stdnum's `calc_check_digit`, which is ~5x slower on 100,000-row imports).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class UsccError(ValueError):
    """Invalid code; the message is Chinese and can be shown to the user."""


_VALUES = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    """GB 32100 check character (same result as stdnum's calc_check_digit, ~5x faster for bulk imports)."""
    total = sum(_VALUES[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    return "".join(str(value).split()).replace("-", "").upper()


def validate_uscc(value: str) -> str:
    """Return the normalised code or raise UsccError with the reason."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise UsccError(f"统一社会信用代码应为18位，当前为{len(code)}位")
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        raise UsccError(f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用 I、O、Z、S、V）")
    if not code[2:8].isdigit():
        raise UsccError("统一社会信用代码第3–8位（登记管理机关行政区划码）应为数字")
    expected = check_char(code[:17])
    if code[17] != expected:
        raise UsccError(f"统一社会信用代码校验位错误：应为“{expected}”，实际为“{code[17]}”")
    return code


def is_valid_uscc(value: str) -> bool:
    try:
        validate_uscc(value)
    except UsccError:
        return False
    return True


def complete_uscc(first17: str) -> str:
    """Append the check character to a 17-character body (used by the demo generator and tests)."""
    body = normalize_uscc(first17)
    if len(body) != 17:
        raise UsccError("需要17位主体代码")
    return body + check_char(body)
