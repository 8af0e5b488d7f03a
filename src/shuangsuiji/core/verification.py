"""The one result type of a verification: ok + messages.

Used by every recomputation the platform offers — the draw record and its pool proofs (``core.draw``), the public
record and audit bundle (``core.draw.public``), the 专家抽取记录 (``core.experts``), the task archive package
(``core.archive``), the transparency-log proofs (``audit.proofs``) and the stored draws and matches
(``draws.verification``) — and shown the same way by the pages, the API and the ``ssj`` command.

``problems`` say why it failed, ``notes`` what was checked; ``messages`` is both, in that order; ``verdict`` is
一致 / 不一致; ``summary(passed, failed)`` is the ``ssj`` command's text: the headline, then the messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Verification:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, ok: bool, messages: Iterable[str]) -> Verification:
        """A result whose messages are already in the order to show (failures and checks mixed)."""
        lines = list(messages)
        return cls(ok=ok, problems=[] if ok else lines, notes=lines if ok else [])

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.append(message)

    @property
    def messages(self) -> list[str]:
        return [*self.problems, *self.notes]

    @property
    def verdict(self) -> str:
        return "一致" if self.ok else "不一致"

    def summary(self, passed: str, failed: str) -> str:
        """The headline for the outcome (``passed`` or ``failed``), then one message a line."""
        return "\n".join([passed if self.ok else failed, *self.messages])
