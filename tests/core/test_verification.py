"""One verification result type (issue 19): every recomputation answers with core.verification.Verification."""

from __future__ import annotations

import ast
from pathlib import Path

from shuangsuiji.core import archive, experts
from shuangsuiji.core.draw import PROOF_HEADLINES, RECORD_HEADLINES, verify_membership_proof, verify_record
from shuangsuiji.core.draw import public as public_draw
from shuangsuiji.core.verification import Verification

SRC = Path(__file__).resolve().parents[2] / "src" / "shuangsuiji"

# Classes with an `ok: bool` field that are not the verification result type, and why.
NOT_VERIFICATIONS = {
    # the API's response schemas (they serialise a Verification)
    "draws/api.py:VerificationOut",
    "disclosure/api.py:VerificationOut",
    # a plan's coverage-rule check in the API (met or not, with counts): a plan figure, not a recomputation
    "planning/api.py:RuleCheckOut",
    # the audit chain's checks: one message and a count, shown by `ssj audit verify` as one line
    "audit/transparency.py:TreeCheck",
    "audit/archive.py:ArchiveCheck",
}


def test_summary_is_the_headline_then_problems_then_notes() -> None:
    check = Verification()
    check.notes.append("核对了摘要")
    assert check.summary("通过。", "失败：") == "通过。\n核对了摘要"
    check.fail("摘要不一致")
    assert (check.ok, check.verdict) == (False, "不一致")
    assert check.summary("通过。", "失败：") == "失败：\n摘要不一致\n核对了摘要"
    assert Verification.of(False, ["a", "b"]).problems == ["a", "b"]
    assert Verification.of(True, ["a"]).notes == ["a"] and Verification.of(True, ["a"]).ok


def test_every_core_verifier_answers_with_the_one_type() -> None:
    not_a_record = {"type": "something else"}
    results = [
        verify_record(not_a_record),
        verify_membership_proof(not_a_record, "00"),
        public_draw.verify_public_record(not_a_record),
        public_draw.verify_membership_proof(not_a_record),
        public_draw.verify_audit_bundle(not_a_record),
        experts.verify_expert_record(not_a_record),
        archive.verify_archive(b"not a zip"),
    ]
    for result in results:
        assert type(result) is Verification
        assert not result.ok and result.problems and result.verdict == "不一致"
    assert RECORD_HEADLINES[0].startswith("验证通过") and PROOF_HEADLINES == ("证明有效。", "证明无效：")


def test_archive_verification_says_what_matched() -> None:
    content, digest = archive.build_archive({"a.txt": b"1", "b/c.txt": b"2"}, meta={"task": "T"})
    check = archive.verify_archive(content, expected_manifest_sha256=digest)
    assert check.ok and check.notes == ["2 个文件与 manifest.json 相符，manifest.json 与登记的摘要相符"]
    assert archive.verify_archive(content).notes == ["2 个文件与 manifest.json 相符"]


def test_no_second_result_type_with_an_ok_field() -> None:
    found = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.target.id == "ok"
                for item in node.body
            ):
                found.add(f"{path.relative_to(SRC).as_posix()}:{node.name}")
    assert found - NOT_VERIFICATIONS == {"core/verification.py:Verification"}
