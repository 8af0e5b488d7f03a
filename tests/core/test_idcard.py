"""GB 11643 ID numbers: structure, birth date, check character."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.core.idcard import (
    IdNumberError,
    birth_date_of,
    check_char,
    complete_id_number,
    is_male,
    is_valid_id_number,
    validate_id_number,
)


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２Ｘ"])
def test_known_valid_numbers(number: str) -> None:
    assert validate_id_number(number) == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位错误：应为“X”"),
        ("11010519491231002", "应为18位"),
        ("1101051949123100AX", "前17位应为数字"),
        ("11010519491231002Y", "第18位"),
        ("991105194912310027", "省级行政区划代码"),
        ("110105194902300028", "出生日期“19490230”不存在"),
        ("110105180001010010", "不合理"),
    ],
)
def test_invalid_numbers_have_chinese_reasons(number: str, reason: str) -> None:
    with pytest.raises(IdNumberError) as exc:
        validate_id_number(number)
    assert reason in str(exc.value)


def test_future_birth_dates_are_refused_when_today_is_given() -> None:
    number = complete_id_number("13060620300101001")
    assert validate_id_number(number) == number
    with pytest.raises(IdNumberError, match="不合理"):
        validate_id_number(number, today=date(2026, 1, 1))


def test_legacy_15_digit_numbers_only_when_allowed() -> None:
    assert not is_valid_id_number("110105491231002")
    assert is_valid_id_number("110105491231002", allow_legacy=True)
    assert birth_date_of("110105491231002") == date(1949, 12, 31)
    assert is_male("110105491231001") and not is_male("11010519491231002X")


bodies = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.sampled_from(["110101", "130606", "440305", "650102"]),
    st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


@given(bodies)
def test_completed_numbers_are_valid(body: str) -> None:
    assert is_valid_id_number(complete_id_number(body))


@given(bodies, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_detected(body: str, position: int, delta: int) -> None:
    number = complete_id_number(body)
    changed_digit = str((int(number[position]) + delta) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    try:
        validate_id_number(changed)
    except IdNumberError:
        return
    pytest.fail(f"{changed} accepted (check {check_char(changed[:17])})")
