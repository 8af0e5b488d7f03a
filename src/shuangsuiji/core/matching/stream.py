"""The matching's random stream: SHAKE-256 of the seed, a label and a call counter.

Each call to `words(n)` hashes (seed, label, call number) with SHAKE-256 and reads n big-endian 64-bit
words from the output, so a verifier in any language can recompute every random number from the public
randomness and the input digests alone (no dependency on numpy's generators). Bounded integers are exactly
uniform: 64-bit words at or above the largest multiple of m are rejected and redrawn.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

U64Array = npt.NDArray[np.uint64]
IntArray = npt.NDArray[np.int64]
_TWO64 = 1 << 64


class Stream:
    def __init__(self, seed_hex: str, label: str) -> None:
        self.key = b"ssj-match-stream\x00" + bytes.fromhex(seed_hex) + label.encode("utf-8") + b"\x00"
        self.calls = 0
        self._buffer: list[int] = []

    def words(self, count: int) -> U64Array:
        if count <= 0:
            return np.zeros(0, dtype=np.uint64)
        data = hashlib.shake_256(self.key + self.calls.to_bytes(8, "big")).digest(8 * count)
        self.calls += 1
        return np.frombuffer(data, dtype=">u8").astype(np.uint64)

    def uniform_array(self, bounds: IntArray) -> IntArray:
        """One exactly uniform integer in [0, m) per m in `bounds` (every m >= 1, m < 2**63)."""
        m = bounds.astype(np.uint64)
        out = np.zeros(len(m), dtype=np.uint64)
        todo = np.arange(len(m), dtype=np.int64)
        while len(todo):
            x = self.words(len(todo))
            mm = m[todo]
            remainder = (np.uint64(0) - mm) % mm  # 2**64 mod m
            ok = (remainder == 0) | (x < np.uint64(0) - remainder)
            out[todo[ok]] = x[ok] % mm[ok]
            todo = todo[~ok]
        return out.astype(np.int64)

    def uniform(self, m: int) -> int:
        """Exactly uniform integer in [0, m); words are read in blocks of 1,024 for speed."""
        limit = _TWO64 - (_TWO64 % m)
        while True:
            if not self._buffer:
                self._buffer = self.words(1024).tolist()[::-1]
            x = self._buffer.pop()
            if x < limit:
                return x % m

    def coins(self, up: IntArray, down: IntArray) -> npt.NDArray[np.bool_]:
        """Per cycle: True (push +up) with probability down / (up + down), exactly."""
        return self.uniform_array(up + down) < down

    def coin(self, up: int, down: int) -> bool:
        return self.uniform(up + down) < down

    def keys(self, count: int) -> U64Array:
        """Random sort keys (ties broken by the caller's canonical order)."""
        return self.words(count)
