"""RFC 3797 "Publicly Verifiable Nominations Committee (NomCom) Random Selection", §4 and §6, exactly.

Key string (§4): each source in turn, then "/". A source that is a list of numbers is written with its
values sorted from lowest to highest, each value followed by a period ("9319." or "2.5.8.10.12."); a value
with a decimal fraction is written as integer part "." fraction with trailing zeros removed ("1.25", and
"3.0" becomes "3.", the same as the integer 3). A source that is not a list of numbers (a name, a stock
code) is reduced to its letters and digits in upper case, as the RFC asks for textual randomness
("Ab-1 c" becomes "AB1C"; letters outside ASCII, e.g. Chinese, are kept as UTF-8).

Selection (§4, and the RFC's reference code): for i = 0, 1, …, count-1, compute
MD5(i as two bytes big-endian || key || i as two bytes big-endian), read the 16 bytes as an unsigned
big-endian integer, take it modulo the number of remaining pool entries, and select the entry at that
0-based position among the entries not yet selected (kept in their original order). Positions are 1-based
as in the RFC. The RFC's worked example (§6): pool 25, count 10, sources "9319", "2 5 12 8 10",
"9 18 26 34 41 45" gives key "9319./2.5.8.10.12./9.18.26.34.41.45./" and selects
17, 7, 2, 16, 25, 23, 8, 24, 19, 13.

MD5 is used because the RFC uses it; the selection needs unpredictability of public inputs, not collision
resistance.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

MAX_COUNT = 1 << 16  # the index prefix is two bytes

_SPLIT = re.compile(r"[\s,，;；、]+")
_NUMBER = re.compile(r"^[+]?\d+(\.\d*)?$|^[+]?\.\d+$")


def _format_number(token: str) -> tuple[Decimal, str]:
    text = token.lstrip("+")
    try:
        value = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - guarded by the regex
        raise ValueError(f"『{token}』不是数字") from error
    if "." in text:
        integer, fraction = text.split(".", 1)
        fraction = fraction.rstrip("0")
    else:
        integer, fraction = text, ""
    integer = str(int(integer or "0"))
    return value, f"{integer}.{fraction}"


def canonical_source(source: str) -> str:
    """One source in the RFC's canonical form, without the trailing "/"."""
    tokens = [t for t in _SPLIT.split(source.strip()) if t]
    if tokens and all(_NUMBER.match(t) for t in tokens):
        numbers = sorted((_format_number(t) for t in tokens), key=lambda pair: pair[0])
        return "".join(text for _, text in numbers)
    return "".join(ch for ch in source if ch.isalnum()).upper()


def key_string(sources: Sequence[str]) -> str:
    """The key string of RFC 3797 §4 from the public randomness sources, in the given order."""
    if not sources:
        raise ValueError("RFC 3797 至少需要一个随机数来源")
    parts = []
    for source in sources:
        canonical = canonical_source(str(source))
        if not canonical:
            raise ValueError(f"随机数来源『{source}』不含数字或字母")
        parts.append(canonical + "/")
    return "".join(parts)


def digest_value(key: str, index: int) -> int:
    prefix = index.to_bytes(2, "big")
    return int.from_bytes(hashlib.md5(prefix + key.encode("utf-8") + prefix).digest(), "big")  # nosec B324


def select(pool_size: int, count: int, sources: Sequence[str]) -> list[int]:
    """The 1-based pool positions chosen by RFC 3797, in selection order."""
    if pool_size < 1:
        raise ValueError("候选池不能为空")
    if not 0 <= count <= pool_size:
        raise ValueError(f"抽取数量 {count} 必须在 0 到候选池大小 {pool_size} 之间")
    if count > MAX_COUNT:
        raise ValueError(f"RFC 3797 一次最多抽取 {MAX_COUNT} 个（序号只有两个字节）")
    key = key_string(sources)
    taken: list[int] = []  # sorted 0-based positions already selected
    result = []
    for index in range(count):
        remaining = pool_size - index
        wanted = digest_value(key, index) % remaining  # 0-based rank among the entries not yet selected
        # Smallest position p with p - |{taken <= p}| == wanted.
        position = wanted
        while True:
            moved = wanted + bisect.bisect_right(taken, position)
            if moved == position:
                break
            position = moved
        bisect.insort(taken, position)
        result.append(position + 1)
    return result
