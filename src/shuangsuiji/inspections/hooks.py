"""Points where inspections tell the rest of the system that something happened.

Each function is a no-op here; the lead connects them to the deadline machinery (oversight:
``deadline_open(*, subject, kind, ...)`` / ``deadline_complete``) and to publication. They are called inside
the service's transaction, after the state change, so a connected function may write in the same transaction.

Deadline kinds used (suggested names for oversight):
- ``inspection_entry``: record created → due ``record.entry_deadline`` (10 working days after inspection);
  completed by ``on_result_submitted``.
- ``inspection_review``: submitted → review by the 科室 head; completed by ``on_record_reviewed``.
- ``result_publication``: approved → publication (20 working days after task completion, disclosure app).
- ``rectification``: ``on_rectification_ordered`` → due ``case.rectify_deadline``; completed by the re-check.
- ``penalty_publication``: ``on_penalty_decided`` → due ``case.penalty_publish_deadline`` (7 working days).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User
    from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord
    from shuangsuiji.planning.models import Task


def on_records_generated(*, actor: User, task: Task, created: list[InspectionRecord]) -> None:
    """一企一表 generated for a task (the task can move to 检查中)."""


def on_record_created(*, actor: User, record: InspectionRecord) -> None:
    """A record exists: open the entry deadline (``record.entry_deadline``, provisional until inspected)."""


def on_record_cancelled(*, actor: User, record: InspectionRecord) -> None:
    """The drawn target left the task (re-draw): close the record's open deadlines."""


def on_result_submitted(*, actor: User, record: InspectionRecord) -> None:
    """Results entered: complete the entry deadline, open the review."""


def on_record_reviewed(*, actor: User, record: InspectionRecord, approved: bool) -> None:
    """退回 (approved=False: the entry deadline reopens) or 通过 (ready for publication)."""


def on_case_opened(*, actor: User, case: FollowUpCase) -> None:
    """A follow-up case was opened for a problem."""


def on_rectification_ordered(*, actor: User, case: FollowUpCase) -> None:
    """责令整改 with ``case.rectify_deadline``: remind before it, escalate when it passes without a 复查."""


def on_recheck_recorded(*, actor: User, case: FollowUpCase) -> None:
    """复查 recorded: complete the rectification deadline."""


def on_penalty_decided(*, actor: User, case: FollowUpCase) -> None:
    """行政处罚决定: publish within 7 working days (``case.penalty_publish_deadline``)."""


def on_case_closed(*, actor: User, case: FollowUpCase) -> None:
    """A case was closed with evidence."""
