"""Membership / non-membership proofs and the coverage simulation."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.draw import (
    Candidate,
    Pool,
    membership_proof,
    pool_digest,
    simulate_coverage,
    verify_membership_proof,
)
from tests.core.draw.factories import make_pool, unique_candidates


@settings(max_examples=40, deadline=None)
@given(
    unique_candidates(min_size=1, max_size=40),
    st.text(alphabet="0123456789ABCXYZ甲乙", min_size=1, max_size=8),
)
def test_proofs_for_present_and_absent_ids(candidates: list[Candidate], other: str) -> None:
    pool = Pool.from_candidates(candidates)
    root = pool_digest(pool)
    for candidate in candidates[:5]:
        proof = membership_proof(pool, candidate.id)
        assert proof["present"] and verify_membership_proof(proof, root).ok
    proof = membership_proof(pool, other)
    assert proof["present"] == (other in {c.id for c in candidates})
    assert verify_membership_proof(proof, root).ok


def test_forged_proofs_fail() -> None:
    pool = make_pool(100)
    root = pool_digest(pool)
    present = membership_proof(pool, pool.ids[10])
    forged = copy.deepcopy(present)
    forged["leaf"]["row"][3] = "A" if forged["leaf"]["row"][3] != "A" else "B"  # claim another risk class
    assert not verify_membership_proof(forged, root).ok
    renamed = copy.deepcopy(present)
    renamed["id"] = pool.ids[11]
    assert not verify_membership_proof(renamed, root).ok
    assert not verify_membership_proof(present, "00" * 32).ok
    # Claiming "absent" for a present id: its neighbours are not adjacent.
    absent = membership_proof(pool, pool.ids[10] + "0")  # sorts right after ids[10]
    assert verify_membership_proof(absent, root).ok
    lie = copy.deepcopy(absent)
    lie["id"] = pool.ids[10]
    assert not verify_membership_proof(lie, root).ok
    gap = membership_proof(pool, pool.ids[20] + "0")
    gap["right"] = membership_proof(pool, pool.ids[22])["leaf"]
    assert not verify_membership_proof(gap, root).ok
    # Absent beyond both ends.
    for outside in ("", "\uffff"):
        edge = membership_proof(pool, outside or "!")
        assert verify_membership_proof(edge, root).ok


def test_simulation_ensure_mode_covers_everything_within_the_cycle() -> None:
    pool = make_pool(800, seed=11, flag_share=0.01)
    params = {
        "ratio": {"A": "1%", "B": "2%", "C": "10%", "D": "30%"},
        "reference_date": "2024-03-01",
        "coverage_cycle": {"start": "2024-01-01", "years": 3, "mode": "ensure"},
    }
    report = simulate_coverage(pool, params, years=3)
    assert [r["year"] for r in report] == [1, 2, 3]
    assert report[-1]["share"] == 1.0
    assert report[0]["share"] < report[1]["share"] < report[2]["share"]
    prefer = simulate_coverage(
        pool, {**params, "coverage_cycle": {"start": "2024-01-01", "years": 3}}, years=3
    )
    assert prefer[-1]["share"] < 1.0
