"""Run a few independent tasks in forked processes (the machine has 2 cores); sequential fallback.

`fork_map(fn, tasks)` runs tasks[1:] in children created with os.fork (they inherit the parent's memory, so
large inputs are not copied or pickled) and tasks[0] in the calling process; results come back pickled
through pipes. Exceptions raised in a child are re-raised in the parent. Set SSJ_DRAW_WORKERS=1 to switch
forking off (e.g. inside a multi-threaded server where forking is unwelcome).
"""

from __future__ import annotations

import os
import pickle  # nosec B403
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def worker_count() -> int:
    configured = os.environ.get("SSJ_DRAW_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if not hasattr(os, "fork") or sys.platform == "win32":
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 22)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def fork_map(fn: Callable[[T], R], tasks: Sequence[T], *, parallel: bool = True) -> list[R]:
    if not tasks:
        return []
    if not parallel or len(tasks) == 1 or worker_count() < 2:
        return [fn(task) for task in tasks]
    children: list[tuple[int, int]] = []
    for task in tasks[1:]:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            code = 0
            try:
                payload: Any = ("ok", fn(task))
            except BaseException as error:
                payload = ("error", error)
                code = 1
            try:
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as error:  # unpicklable exception
                data = pickle.dumps(("error", RuntimeError(repr(error))))
                code = 1
            view = memoryview(data)
            while view:
                written = os.write(write_fd, view)
                view = view[written:]
            os.close(write_fd)
            os._exit(code)
        os.close(write_fd)
        children.append((pid, read_fd))
    results: list[Any] = []
    first_error: BaseException | None = None
    try:
        results.append(fn(tasks[0]))
    except BaseException as error:
        first_error = error
        results.append(None)
    for pid, read_fd in children:
        data = _read_all(read_fd)
        os.waitpid(pid, 0)
        try:
            status, value = pickle.loads(data) if data else ("error", RuntimeError("子进程异常退出"))  # nosec B301
        except Exception as error:  # pragma: no cover - corrupted pipe
            status, value = "error", error
        if status == "error" and first_error is None:
            first_error = value
        results.append(value)
    if first_error is not None:
        raise first_error
    return results
