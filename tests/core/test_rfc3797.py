"""RFC 3797 selection: the RFC's fully worked example (§6) reproduced exactly, and the key string rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core import rfc3797

SOURCES = ["9319", "2 5 12 8 10", "9 18 26 34 41 45"]  # as announced, unsorted


def test_worked_example_key_string() -> None:
    assert rfc3797.key_string(SOURCES) == "9319./2.5.8.10.12./9.18.26.34.41.45./"


def test_worked_example_digests() -> None:
    key = rfc3797.key_string(SOURCES)
    assert f"{rfc3797.digest_value(key, 0):032X}" == "990DD0A5692A029A98B5E01AA28F3459"
    assert f"{rfc3797.digest_value(key, 1):032X}" == "3691E55CB63FCC37914430B2F70B5EC6"
    assert f"{rfc3797.digest_value(key, 9):032X}" == "31CB111C4A4EBE9287CEAE16FE51B909"


def test_worked_example_selection() -> None:
    # Lee, Doc, Mary, Charity, Kasczynski, Envy, Sneazy, Anger, Chastity, Pandora.
    assert rfc3797.select(25, 10, SOURCES) == [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]


def test_number_and_text_canonical_forms() -> None:
    assert rfc3797.canonical_source("1.250") == "1.25"
    assert rfc3797.canonical_source("3.0") == "3."
    assert rfc3797.canonical_source("007") == "7."
    assert rfc3797.canonical_source("45, 9；18") == "9.18.45."
    assert rfc3797.canonical_source("Dow Jones 10,234.56!") == "DOWJONES1023456"
    assert rfc3797.key_string(["1.25", "8"]) == "1.25/8./"


def test_bad_inputs() -> None:
    with pytest.raises(ValueError):
        rfc3797.key_string([])
    with pytest.raises(ValueError):
        rfc3797.key_string(["---"])
    with pytest.raises(ValueError):
        rfc3797.select(5, 6, SOURCES)
    with pytest.raises(ValueError):
        rfc3797.select(0, 0, SOURCES)


@settings(deadline=None)
@given(st.integers(1, 300), st.data())
def test_selection_is_a_partial_permutation(pool_size: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(0, pool_size))
    source = data.draw(st.text(alphabet="0123456789 ", min_size=1, max_size=12).filter(str.strip))
    chosen = rfc3797.select(pool_size, count, [source])
    assert len(chosen) == count == len(set(chosen))
    assert all(1 <= p <= pool_size for p in chosen)
    # The naive list-removal reading of the RFC gives the same positions.
    key = rfc3797.key_string([source])
    remaining = list(range(1, pool_size + 1))
    naive = [remaining.pop(rfc3797.digest_value(key, i) % len(remaining)) for i in range(count)]
    assert chosen == naive
