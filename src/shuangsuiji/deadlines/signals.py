"""Any calendar row written outside the services (shell, fixtures) still invalidates the cached calendar."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shuangsuiji.deadlines.models import CalendarDay, CalendarRevision, CalendarYear


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def calendar_changed(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loaddata: the revision row is loaded (or bumped) separately
        return
    CalendarRevision.bump()
