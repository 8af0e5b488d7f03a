"""`make run`: serve the app and run the background job consumer (huey) beside it."""

from __future__ import annotations

# Starts our own huey consumer with a fixed argument list (security/bandit-justifications.md)
import subprocess  # nosec B404
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站并同时启动后台任务（提醒、导入）处理进程"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        consumer = subprocess.Popen(  # nosec B603
            [sys.executable, "-m", "shuangsuiji.manage", "run_huey", "--workers", "2"]
        )
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            consumer.terminate()
            consumer.wait(timeout=10)
