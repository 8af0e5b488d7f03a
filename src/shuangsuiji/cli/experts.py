"""`ssj experts verify`: re-run a published 专家抽取记录 (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from shuangsuiji.core.experts import verify_expert_record

app = typer.Typer(no_args_is_help=True, add_completion=False)


@app.command("verify")
def verify(record: Path = typer.Argument(..., help="专家抽取记录 JSON（页面“下载专家抽取记录”）")) -> None:
    """重新计算专家抽取记录：退出码 0 一致，1 不一致，2 输入错误。"""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.echo(f"无法读取记录：{exc}", err=True)
        raise typer.Exit(2) from None
    if not isinstance(data, dict):
        typer.echo("记录格式不正确", err=True)
        raise typer.Exit(2)
    check = verify_expert_record(data)
    typer.echo(f"{check.verdict}：" + "；".join(check.messages))
    if not check.ok:
        raise typer.Exit(1)
