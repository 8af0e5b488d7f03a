"""Reads for the portal's 透明日志 page: signed tree heads, their history and consistency proofs between two."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from shuangsuiji.audit import proofs, transparency
from shuangsuiji.audit.models import TransparencyLeaf, TreeHead
from shuangsuiji.core.verification import Verification

HISTORY_LIMIT = 120


def _pretty(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def heads() -> QuerySet[TreeHead]:
    return TreeHead.objects.order_by("-signed_at", "-pk")


def head_get(head_id: int | None) -> TreeHead:
    head = transparency.latest_tree_head() if head_id is None else heads().filter(pk=head_id).first()
    if head is None:
        raise Http404("还没有签名树头")
    return head


def head_bytes(head: TreeHead) -> bytes:
    return _pretty(transparency.tree_head_json(head))


def _parse_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def head_pair(params: Mapping[str, Any]) -> tuple[TreeHead, TreeHead]:
    """The two heads asked for (``from``, ``to``); by default the one before the latest and the latest."""
    latest = list(heads()[:2])
    if not latest:
        raise Http404("还没有签名树头")
    old_id, new_id = _parse_id(params.get("from")), _parse_id(params.get("to"))
    new = head_get(new_id) if new_id is not None else latest[0]
    old = head_get(old_id) if old_id is not None else latest[-1]
    if old.tree_size > new.tree_size:
        old, new = new, old
    return old, new


def consistency_json(old: TreeHead, new: TreeHead) -> dict[str, object]:
    return transparency.consistency_proof_json(old, new)


def consistency_bytes(old: TreeHead, new: TreeHead) -> bytes:
    return _pretty(consistency_json(old, new))


@dataclass(frozen=True)
class LogPage:
    latest: TreeHead | None
    latest_json: dict[str, object] | None
    history: list[TreeHead]
    leaf_count: int
    public_key: str
    key_id: str
    old: TreeHead | None
    new: TreeHead | None
    consistency: Verification | None

    @property
    def latest_text(self) -> str:
        return _pretty(self.latest_json).decode("utf-8") if self.latest_json else ""


def log_page(params: Mapping[str, Any]) -> LogPage:
    latest = transparency.latest_tree_head()
    history = list(heads()[:HISTORY_LIMIT])
    old = new = None
    check = None
    if latest is not None:
        old, new = head_pair(params)
        check = proofs.check_consistency(consistency_json(old, new), public_key=transparency.public_key_b64())
    return LogPage(
        latest=latest, latest_json=transparency.tree_head_json(latest) if latest else None, history=history,
        leaf_count=TransparencyLeaf.objects.count(), public_key=transparency.public_key_b64(),
        key_id=transparency.key_id(), old=old, new=new, consistency=check,
    )
