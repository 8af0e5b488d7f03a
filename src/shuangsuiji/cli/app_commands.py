"""`ssj` commands that work on the application database (they set up Django lazily)."""

from __future__ import annotations

import os
import time

import typer

demo_app = typer.Typer(help="演示数据：加载（幂等）、查看演示账号", no_args_is_help=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
    import django

    django.setup()


def print_demo_logins() -> None:
    from rich.console import Console
    from rich.table import Table

    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.demo import DEMO_PASSWORD, demo_logins

    rows = demo_logins()
    console = Console()
    if not rows:
        console.print("尚未加载演示数据：请运行 ssj demo load")
        return
    table = Table(title=f"演示账号（密码均为 {DEMO_PASSWORD}）")
    for title in ("用户名", "角色", "单位"):
        table.add_column(title)
    for username, role, organization in rows:
        table.add_row(username, role, organization)
    console.print(table)


@demo_app.command("load")
def demo_load(
    targets: int = typer.Option(20_000, "--targets", help="检查对象数量（基准测试可用 1000000）"),
    inspectors: int = typer.Option(300, "--inspectors", help="执法检查人员数量"),
    seed: int = typer.Option(20260101, "--seed", help="随机种子（固定种子保证结果可重复）"),
) -> None:
    """加载演示数据（已存在的不会重复创建），并打印演示账号。"""
    setup_django()
    from django.conf import settings

    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.demo import load_demo

    if getattr(settings, "PRODUCTION", False):
        typer.echo("生产配置（SSJ_PRODUCTION=1）下不能加载演示数据", err=True)
        raise typer.Exit(1)
    started = time.perf_counter()
    ctx = load_demo(size=targets, inspectors=inspectors, seed=seed, log=typer.echo)
    took = time.perf_counter() - started
    if ctx.created:
        summary = "，".join(f"{what} {number}" for what, number in ctx.created.items())
        typer.echo(f"演示数据已加载（{took:.1f} 秒）：新增 {summary}")
    else:
        typer.echo(f"演示数据已是最新，没有变化（{took:.1f} 秒）")
    print_demo_logins()


@demo_app.command("logins")
def demo_logins_command() -> None:
    """列出演示账号（用户名、角色、单位）。"""
    setup_django()
    print_demo_logins()


def register(app: typer.Typer) -> None:
    app.add_typer(demo_app, name="demo")

    @app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(ctx: typer.Context) -> None:
        """运行 Django 管理命令（如 migrate、createsuperuser）。"""
        setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["ssj manage", *ctx.args])
