"""Publicly verifiable, risk-differentiated random draw of inspection targets (DESIGN §4). Pure Python.

Public API (used by the `ssj draw` CLI, the benchmark and the Django `draws` app, which calls it in memory):

- `Candidate(id, region, specialties, risk_class, risk_flags=(), last_inspected_on=None, risk_score="")`:
  frozen dataclass, canonicalised on construction (invalid values raise `DrawInputError`).
- `Pool.from_candidates(iterable)` / `Pool.from_rows(value tuples in COLUMNS order)` (e.g. a queryset's
  values_list, no object per row) / `Pool.from_csv(path)` = `read_pool_csv(path)`, or `read_pool_bytes(content, name=…)`: the pool in
  canonical order (by id), column-wise; `pool_to_csv(pool, path)` and `pool_csv_bytes(pool)` write it back
  canonically (same digest, and the fast reader's format: store the
  frozen pool this way).
- `pool_digest(pool) -> str`: hex RFC 6962 Merkle root (SHA-256) over the canonical rows.
- `parse_params(dict) -> DrawParams` (Chinese `DrawInputError` on bad input); `encode_params` back to JSON.
- `run_draw(pool, params, randomness, *, previous_record=None, redraw_reason=None) -> dict`: the sealed
  draw record (JSON-serialisable; `record["record_digest"]` is SHA-256 over its canonical JSON).
- `verify_record(record, pool=None, *, previous_record=None) -> core.verification.Verification`
  (ok, problems, notes); messages are Chinese; `ssj draw verify` prints `summary(*RECORD_HEADLINES)`.
- `membership_proof(pool, id) -> dict` and `verify_membership_proof(proof, root_hex) -> Verification`:
  inclusion proof, or non-inclusion via the two neighbours in canonical order.
- `simulate_coverage(pool, params, years=N, randomness_prefix=...)`: yearly coverage shares.
- `selected_ids(record)`; `DrawInputError` (a `ValueError` with a Chinese message).

The algorithm (rows, tree, seed, stream, Fisher–Yates, systematic PPS, RFC 3797 method) is specified in
README.md (随机抽取) and examples/draw/README.md so that anyone can re-implement the verifier.
"""

from shuangsuiji.core.draw.engine import record_digest, run_draw, selected_ids
from shuangsuiji.core.draw.model import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    COLUMNS,
    REQUIRED_COLUMNS,
    Candidate,
    CoverageCycle,
    DoNotDisturb,
    DrawInputError,
    DrawParams,
    Weighting,
    encode_params,
    parse_params,
)
from shuangsuiji.core.draw.pool import (
    Pool,
    pool_csv_bytes,
    pool_digest,
    pool_to_csv,
    read_pool_bytes,
    read_pool_csv,
)
from shuangsuiji.core.draw.simulate import simulate_coverage
from shuangsuiji.core.draw.verify import (
    PROOF_HEADLINES,
    RECORD_HEADLINES,
    membership_proof,
    verify_membership_proof,
    verify_record,
)

__all__ = [
    "ALGORITHM_NAME",
    "ALGORITHM_VERSION",
    "COLUMNS",
    "PROOF_HEADLINES",
    "RECORD_HEADLINES",
    "REQUIRED_COLUMNS",
    "Candidate",
    "CoverageCycle",
    "DoNotDisturb",
    "DrawInputError",
    "DrawParams",
    "Pool",
    "Weighting",
    "encode_params",
    "membership_proof",
    "parse_params",
    "pool_digest",
    "pool_csv_bytes",
    "pool_to_csv",
    "read_pool_bytes",
    "read_pool_csv",
    "record_digest",
    "run_draw",
    "selected_ids",
    "simulate_coverage",
    "verify_membership_proof",
    "verify_record",
]
