"""Jobs queued by huey before they moved from oversight to deadlines (issue 19) still run after an upgrade."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY
from huey.registry import Message
from huey.storage import MemoryStorage

from shuangsuiji.common.jobs import SKIPPED, register_moved_task
from shuangsuiji.deadlines import tasks

OLD_SCAN = "shuangsuiji.oversight.tasks.deadline_scan_task"
OLD_EMAIL = "shuangsuiji.oversight.tasks.notification_email_task"


def _queued_before_the_upgrade(name: str) -> bytes:
    """The bytes huey stored for a job of the old version: a pickled Message naming the job by its old key."""
    message = Message(uuid.uuid4().hex, name, None, 0, 0, None, (), {}, None, None, None, None, None, None, None)
    queue = MemoryStorage("upgrade-test")
    queue.enqueue(HUEY.serializer.serialize(message))
    data = queue.dequeue()
    assert isinstance(data, bytes)
    return data


# Transactional (run with the serial tests): a consumer runs a job outside any transaction, and huey's db_task
# closes stale connections around it, which inside a test's transaction would close the connection (PostgreSQL).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_queued_under_its_old_name_is_run_by_the_moved_function(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[int] = []

    def send() -> int:
        sent.append(1)
        return 4

    monkeypatch.setattr(tasks, "notification_send_emails", send)
    task = HUEY.deserialize_task(_queued_before_the_upgrade(OLD_EMAIL))  # what a consumer does with it
    assert type(task).__module__ == "shuangsuiji.oversight.tasks" and task.name == "notification_email_task"
    assert HUEY.execute(task) == 4 and sent == [1]
    # it is the job as it is now: a second run in the same schedule slot is skipped (periodic_once)
    again = HUEY.execute(HUEY.deserialize_task(_queued_before_the_upgrade(OLD_EMAIL)))
    assert (again, sent) in ((SKIPPED, [1]), (4, [1, 1]))  # 4 only when a 10-minute slot began in between


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_old_deadline_scan_runs_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    class Report:
        def summary(self) -> str:
            return "已检查 0 个期限"

    monkeypatch.setattr(tasks, "deadlines_scan", Report)
    assert HUEY.execute(HUEY.deserialize_task(_queued_before_the_upgrade(OLD_SCAN))) == "已检查 0 个期限"


def test_old_names_are_registered_but_never_scheduled() -> None:
    registry: dict[str, Any] = HUEY._registry._registry
    assert {OLD_SCAN, OLD_EMAIL} <= set(registry)
    assert {"shuangsuiji.deadlines.tasks.deadline_scan_task", "shuangsuiji.deadlines.tasks.notification_email_task"} <= set(registry)
    periodic = {f"{t.__module__}.{t.__name__}" for t in HUEY._registry._periodic_tasks}
    assert OLD_SCAN not in periodic and OLD_EMAIL not in periodic
    assert "shuangsuiji.deadlines.tasks.deadline_scan_task" in periodic


def test_an_old_name_must_name_a_module_and_a_function() -> None:
    with pytest.raises(ValueError):
        register_moved_task(tasks.deadline_scan_task, "deadline_scan_task")
