"""The one result type of a verification (draw, match, public record, proof, audit bundle): ok + messages.

``problems`` say why it failed, ``notes`` what was checked; ``messages`` is both, in that order, as pages, the
API and the ``ssj`` command show them; ``verdict`` is 一致 / 不一致.
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
