"""RFC 6962 Merkle tree: the Certificate Transparency reference vectors, audit paths, tampering."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core import merkle

# The RFC 6962 reference leaves and tree heads (Certificate Transparency test vectors).
CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATHS = {
    0: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    5: ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}  # fmt: skip


def test_reference_tree_heads() -> None:
    for size in range(1, 9):
        leaves = merkle.leaf_hashes(CT_LEAVES[:size])
        assert merkle.tree_root(leaves).hex() == CT_ROOTS[size - 1]


def test_reference_audit_paths() -> None:
    levels = merkle.tree_levels(merkle.leaf_hashes(CT_LEAVES))
    root = bytes.fromhex(CT_ROOTS[-1])
    for index, expected in CT_PATHS.items():
        path = merkle.audit_path(levels, index)
        assert [h.hex() for h in path] == expected
        assert merkle.verify_audit_path(merkle.leaf_hash(CT_LEAVES[index]), index, 8, path, root)


def test_prefixes_are_distinct() -> None:
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    assert merkle.node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()


@settings(deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=70))
def test_level_by_level_equals_recursive_definition(rows: list[bytes]) -> None:
    leaves = [merkle.leaf_hash(r) for r in rows]
    levels = merkle.tree_levels(b"".join(leaves))
    root = merkle.reference_root(leaves)
    assert levels[-1] == root
    for index in range(len(rows)):
        path = merkle.audit_path(levels, index)
        assert merkle.verify_audit_path(leaves[index], index, len(rows), path, root)
        if path:
            bad = [path[0][:-1] + bytes([path[0][-1] ^ 1]), *path[1:]]
            assert not merkle.verify_audit_path(leaves[index], index, len(rows), bad, root)
        other = (index + 1) % len(rows)
        if other != index and leaves[other] != leaves[index]:
            assert not merkle.verify_audit_path(leaves[other], index, len(rows), path, root)


def test_malformed_proofs_are_rejected() -> None:
    levels = merkle.tree_levels(merkle.leaf_hashes(CT_LEAVES))
    root = levels[-1]
    path = merkle.audit_path(levels, 3)
    leaf = merkle.leaf_hash(CT_LEAVES[3])
    assert merkle.verify_audit_path(leaf, 3, 8, path, root)
    assert not merkle.verify_audit_path(leaf, 3, 9, path, root)  # wrong size
    assert not merkle.verify_audit_path(leaf, 2, 8, path, root)  # wrong index
    assert not merkle.verify_audit_path(leaf, 3, 8, path[:-1], root)  # truncated
    assert not merkle.verify_audit_path(leaf, 3, 8, [*path, root], root)  # too long
    assert not merkle.verify_audit_path(leaf, 8, 8, path, root)  # out of range


def test_split_and_errors() -> None:
    assert [merkle.subtree_split(n) for n in (2, 3, 4, 5, 8, 9, 1_000_000)] == [1, 2, 2, 4, 4, 8, 524_288]
    with pytest.raises(ValueError):
        merkle.subtree_split(1)
    with pytest.raises(ValueError):
        merkle.tree_root(b"")
