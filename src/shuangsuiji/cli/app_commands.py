"""`ssj` commands that work on the application database (they set up Django lazily)."""

from __future__ import annotations

import os

import typer


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()


def register(app: typer.Typer) -> None:
    @app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(ctx: typer.Context) -> None:
        """运行 Django 管理命令（如 migrate、createsuperuser）。"""
        setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ssj manage", *ctx.args])
