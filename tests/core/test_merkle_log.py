"""RFC 6962 Merkle tree: Certificate Transparency's test vectors, proofs, and the recursive definition."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.core import merkle

# Test data and roots of the certificate-transparency reference implementation (merkle_tree_test).
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
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


def _reference_root(data: list[bytes]) -> bytes:
    """MTH straight from RFC 6962 section 2.1."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + _reference_root(data[:k]) + _reference_root(data[k:])).digest()


def test_certificate_transparency_vectors() -> None:
    leaves = [merkle.leaf_hash(bytes.fromhex(d)) for d in CT_LEAVES]
    for size, expected in enumerate(CT_ROOTS, start=1):
        assert merkle.root_from_leaf_hashes(leaves[:size]).hex() == expected
    assert merkle.root_from_leaf_hashes([]) == hashlib.sha256(b"").digest()


def test_leaf_and_node_prefixes_differ() -> None:
    a, b = merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")
    # A node can never be passed off as a leaf of the concatenated data (second-preimage protection).
    assert merkle.node_hash(a, b) != merkle.leaf_hash(a + b)


@given(st.lists(st.binary(max_size=8), max_size=40))
def test_root_matches_recursive_definition(data: list[bytes]) -> None:
    leaves = [merkle.leaf_hash(d) for d in data]
    assert merkle.root_from_leaf_hashes(leaves) == _reference_root(data)


@given(st.lists(st.binary(max_size=4), min_size=1, max_size=40, unique=True), st.data())
def test_inclusion_proofs_verify_and_reject_wrong_leaves(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(d) for d in data]
    root = merkle.root_from_leaf_hashes(leaves)
    index = draw.draw(st.integers(0, len(leaves) - 1))
    proof = merkle.inclusion_proof(leaves, index)
    assert merkle.verify_inclusion(leaves[index], index, len(leaves), proof, root)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged" + data[index]), index, len(leaves), proof, root)
    if len(leaves) > 1:
        assert not merkle.verify_inclusion(leaves[index], (index + 1) % len(leaves), len(leaves), proof, root)


@given(st.lists(st.binary(max_size=4), min_size=1, max_size=40), st.data())
def test_consistency_proofs(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(d) for d in data]
    old_size = draw.draw(st.integers(1, len(leaves)))
    old_root = merkle.root_from_leaf_hashes(leaves[:old_size])
    new_root = merkle.root_from_leaf_hashes(leaves)
    proof = merkle.consistency_proof(leaves, old_size)
    assert merkle.verify_consistency(old_size, len(leaves), old_root, new_root, proof)
    if old_size < len(leaves):
        assert not merkle.verify_consistency(old_size, len(leaves), merkle.leaf_hash(b"x"), new_root, proof)
