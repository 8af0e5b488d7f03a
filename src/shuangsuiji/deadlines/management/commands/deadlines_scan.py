"""`manage.py deadlines_scan [--date 2026-11-25]`: run the reminder chain now (same as the huey job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.core.dates import DateParseError, parse_date
from shuangsuiji.deadlines.reminders import deadlines_scan


class Command(BaseCommand):
    help = "立即检查期限：发出临近提醒、逾期督办、问责（可重复运行，不会重复发送）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", default="", help="按指定日期检查（默认今天），如 2026-11-25")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = parse_date(options["date"])
            except DateParseError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(deadlines_scan(today=today).summary())
