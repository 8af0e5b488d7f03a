"""Offline checks of the transparency log's public JSON (``ssj audit proof verify``): no database, no Django.

* a signed tree head (``ssj.transparency.tree-head``): the Ed25519 signature over the signed message, which is
  rebuilt from the head's fields;
* an inclusion proof (``ssj.transparency.inclusion``): leaf data → RFC 6962 leaf hash → audit path → the root of
  the signed head it is given with;
* a consistency proof (``ssj.transparency.consistency``) between two signed heads (RFC 9162 §2.1.4.2).

Pass ``public_key`` (base64, as published on the portal) to pin the key; otherwise the key embedded in the file
is used and only its fingerprint (key id) is checked, which proves integrity but not origin.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shuangsuiji.core import merkle
from shuangsuiji.core.verification import Verification

HEAD_FORMAT = "ssj-tree-head-v1"




def signed_message(head: Mapping[str, Any]) -> bytes:
    return "\n".join([
        HEAD_FORMAT, str(head["tree_size"]), str(head["root_hash"]), str(head.get("audit_seq") or 0),
        str(head.get("audit_hash") or "-"), str(head["signed_at"]),
    ]).encode("utf-8")


def check_head(head: Mapping[str, Any], check: Verification, *, public_key: str | None = None, what: str = "树头") -> None:
    try:
        key_bytes = base64.b64decode(public_key or str(head["public_key"]))
        key = Ed25519PublicKey.from_public_bytes(key_bytes)
        message = signed_message(head)
        signature = base64.b64decode(str(head["signature"]))
    except (KeyError, TypeError, ValueError) as error:
        check.fail(f"{what}格式无效：{error}")
        return
    if hashlib.sha256(key_bytes).hexdigest()[:16] != head.get("key_id"):
        check.fail(f"{what}的公钥指纹（key_id）与公钥不符")
    if head.get("signed_message") not in (None, message.decode("utf-8")):
        check.fail(f"{what}的 signed_message 与各字段不一致")
    try:
        key.verify(signature, message)
    except InvalidSignature:
        check.fail(f"{what}的 Ed25519 签名无效")
        return
    check.notes.append(
        f"{what}签名有效：{head['tree_size']} 条记录，树根 {head['root_hash']}，签名时间 {head['signed_at']}"
        + ("" if public_key else "（未指定 --public-key，仅校验了文件自带公钥的指纹）")
    )


def check_inclusion(data: Mapping[str, Any], *, public_key: str | None = None) -> Verification:
    check = Verification()
    try:
        head = data["tree_head"]
        index, size = int(data["index"]), int(data["tree_size"])
        leaf_bytes = str(data["leaf_data"]).encode("utf-8")
        path = [bytes.fromhex(h) for h in data["audit_path"]]
        root = bytes.fromhex(str(head["root_hash"]))
        leaf_fields = json.loads(leaf_bytes)
    except (KeyError, TypeError, ValueError) as error:
        check.fail(f"包含证明格式无效：{error}")
        return check
    check_head(head, check, public_key=public_key)
    leaf = merkle.leaf_hash(leaf_bytes)
    if leaf.hex() != data.get("leaf_hash"):
        check.fail("叶子哈希与叶子数据不符")
    if leaf_fields.get("index") != index or leaf_fields.get("digest") != data.get("digest"):
        check.fail("叶子数据中的序号或摘要与证明不符")
    if size != int(head["tree_size"]):
        check.fail(f"证明针对 {size} 条记录的树，签名树头为 {head['tree_size']} 条")
    elif not merkle.verify_inclusion(leaf, index, size, path, root):
        check.fail("审计路径推出的树根与签名树头的树根不符")
    if check.ok:
        check.notes.append(
            f"第 {index} 号记录（{leaf_fields.get('kind')} {leaf_fields.get('ref')}，摘要 {leaf_fields.get('digest')}）"
            f"包含在签名树头的 {size} 条记录中"
        )
    return check


def check_consistency(data: Mapping[str, Any], *, public_key: str | None = None) -> Verification:
    check = Verification()
    try:
        old, new = data["old_head"], data["new_head"]
        old_size, new_size = int(old["tree_size"]), int(new["tree_size"])
        old_root, new_root = bytes.fromhex(str(old["root_hash"])), bytes.fromhex(str(new["root_hash"]))
        proof = [bytes.fromhex(h) for h in data["proof"]]
    except (KeyError, TypeError, ValueError) as error:
        check.fail(f"一致性证明格式无效：{error}")
        return check
    check_head(old, check, public_key=public_key, what="旧树头")
    check_head(new, check, public_key=public_key, what="新树头")
    if old_size == 0:
        consistent = not proof
    else:
        consistent = merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)
    if not consistent:
        check.fail(f"一致性证明不成立：{old_size} 条记录的旧树不是 {new_size} 条记录的新树的前缀（记录被改动或删除）")
    elif check.ok:
        check.notes.append(f"新树（{new_size} 条）包含旧树（{old_size} 条）的全部记录，且未改动")
    return check


def check_file(data: Mapping[str, Any], *, public_key: str | None = None) -> Verification:
    kind = data.get("type")
    if kind == "ssj.transparency.inclusion":
        return check_inclusion(data, public_key=public_key)
    if kind == "ssj.transparency.consistency":
        return check_consistency(data, public_key=public_key)
    if kind == "ssj.transparency.tree-head":
        check = Verification()
        check_head(data, check, public_key=public_key)
        return check
    check = Verification()
    check.fail(f"不认识的文件类型：{kind}")
    return check
