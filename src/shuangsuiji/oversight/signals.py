"""Signals of the statistics: the 名录库 or the work of a bureau changed → its counts are recomputed lazily."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

# ---------------------------------------------------------------------------------------- dashboard summary


def _library_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from shuangsuiji.oversight.summary import mark_dirty

    mark_dirty(getattr(instance, "owner_id", None))


def _import_finished(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.status != "done" or instance.kind != "targets":
        return
    from shuangsuiji.oversight.summary import mark_dirty

    mark_dirty(instance.owner_id)


def connect_summary_signals() -> None:
    """The 检查对象名录库 changed → its counts (``TargetStat``) are re-counted before they are shown again."""
    from django.db.models.signals import m2m_changed

    from shuangsuiji.directory.models import ImportJob, Target

    post_save.connect(_library_changed, sender=Target, dispatch_uid="ssj_targetstat_target")
    m2m_changed.connect(_library_changed, sender=Target.specialties.through, dispatch_uid="ssj_targetstat_spec")
    post_save.connect(_import_finished, sender=ImportJob, dispatch_uid="ssj_targetstat_import")


connect_summary_signals()


# ---------------------------------------------------------------------------------------- figure snapshots


def _work_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from shuangsuiji.oversight.snapshots import mark_dirty

    owner_id = getattr(instance, "owner_id", None)
    if owner_id is None and getattr(instance, "deadline_id", None) is not None:  # a notification
        from shuangsuiji.deadlines.models import Deadline

        owner_id = Deadline.objects.filter(pk=instance.deadline_id).values_list("owner_id", flat=True).first()
    mark_dirty(owner_id)


def connect_snapshot_signals() -> None:
    """A bureau's work changed → its dashboard snapshot (``FigureSnapshot``) is recomputed before it is shown."""
    from django.db.models.signals import m2m_changed

    from shuangsuiji.deadlines.models import Accountability, Deadline, Notification, Supervision
    from shuangsuiji.draws.models import InspectorMatch, TargetDraw
    from shuangsuiji.inspections.models import FollowUpCase, InspectionRecord
    from shuangsuiji.planning.models import Task

    for model in (Task, TargetDraw, InspectorMatch, InspectionRecord, FollowUpCase, Deadline, Notification,
                  Supervision, Accountability):
        post_save.connect(_work_changed, sender=model, dispatch_uid=f"ssj_snapshot_save_{model.__name__}")
        post_delete.connect(_work_changed, sender=model, dispatch_uid=f"ssj_snapshot_delete_{model.__name__}")
    m2m_changed.connect(_work_changed, sender=InspectionRecord.result_codes.through,
                        dispatch_uid="ssj_snapshot_result_codes")
    m2m_changed.connect(_work_changed, sender=Task.specialties.through, dispatch_uid="ssj_snapshot_task_specialties")


connect_snapshot_signals()
