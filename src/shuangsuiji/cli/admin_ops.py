"""`ssj backup`, `ssj restore`, `ssj audit …`, `ssj crypto …`: operations on the application database."""

from __future__ import annotations

import base64
import datetime
import json
import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from shuangsuiji.cli import events
from shuangsuiji.cli.app_commands import setup_django

audit_app = typer.Typer(no_args_is_help=True, help="审计日志：完整性校验、签名树头、归档")
crypto_app = typer.Typer(no_args_is_help=True, help="个人信息加密：生成密钥、密钥轮换")
proof_app = typer.Typer(no_args_is_help=True, help="离线核对门户下载的证明和公开记录（无需数据库）")
audit_app.add_typer(proof_app, name="proof", help="离线核对门户下载的证明和公开记录（无需数据库）")


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.add_typer(audit_app, name="audit", help="审计日志：完整性校验、签名树头、归档")
    app.add_typer(crypto_app, name="crypto", help="个人信息加密：生成密钥、密钥轮换")


def backup(out: Annotated[Path, typer.Argument(metavar="备份文件", help="输出文件（不能已存在）")]) -> None:
    """备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump 自定义格式）。"""
    setup_django()
    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.common.backup import database_backup
    from shuangsuiji.common.exceptions import ApplicationError

    try:
        info = database_backup(out)
    except ApplicationError as exc:
        _fail(exc.message, 2)
    typer.echo(f"已备份（{info.engine}）：{info.path}，{info.size} 字节，SHA-256 {info.sha256}")


def restore(
    source: Annotated[Path, typer.Argument(metavar="备份文件", help="ssj backup 生成的文件")],
    force: Annotated[bool, typer.Option("--force", help="目标库非空时也覆盖")] = False,
) -> None:
    """把备份恢复到当前配置的（空）数据库，并校验审计日志哈希链。"""
    setup_django()
    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit.services import audit_chain_verify
    from shuangsuiji.common.backup import database_restore
    from shuangsuiji.common.exceptions import ApplicationError

    try:
        engine = database_restore(source, force=force)
    except ApplicationError as exc:
        _fail(exc.message, 2)
    ok, _, message = audit_chain_verify()
    typer.echo(f"已恢复（{engine}）：{source}")
    typer.echo(message)
    if not ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------- audit


@audit_app.command("verify")
def audit_verify() -> None:
    """重新计算审计日志哈希链和透明日志 Merkle 树，报告第一条被篡改的记录。"""
    setup_django()
    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit.services import audit_chain_verify
    from shuangsuiji.audit.transparency import transparency_verify

    ok, broken, message = audit_chain_verify()
    typer.echo(("✔ " if ok else "✘ ") + message)
    tree = transparency_verify()
    typer.echo(("✔ " if tree.ok else "✘ ") + tree.message)
    if not ok or not tree.ok:
        raise typer.Exit(1)


@audit_app.command("tree-head")
def audit_tree_head() -> None:
    """生成并签名透明日志的树头（每日定时任务也会生成），输出公开的 JSON。"""
    setup_django()
    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit.transparency import tree_head_json, tree_head_sign

    head = tree_head_sign()
    typer.echo(json.dumps(tree_head_json(head), ensure_ascii=False, indent=2))


@audit_app.command("backfill")
def audit_backfill() -> None:
    """把尚未登记的已确认抽取记录和人员匹配记录登记到透明日志，并生成今天的签名树头。"""
    setup_django()
    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit.transparency import tree_head_ensure_today
    from shuangsuiji.draws.commitments import transparency_backfill

    added = transparency_backfill()
    head = tree_head_ensure_today()
    typer.echo(f"新登记 {added} 条；签名树头：{head.tree_size} 条记录，树根 {head.root_hash}")


@proof_app.command("verify")
def audit_proof_verify(
    path: Annotated[Path, typer.Argument(metavar="文件", help="门户下载的 JSON：签名树头、包含证明、一致性证明、"
                                         "公开抽取记录、单位是否在对象池中的证明，或审计包")],
    pool: Annotated[Path | None, typer.Option("--pool", help="公开抽取记录对应的公开对象池 CSV")] = None,
    root: Annotated[str | None, typer.Option("--root", help="单位证明：公布的公开对象池摘要")] = None,
    public_key: Annotated[str | None, typer.Option("--public-key", help="门户公布的树头签名公钥（base64）")] = None,
) -> None:
    """离线核对：签名、Merkle 包含/一致性证明、公开记录与公开对象池、审计包的完整重新计算。"""
    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit import proofs
    from shuangsuiji.core.draw import public as public_draw

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        _fail(f"无法读取 {path}：{error}")
    if not isinstance(data, dict):
        _fail("文件内容不是 JSON 对象")
    kind = data.get("type")
    problems: list[str]
    notes: list[str]
    try:
        if kind == public_draw.PUBLIC_RECORD_TYPE:
            rows = public_draw.read_public_pool_csv(pool.read_bytes()) if pool is not None else None
            check = public_draw.verify_public_record(data, rows)
            problems, notes = check.problems, check.notes
        elif kind == public_draw.PUBLIC_PROOF_TYPE:
            check = public_draw.verify_membership_proof(data, root)
            problems, notes = check.problems, check.notes
            if root is None:
                notes.append("未指定 --root：请把证明中的 public_pool_digest 与门户公布的公开对象池摘要比对")
        elif kind == public_draw.AUDIT_BUNDLE_TYPE:
            check = public_draw.verify_audit_bundle(data)
            problems, notes = check.problems, check.notes
        else:
            result = proofs.check_file(data, public_key=public_key)
            problems, notes = result.problems, result.notes
    except (OSError, KeyError, TypeError, ValueError) as error:
        _fail(f"✘ 文件格式无效：{error}")
    for note in notes:
        if note:
            typer.echo("  " + note)
    if problems:
        for problem in problems:
            typer.echo("✘ " + problem)
        raise typer.Exit(1)
    typer.echo("✔ 验证通过")


@audit_app.command("archive")
def audit_archive_command(
    before: Annotated[str, typer.Option("--before", help="归档此日期（YYYY-MM-DD）之前的记录，须早于保留期")],
    out: Annotated[Path | None, typer.Option("--out", help="归档目录，默认 var/audit-archive")] = None,
) -> None:
    """导出旧审计日志（gzip JSON Lines，含哈希与链锚点）后从库中删除，链条仍可校验。"""
    setup_django()
    from django.conf import settings
    from django.utils import timezone

    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit.archive import audit_archive
    from shuangsuiji.common.exceptions import ApplicationError

    try:
        day = datetime.date.fromisoformat(before)
    except ValueError:
        _fail(f"日期格式不正确：{before}（应为 YYYY-MM-DD）", 2)
    moment = datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())
    try:
        result = audit_archive(before=moment, out_dir=out or Path(settings.VAR_DIR) / "audit-archive")
    except ApplicationError as exc:
        _fail(exc.message, 2)
    if result is None:
        typer.echo("没有需要归档的记录")
        return
    typer.echo(
        f"已归档第 {result.first_seq}–{result.last_seq} 条，共 {result.count} 条：{result.path}"
        f"（SHA-256 {result.sha256}）"
    )


@audit_app.command("verify-archive")
def audit_verify_archive(path: Annotated[Path, typer.Argument(metavar="归档文件")]) -> None:
    """校验一个归档文件内部的哈希链，以及它与库中归档锚点的衔接。"""
    setup_django()
    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit.archive import archive_verify

    check = archive_verify(path)
    typer.echo(("✔ " if check.ok else "✘ ") + check.message)
    if not check.ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------- crypto


@crypto_app.command("generate-key")
def crypto_generate_key() -> None:
    """生成一个新的 32 字节随机密钥（用于 SSJ_FIELD_KEY 或 SSJ_TREE_SIGNING_KEY）。"""
    typer.echo(base64.urlsafe_b64encode(os.urandom(32)).decode("ascii"))


@crypto_app.command("rotate-key")
def crypto_rotate_key(
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="每个事务处理的行数")] = 500,
) -> None:
    """用当前密钥（SSJ_FIELD_KEY）重新加密全部个人信息字段；旧密钥须在 SSJ_FIELD_OLD_KEYS 中。"""
    setup_django()
    from django.db import transaction

    # lazy import: app code needs Django, which the database-free commands (ssj draw, match) never load
    from shuangsuiji.audit.services import audit_record
    from shuangsuiji.common.crypto_rotation import rotate_field_key

    report = rotate_field_key(batch_size=batch_size, progress=lambda label, n: typer.echo(f"{label}：{n} 条"))
    with transaction.atomic():
        audit_record(actor=None, event=events.CRYPTO_ROTATE_KEY, changes={"fields": report.fields, "total": report.total})
    typer.echo(f"完成：共重新加密 {report.total} 个值。确认无误后可从 SSJ_FIELD_OLD_KEYS 中移除旧密钥。")
