"""`ssj draw`: publicly verifiable random draw of inspection targets (run, verify, prove, verify-proof, simulate).

No database: the pool is a CSV file, parameters a JSON file; see examples/draw/README.md.
Exit codes: 0 success / consistent, 1 verification failed, 2 bad input (Chinese message on stderr, no output
file written).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from shuangsuiji.core.draw import (
    PROOF_HEADLINES,
    RECORD_HEADLINES,
    DrawInputError,
    Pool,
    membership_proof,
    read_pool_csv,
    run_draw,
    simulate_coverage,
    verify_membership_proof,
    verify_record,
)
from shuangsuiji.core.draw.model import RISK_CLASSES
from shuangsuiji.core.verification import Verification

app = typer.Typer(no_args_is_help=True, help="随机抽取检查对象：运行、验证、证明、模拟（无需数据库）")

PRETTY_LIMIT = 5000  # records with more selected targets are written compactly (still sorted keys)


class CliInputError(ValueError):
    """A file-level problem reported in Chinese."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误：{message}", err=True)
    return typer.Exit(code=2)


def write_json_atomically(path: Path, payload: dict[str, Any], *, pretty: bool = True) -> None:
    """Write to a temporary file beside the target, then rename: never a partial output file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            if pretty:
                json.dump(payload, stream, ensure_ascii=False, indent=2, sort_keys=True)
            else:
                stream.write(json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise CliInputError(f"无法读取{what} {path}：{error.strerror}") from error
    except UnicodeDecodeError:
        raise CliInputError(f"{what} {path.name} 不是 UTF-8 编码") from None
    except json.JSONDecodeError as error:
        raise CliInputError(f"{what} {path.name} 不是有效的 JSON：第{error.lineno}行 {error.msg}") from error
    if not isinstance(data, dict):
        raise CliInputError(f"{what} {path.name} 必须是 JSON 对象")
    return data


def read_record(path: Path) -> dict[str, Any]:
    data = read_json(path, "抽取记录")
    if data.get("type") != "ssj.draw":
        raise CliInputError(f"{path.name} 不是随机抽取记录（type 不是 ssj.draw）")
    return data


def _load_pool(path: Path) -> Pool:
    return read_pool_csv(path)


def _print_verdict(result: Verification, headlines: tuple[str, str]) -> None:
    """The headline and messages: on stdout when consistent, else on stderr with exit code 1."""
    if result.ok:
        typer.echo(result.summary(*headlines))
    else:
        typer.echo(result.summary(*headlines), err=True)
        raise typer.Exit(code=1)


PoolOpt = Annotated[Path, typer.Option("--pool", help="检查对象库 CSV（UTF-8）")]
ParamsOpt = Annotated[Path, typer.Option("--params", help="抽取参数 JSON")]
RandomOpt = Annotated[list[str], typer.Option("--random", help="公开随机数（可重复，顺序有意义）")]


@app.command("run")
def run_command(
    pool: PoolOpt,
    params: ParamsOpt,
    random: RandomOpt,
    out: Annotated[Path, typer.Option("--out", help="输出的抽取记录 JSON")],
    previous: Annotated[
        Path | None, typer.Option("--previous", help="重新抽取时引用的原记录（不会被修改）")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="重新抽取的理由")] = None,
) -> None:
    """按参数从对象库中随机抽取检查对象，写出可验证的抽取记录。"""
    try:
        previous_record = read_record(previous) if previous else None
        if previous is not None and out.resolve() == previous.resolve():
            raise CliInputError("新记录不能覆盖原记录，请使用不同的 --out 文件")
        if previous is None and reason:
            raise CliInputError("--reason 只用于重新抽取（需同时给出 --previous）")
        parameters = read_json(params, "参数文件")
        loaded = _load_pool(pool)
        record = run_draw(loaded, parameters, random, previous_record=previous_record, redraw_reason=reason)
        write_json_atomically(out, record, pretty=record["summary"]["selected"] <= PRETTY_LIMIT)
    except (CliInputError, DrawInputError) as error:
        raise _fail(str(error)) from None
    summary = record["summary"]
    typer.echo(
        f"对象库 {summary['pool_size']} 个对象（摘要 {record['pool']['digest']}），分 {summary['strata']} 层；"
        f"抽中 {summary['selected']} 个（必查 {summary['mandatory']}，随机 {summary['drawn']}）"
    )
    for stratum in record["strata"]:
        typer.echo(
            f"  {stratum['key']}：{stratum['size']} 个，应抽 {stratum['quota']}，必查 {stratum['mandatory']}，"
            f"随机 {stratum['drawn']}，排除 {stratum['excluded_recent'] + stratum['excluded_do_not_disturb']}"
        )
    for note in record["notes"]:
        typer.echo(f"  说明：{note}")
    if record["previous_record_digest"]:
        typer.echo(
            f"重新抽取：引用原记录 {record['previous_record_digest'][:16]}…，理由：{record['redraw_reason']}"
        )
    typer.echo(f"记录摘要 {record['record_digest']}")
    typer.echo(f"已写出 {out}")


@app.command("verify")
def verify_command(
    record_path: Annotated[Path, typer.Argument(help="抽取记录 JSON")],
    pool: Annotated[
        Path | None, typer.Option("--pool", help="检查对象库 CSV；不给出时只核对记录本身")
    ] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="重抽记录所引用的原记录")] = None,
) -> None:
    """根据对象库、参数和公开随机数重新计算，核对抽取记录（退出码 0 一致，1 不一致，2 输入错误）。"""
    try:
        record = read_record(record_path)
        previous_record = read_record(previous) if previous else None
        loaded = _load_pool(pool) if pool else None
        result = verify_record(record, loaded, previous_record=previous_record)
    except (CliInputError, DrawInputError) as error:
        raise _fail(str(error)) from None
    _print_verdict(result, RECORD_HEADLINES)


@app.command("prove")
def prove_command(
    record_path: Annotated[Path, typer.Argument(help="抽取记录 JSON")],
    pool: PoolOpt,
    candidate_id: Annotated[str, typer.Option("--id", help="检查对象编号（统一社会信用代码）")],
    out: Annotated[Path | None, typer.Option("--out", help="把证明写入文件（默认打印）")] = None,
) -> None:
    """给出某检查对象在（或不在）抽取所用对象库中的 Merkle 证明。"""
    try:
        record = read_record(record_path)
        loaded = _load_pool(pool)
        digest = loaded.root().hex()
        if digest != record.get("pool", {}).get("digest"):
            raise CliInputError("所给对象库的摘要与抽取记录中的对象库摘要不同，不能据此出具证明")
        proof = membership_proof(loaded, candidate_id.strip())
        if out:
            write_json_atomically(out, proof)
    except (CliInputError, DrawInputError) as error:
        raise _fail(str(error)) from None
    verdict = "在" if proof["present"] else "不在"
    if out:
        typer.echo(f"{candidate_id} {verdict}对象库中；证明已写出 {out}")
    else:
        typer.echo(json.dumps(proof, ensure_ascii=False, indent=2, sort_keys=True))


@app.command("verify-proof")
def verify_proof_command(
    proof_path: Annotated[Path, typer.Argument(help="证明 JSON（ssj draw prove 的输出）")],
    record: Annotated[
        Path | None, typer.Option("--record", help="抽取记录 JSON（取其中的对象库摘要）")
    ] = None,
    root: Annotated[str | None, typer.Option("--root", help="公布的对象库摘要（十六进制）")] = None,
) -> None:
    """用公布的对象库摘要核对 Merkle 证明。"""
    try:
        proof = read_json(proof_path, "证明文件")
        if (record is None) == (root is None):
            raise CliInputError("请给出 --record 或 --root 之一")
        expected = read_record(record)["pool"]["digest"] if record else (root or "").strip().lower()
        result = verify_membership_proof(proof, expected)
    except (CliInputError, DrawInputError) as error:
        raise _fail(str(error)) from None
    _print_verdict(result, PROOF_HEADLINES)


@app.command("simulate")
def simulate_command(
    pool: PoolOpt,
    params: ParamsOpt,
    years: Annotated[int, typer.Option("--years", help="模拟年数")] = 5,
    random: Annotated[
        str, typer.Option("--random", help="各年随机数的前缀（第 y 年用“前缀 第y年”）")
    ] = "模拟",
) -> None:
    """连续模拟 N 年的年度抽取，报告每年累计覆盖的对象比例。"""
    try:
        loaded = _load_pool(pool)
        report = simulate_coverage(
            loaded, read_json(params, "参数文件"), years=years, randomness_prefix=random
        )
    except (CliInputError, DrawInputError) as error:
        raise _fail(str(error)) from None
    typer.echo(f"对象库 {len(loaded)} 个对象，模拟 {years} 年（覆盖 = 周期开始后至少被检查一次）")
    typer.echo("年份  基准日       抽中     累计覆盖   " + "  ".join(f"{c}类" for c in RISK_CLASSES))
    for row in report:
        by_class = "  ".join(
            "  -  " if row["share_by_class"][c] is None else f"{row['share_by_class'][c]:5.1%}"
            for c in RISK_CLASSES
        )
        typer.echo(
            f"第{row['year']}年 {row['reference_date']} {row['selected']:7d}  {row['share']:7.1%}   {by_class}"
        )
