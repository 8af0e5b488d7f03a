"""SHA-256 of many messages in one call: the compiled path and the hashlib path give plain SHA-256."""

from __future__ import annotations

import hashlib
import os
import random

import numpy as np
import pytest

from shuangsuiji.core import merkle, sha256_batch
from shuangsuiji.core.sha256_batch import COMPILED_MIN_MESSAGES, compiled_available, sha256_many


def messages(count: int, seed: int) -> tuple[bytes, np.ndarray, list[bytes]]:
    rng = random.Random(seed)
    parts = [rng.randbytes(rng.choice([0, 1, 31, 55, 56, 63, 64, 65, 119, 200])) for _ in range(count)]
    offsets = np.cumsum([0, *map(len, parts)])
    return b"".join(parts), offsets, parts


def expected(parts: list[bytes]) -> bytes:
    return b"".join(hashlib.sha256(p).digest() for p in parts)


@pytest.mark.parametrize("count", [1, 2, 100, COMPILED_MIN_MESSAGES, COMPILED_MIN_MESSAGES * 3 + 7])
def test_both_paths_are_plain_sha256(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data, offsets, parts = messages(count, count)
    assert sha256_many(data, offsets) == expected(parts)
    assert sha256_many(np.frombuffer(data, dtype=np.uint8), offsets) == expected(parts)
    monkeypatch.setenv("SSJ_SHA256_BATCH", "hashlib")
    assert not compiled_available()
    assert sha256_many(data, offsets) == expected(parts)


def test_compiled_path_is_used_for_large_batches() -> None:
    # datafusion is pinned in requirements.lock: the fast path must really be there, not silently missing.
    assert compiled_available()


def test_empty_batch() -> None:
    assert sha256_many(b"", np.zeros(1, dtype=np.int64)) == b""


def test_merkle_levels_agree_with_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    for size in (COMPILED_MIN_MESSAGES * 2 - 1, COMPILED_MIN_MESSAGES * 2 + 3):
        leaves = [rng.randbytes(32) for _ in range(size)]
        fast = merkle.tree_root(b"".join(leaves))
        assert fast == merkle.reference_root(leaves)
        monkeypatch.setenv("SSJ_SHA256_BATCH", "hashlib")
        assert merkle.tree_root(b"".join(leaves)) == fast
        monkeypatch.delenv("SSJ_SHA256_BATCH")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_of_a_user_falls_back_to_hashlib() -> None:
    """The compiled path's thread pool does not survive fork: a child must not use it (it would hang)."""
    data, offsets, parts = messages(COMPILED_MIN_MESSAGES + 1, 9)
    assert sha256_many(data, offsets) == expected(parts)  # this process now owns the thread pool
    assert sha256_batch._state["owner"] == os.getpid()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        ok = not compiled_available() and sha256_many(data, offsets) == expected(parts)
        os.write(write_fd, b"1" if ok else b"0")
        os._exit(0)
    os.close(write_fd)
    answer = os.read(read_fd, 1)
    os.close(read_fd)
    os.waitpid(pid, 0)
    assert answer == b"1"
