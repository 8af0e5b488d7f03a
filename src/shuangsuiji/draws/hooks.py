"""Where the draws app tells oversight what happened: the 双人确认 deadline and the inspectors' notices.

Called by ``draws.services`` **inside** their transaction, after the state change (so a draw never exists without
its confirmation deadline). Notification rows are written in the same transaction; the e-mails are sent after
commit (``transaction.on_commit``), so a mail failure never undoes a draw.

* ``on_draw_done``: opens 抽取结果确认 (2 working days from the day of the draw, per region in
  ``oversight.DeadlineSettings``) and returns it; the draw shows the same due date.
* ``on_draw_confirmed``: completes it (late → 问责 by oversight).
* ``on_draw_superseded``: a re-draw was approved before confirmation: the duty to confirm this draw is gone,
  the deadline is closed (late if it had already passed).
* ``notify_assigned``: one in-app notice (and e-mail) per inspector account and match, listing their targets.
  Inspectors without a login account are told by the 双随机办 as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.scope import user_bureau
from shuangsuiji.core.dates import format_cn_date
from shuangsuiji.deadlines.models import Deadline, DeadlineKind, NotificationKind
from shuangsuiji.deadlines.services import (
    deadline_complete,
    deadline_open,
    notification_build,
    notification_send_emails_safely,
    notifications_create,
)

if TYPE_CHECKING:
    from shuangsuiji.accounts.models import User
    from shuangsuiji.draws.models import Assignment, TargetDraw


def on_draw_done(draw: TargetDraw, *, actor: User) -> Deadline:
    """A draw has a result and now waits for 双人确认: open the 2-working-day deadline (the 抽查部门's 双随机办)."""
    drawn_on = timezone.localdate(draw.drawn_at) if draw.drawn_at else timezone.localdate()
    return deadline_open(
        subject=draw, kind=DeadlineKind.DRAW_CONFIRMATION, start_date=drawn_on, organization=draw.task.owner,
        responsible=None, actor=actor,
    )


def on_draw_confirmed(draw: TargetDraw, *, actor: User) -> None:
    """The draw was confirmed by the second person: the confirmation deadline is met."""
    deadline_complete(subject=draw, kind=DeadlineKind.DRAW_CONFIRMATION, actor=actor, when=draw.confirmed_at)


def on_draw_superseded(draw: TargetDraw, *, actor: User) -> None:
    """An approved re-draw replaced ``draw``: an unconfirmed draw no longer needs confirming."""
    deadline_complete(subject=draw, kind=DeadlineKind.DRAW_CONFIRMATION, actor=actor)


def notify_assigned(assignments: Sequence[Assignment]) -> int:
    """Tell the inspectors (with a login account) of ``assignments`` which targets they were matched to.

    One notice per person and match (key ``match<id>:inspector<id>``, so a retry sends nothing twice);
    returns how many notices were created.
    """
    from shuangsuiji.draws.models import Assignment as AssignmentModel

    if not assignments:
        return 0
    rows = (
        AssignmentModel.objects.filter(pk__in=[a.pk for a in assignments], inspector__user__isnull=False)
        .select_related("inspector__user", "drawn_target__target", "match__task")
        .order_by("inspector_id", "drawn_target__rank")
    )
    by_person: dict[tuple[int, int], list[AssignmentModel]] = defaultdict(list)
    for row in rows:
        by_person[(row.match_id, row.inspector_id)].append(row)
    notices = []
    for (match_id, inspector_id), items in by_person.items():
        first = items[0]
        user = first.inspector.user
        if user is None or not user.is_active:
            continue
        task = first.match.task
        bureau = user_bureau(user)
        same_bureau = bureau is not None and bureau.pk == first.match.owner_id
        names = "、".join(a.drawn_target.target.name for a in items[:10])
        more = f"等{len(items)}户" if len(items) > 10 else f"共{len(items)}户"
        window = ""
        if task.window_start and task.window_end:
            window = f"，检查时间{format_cn_date(task.window_start)}至{format_cn_date(task.window_end)}"
        notices.append(
            notification_build(
                recipient=user, kind=NotificationKind.INFO, key=f"match{match_id}:inspector{inspector_id}",
                title=f"随机匹配检查任务：{task.code} {task.title}"[:200],
                body=f"您已被随机匹配为“{task.title}”的检查人员，检查对象：{names}（{more}）{window}。",
                url=reverse("draws:match_detail", args=[match_id]) if same_bureau else "",
            )
        )
    created = notifications_create(notices)
    if created:
        transaction.on_commit(notification_send_emails_safely)
    return len(created)
