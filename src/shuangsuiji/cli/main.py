"""The `ssj` command: one entry point for the engines (no database) and the app (Django)."""

from __future__ import annotations

import typer

from shuangsuiji.cli import admin_ops, app_commands, archive, deadlines, draw, experts, match, workdays

app = typer.Typer(
    help="双随机、一公开 卫生健康监督抽查平台命令行工具",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(draw.app, name="draw", help="随机抽取检查对象：运行、验证、证明、模拟（无需数据库）")
app.add_typer(match.app, name="match", help="随机匹配执法检查人员：运行、验证（无需数据库）")
app.add_typer(experts.app, name="experts", help="专家随机抽取：验证记录（无需数据库）")
app.add_typer(workdays.app, name="workdays", help="工作日计算")
app.add_typer(archive.app, name="archive", help="任务归档包：核对文件摘要（无需数据库）")
app.add_typer(deadlines.app, name="deadlines", help="法定期限：提醒、督办、问责（使用应用数据库）")
deadlines.register_workdays_commands(workdays.app)
app_commands.register(app)
admin_ops.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
