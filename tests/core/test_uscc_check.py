"""The local USCC check character equals python-stdnum's for any body."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from shuangsuiji.core.uscc import ALPHABET, check_char, complete_uscc, is_valid_uscc

bodies = st.builds(
    lambda head, region, rest: head + region + rest,
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
)


@given(bodies)
def test_check_char_matches_stdnum(body: str) -> None:
    assert check_char(body) == stdnum_uscc.calc_check_digit(body)
    assert is_valid_uscc(complete_uscc(body))
