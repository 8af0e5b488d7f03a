"""Synthetic pools for the draw tests."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import strategies as st

from shuangsuiji.core.draw import Candidate, Pool

SPECIALTIES = ("公共场所卫生", "生活饮用水卫生", "消毒产品", "医疗卫生", "放射卫生")
REGIONS = ("莲池区", "竞秀区", "满城区")
RATIOS = {"A": "10%", "B": "20%", "C": "40%", "D": "60%"}


def make_candidates(n: int, seed: int = 1, *, flag_share: float = 0.05) -> list[Candidate]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        flags: tuple[str, ...] = ()
        if rng.random() < flag_share:
            flags = (rng.choice(["complaints", "penalized", "blacklist"]),)
        last = date(2021, 1, 1) + timedelta(days=rng.randrange(1300)) if rng.random() < 0.6 else None
        out.append(
            Candidate(
                id=f"T{k:05d}{rng.choice('ABC')}",
                region=rng.choice(REGIONS),
                specialties=tuple(rng.sample(SPECIALTIES, 1 + (rng.random() < 0.3))),
                risk_class=rng.choice("AABBBCCD"),
                risk_flags=flags,
                last_inspected_on=last,
                risk_score=str(rng.choice([1, 2, 3.5, 8])),
            )
        )
    return out


def make_pool(n: int, seed: int = 1, **kwargs: float) -> Pool:
    return Pool.from_candidates(make_candidates(n, seed, **kwargs))


candidate_strategy = st.builds(
    Candidate,
    id=st.text(alphabet="0123456789ABCXYZ甲乙", min_size=1, max_size=8),
    region=st.sampled_from(REGIONS),
    specialties=st.lists(st.sampled_from(SPECIALTIES), min_size=1, max_size=3, unique=True).map(tuple),
    risk_class=st.sampled_from("ABCD"),
    risk_flags=st.lists(st.sampled_from(["complaints", "penalized", "other"]), max_size=2).map(tuple),
    last_inspected_on=st.none() | st.dates(date(2020, 1, 1), date(2024, 5, 31)),
    risk_score=st.sampled_from(["", "1", "2.5", "10"]),
)


def unique_candidates(min_size: int = 1, max_size: int = 60) -> st.SearchStrategy[list[Candidate]]:
    return st.lists(candidate_strategy, min_size=min_size, max_size=max_size, unique_by=lambda c: c.id)
