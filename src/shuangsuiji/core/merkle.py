"""RFC 6962 (Certificate Transparency) Merkle trees over SHA-256, with audit paths.

    leaf hash  = SHA-256(0x00 || leaf bytes)
    inner node = SHA-256(0x01 || left || right)
    MTH(D[n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])),  k = largest power of two < n

Computed level by level (pair neighbours, carry an unpaired last node up unchanged), which gives exactly the
RFC 6962 root. Large levels are hashed in one call (`sha256_batch`). Leaf hashes are passed around as one `bytes` object of n x 32 bytes, so that a million leaves
are one Python object. `subtree_split(n)` tells where the two largest subtrees meet: the draw engine hashes
them in two processes.

Audit paths follow RFC 6962 §2.1.1 (sibling hashes from the leaf up); `verify_audit_path` is the RFC 9162
§2.1.3.2 verification algorithm.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from shuangsuiji.core.sha256_batch import COMPILED_MIN_MESSAGES, sha256_many

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(NODE_PREFIX + left + right).digest()


def leaf_hashes(rows: Iterable[bytes]) -> bytes:
    """The concatenated leaf hashes of the given leaf byte strings."""
    return b"".join(_sha256(LEAF_PREFIX + row).digest() for row in rows)


def next_level(level: bytes) -> bytes:
    """Hash neighbouring pairs of a level (n x 32 bytes); an unpaired last node is carried up unchanged."""
    pairs = len(level) // (2 * HASH_SIZE)
    full = pairs * 2 * HASH_SIZE
    if pairs >= COMPILED_MIN_MESSAGES:
        # All messages 0x01 || left || right laid out in one buffer, hashed in one call.
        messages = np.empty((pairs, 1 + 2 * HASH_SIZE), dtype=np.uint8)
        messages[:, 0] = 1
        messages[:, 1:] = np.frombuffer(level, dtype=np.uint8, count=full).reshape(pairs, 2 * HASH_SIZE)
        upper = sha256_many(messages, np.arange(0, (pairs + 1) * (1 + 2 * HASH_SIZE), 1 + 2 * HASH_SIZE))
    else:
        digest = _sha256
        upper = b"".join(
            [digest(NODE_PREFIX + level[i : i + 2 * HASH_SIZE]).digest() for i in range(0, full, 2 * HASH_SIZE)]
        )
    if full != len(level):
        upper += level[full:]
    return upper


def tree_levels(leaves: bytes) -> list[bytes]:
    """All levels, leaves first, root last (each level is n_i x 32 bytes)."""
    if not leaves or len(leaves) % HASH_SIZE:
        raise ValueError("leaf hashes must be a non-empty multiple of 32 bytes")
    levels = [leaves]
    while len(levels[-1]) > HASH_SIZE:
        levels.append(next_level(levels[-1]))
    return levels


def tree_root(leaves: bytes) -> bytes:
    level = leaves
    if not level or len(level) % HASH_SIZE:
        raise ValueError("leaf hashes must be a non-empty multiple of 32 bytes")
    while len(level) > HASH_SIZE:
        level = next_level(level)
    return level


def subtree_split(size: int) -> int:
    """k = the largest power of two smaller than size (size >= 2)."""
    if size < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((size - 1).bit_length() - 1)


def audit_path(levels: Sequence[bytes], index: int) -> list[bytes]:
    """Sibling hashes from the leaf up to the root (RFC 6962 PATH(m, D[n]))."""
    size = len(levels[0]) // HASH_SIZE
    if not 0 <= index < size:
        raise IndexError(index)
    path = []
    position = index
    for level in levels[:-1]:
        count = len(level) // HASH_SIZE
        sibling = position ^ 1
        if sibling < count:
            path.append(level[sibling * HASH_SIZE : (sibling + 1) * HASH_SIZE])
        position //= 2
    return path


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root implied by an inclusion proof, or None when the proof is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn = index, size - 1
    result = leaf
    for sibling in path:
        if len(sibling) != HASH_SIZE or sn == 0:
            return None
        if fn % 2 == 1 or fn == sn:
            result = node_hash(sibling, result)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return result


def verify_audit_path(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    return root_from_path(leaf, index, size, path) == root


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """The recursive definition of RFC 6962 (slow; used by tests to check the fast level-by-level code)."""
    if len(leaves) == 1:
        return leaves[0]
    k = subtree_split(len(leaves))
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


# ---- Transparency-log API (list of leaf hashes; RFC 6962 §2.1.1–2.1.2 inclusion and consistency proofs)


def empty_root() -> bytes:
    return hashlib.sha256(b"").digest()


def root_from_leaf_hashes(leaves: Sequence[bytes]) -> bytes:
    """MTH over a list of leaf hashes (the empty tree included)."""
    return tree_root(b"".join(leaves)) if leaves else empty_root()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Audit path PATH(m, D[n]) for leaf `index` (RFC 6962 2.1.1), leaf hashes as input."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError("叶子序号超出树的大小")
    if n == 1:
        return []
    k = subtree_split(n)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root_from_leaf_hashes(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root_from_leaf_hashes(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """Check an audit path against a root (RFC 9162 2.1.3.2 algorithm)."""
    return verify_audit_path(leaf, index, tree_size, proof, root)


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 2.1.2: the tree of size `old_size` is a prefix of the current one."""
    n = len(leaves)
    if not 0 < old_size <= n:
        raise ValueError("旧树大小无效")
    return _subproof(leaves, old_size, True)


def _subproof(leaves: Sequence[bytes], m: int, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_from_leaf_hashes(leaves)]
    k = subtree_split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, complete), root_from_leaf_hashes(leaves[k:])]
    return [*_subproof(leaves[k:], m - k, False), root_from_leaf_hashes(leaves[:k])]


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2 verification of a consistency proof."""
    if old_size == new_size:
        return old_root == new_root and not proof
    if not 0 < old_size < new_size or not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # exact power of two: the old root is the first node
        path = [old_root, *path]
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
