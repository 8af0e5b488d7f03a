"""`ssj archive verify`: check a task's archive package (归档包) without a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shuangsuiji.core.archive import verify_archive

app = typer.Typer(no_args_is_help=True)


@app.command("verify")
def verify(
    path: Annotated[Path, typer.Argument(metavar="归档包", help="任务归档包 .zip")],
    manifest_sha256: Annotated[
        str | None,
        typer.Option("--manifest-sha256", help="登记的 manifest.json 摘要（归档页面和审计日志中公布），可选"),
    ] = None,
) -> None:
    """核对归档包中每个文件与 manifest.json 的 SHA-256；退出码 0 完好，1 有改动，2 输入错误。"""
    try:
        content = path.read_bytes()
    except OSError as exc:
        typer.echo(f"无法读取 {path}：{exc}", err=True)
        raise typer.Exit(2) from None
    check = verify_archive(content, expected_manifest_sha256=manifest_sha256)
    for message in check.messages:
        typer.echo(f"{check.verdict}：{message}")
    if not check.ok:
        raise typer.Exit(1)
