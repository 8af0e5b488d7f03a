"""SHA-256 of many short messages in one call (the Merkle leaves and inner nodes of a draw pool).

`sha256_many(data, offsets)` returns the concatenated digests (n x 32 bytes) of the messages
data[offsets[i]:offsets[i + 1]]. With hashlib every message costs a Python call (about 0.5 µs, mostly
OpenSSL context set-up, not hashing); a million-row pool needs two million of them. For large batches the
messages are handed as one Arrow binary array to Apache DataFusion's `sha256` function (Rust, SHA-NI where
the processor has it), which hashes the whole batch in compiled code for about a quarter of the CPU time.
The digests are plain SHA-256 either way: tests check both paths against hashlib.

DataFusion runs queries on a Rust thread pool that does not survive `os.fork`: a process forked from one
that has already used it would hang. The process that first set DataFusion up is remembered; any other
process (a forked child of it) uses hashlib. Set SSJ_SHA256_BATCH=hashlib to switch the compiled path off.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import numpy as np

COMPILED_MIN_MESSAGES = 4096  # below this, setting up the query costs more than it saves

_sha256 = hashlib.sha256
_state: dict[str, Any] = {"owner": None, "context": None}


def compiled_available() -> bool:
    """Whether large batches go through the compiled path in this process."""
    return _context() is not None


def _context() -> Any:
    if os.environ.get("SSJ_SHA256_BATCH", "").strip().lower() == "hashlib":
        return None
    owner = _state["owner"]
    if owner is not None:
        return _state["context"] if owner == os.getpid() else None
    _state["owner"] = os.getpid()
    try:
        from datafusion import SessionConfig, SessionContext
    except ImportError:  # pragma: no cover - datafusion is in requirements.lock; hashlib still works
        return None
    # One partition: the draw already spreads its work over processes; a second thread would compete.
    _state["context"] = SessionContext(SessionConfig().with_target_partitions(1))
    return _state["context"]


def sha256_many(data: bytes | bytearray | memoryview | np.ndarray, offsets: np.ndarray) -> bytes:
    """Concatenated SHA-256 digests of data[offsets[i]:offsets[i + 1]] for i in 0..len(offsets)-2."""
    count = len(offsets) - 1
    if count <= 0:
        return b""
    context = _context() if count >= COMPILED_MIN_MESSAGES else None
    if context is not None:
        return _compiled(context, data, offsets, count)
    buffer = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
    bounds = offsets.tolist()
    digest = _sha256
    return b"".join([digest(buffer[a:b]).digest() for a, b in zip(bounds, bounds[1:], strict=False)])


def _compiled(context: Any, data: bytes | bytearray | memoryview | np.ndarray, offsets: np.ndarray, count: int) -> bytes:
    import pyarrow as pa
    from datafusion import col
    from datafusion import functions as f

    values = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data.view(np.uint8)
    large = int(offsets[-1]) >= 2**31 - 1
    typed = np.ascontiguousarray(offsets, dtype=np.int64 if large else np.int32)
    array = pa.Array.from_buffers(
        pa.large_binary() if large else pa.binary(),
        count,
        [None, pa.py_buffer(typed), pa.py_buffer(np.ascontiguousarray(values))],
    )
    frame = context.from_arrow(pa.table({"m": array}))
    digests = frame.select(f.sha256(col("m")).alias("h")).to_arrow_table().column("h").combine_chunks()
    if digests.type not in (pa.binary(), pa.large_binary()):  # pragma: no cover - another DataFusion version
        digests = digests.cast(pa.binary())
    if len(digests) != count:  # pragma: no cover - defensive: never trust a silent mismatch
        raise RuntimeError("SHA-256 batch returned a wrong number of digests")
    out_offsets = np.frombuffer(
        digests.buffers()[1], dtype=np.int64 if digests.type == pa.large_binary() else np.int32
    )[digests.offset : digests.offset + count + 1]
    start, stop = int(out_offsets[0]), int(out_offsets[-1])
    if stop - start != 32 * count:  # pragma: no cover - defensive
        raise RuntimeError("SHA-256 batch returned digests of a wrong length")
    buffer = digests.buffers()[2]
    return memoryview(buffer)[start:stop].tobytes()
