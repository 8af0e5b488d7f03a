"""总结报告 and 归档包 of a completed task (issue 20 item 4): content, Word/PDF, the manifest verifies and any
tampering is detected, scope, audit, pages and the offline ``ssj archive verify``."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from docx import Document
from typer.testing import CliRunner

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import entry_digest
from shuangsuiji.cli.main import app as cli_app
from shuangsuiji.common.exceptions import ApplicationError, PermissionDeniedError
from shuangsuiji.core.archive import build_archive, read_manifest, sha256, verify_archive
from shuangsuiji.oversight import task_archive
from shuangsuiji.oversight.models_archive import TaskArchive
from shuangsuiji.oversight.task_summary import summary_docx, summary_pdf, task_summary
from shuangsuiji.planning.models import Task, TaskState
from tests.conftest import World
from tests.disclosure.published_task import published_task
from tests.pdf_tools import pdf_text

pytestmark = pytest.mark.django_db


def _rewrite(content: bytes, changes: dict[str, bytes]) -> bytes:
    """The same ZIP with some members replaced (what someone tampering with a package would do)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, changes.get(name, source.read(name)))
        for name, data in changes.items():
            if name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


def test_core_archive_verifies_and_detects_tampering() -> None:
    files = {"a.txt": b"alpha", "dir/b.json": b'{"x": 1}'}
    content, digest = build_archive(files, meta={"task": "T"})
    assert verify_archive(content, expected_manifest_sha256=digest).ok
    assert build_archive(files, meta={"task": "T"}) == (content, digest)  # deterministic
    changed = _rewrite(content, {"a.txt": b"alphA"})
    assert any("文件被改动：a.txt" in p for p in verify_archive(changed).problems)
    assert any("清单之外的文件" in p for p in verify_archive(_rewrite(content, {"extra.txt": b"x"})).problems)
    # a consistent rewrite of file + manifest + sums passes the internal check but not the recorded digest
    manifest = read_manifest(content)
    for entry in manifest["files"]:
        if entry["path"] == "a.txt":
            entry["sha256"], entry["size"] = sha256(b"alphA"), 5
    new_manifest = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in sorted(manifest["files"], key=lambda e: e["path"]))
    forged = _rewrite(content, {"a.txt": b"alphA", "manifest.json": new_manifest, "SHA256SUMS": sums.encode()})
    assert verify_archive(forged).ok
    assert any("与登记的" in p for p in verify_archive(forged, expected_manifest_sha256=digest).problems)
    assert verify_archive(b"not a zip").problems == ["不是有效的 ZIP 文件"]
    with pytest.raises(ValueError):
        build_archive({"../x": b""}, meta={})


def test_summary_counts_match_the_task(world: World) -> None:
    published = published_task(world)
    summary = task_summary(published.task)
    figures = summary.figures
    assert figures["approved"] == 2 and figures["inspected"] == 2 and figures["published"] == 2
    assert figures["groups"] == {"未发现问题": 1, "行政处罚": 1}
    assert figures["cases"] == 1 and figures["penalties"] == 1
    assert figures["drawn"] == published.task.draws.get(status="confirmed").selections.count()
    rows = {row[0]: row[1] for row in summary.result_rows}
    assert rows["未发现问题"] == "1" and rows["行政处罚"] == "1" and rows["无法联系"] == "0"
    assert "罚没款 2,000.00 元" in dict(summary.followup)["行政处罚"]
    text = pdf_text(summary_pdf(summary))
    for expected in ("总结报告", "五、检查结果（按结果类别）", "行政处罚", published.clinic.number, "七、结果公示"):
        assert expected in text, expected
    document = Document(io.BytesIO(summary_docx(summary)))
    words = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert summary.title in words and published.hotel.target.name in words and "{{" not in words


def test_archive_package_content_verifies_and_is_audited(world: World) -> None:
    published = published_task(world)
    task = published.task
    archive = task_archive.task_archive_create(actor=world.users["a_admin"], task=task, note="结果公示后归档")
    content = (task_archive.archive_root() / archive.storage_path).read_bytes()
    assert sha256(content) == archive.zip_sha256
    assert verify_archive(content, expected_manifest_sha256=archive.manifest_sha256).ok
    names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    expected = {
        "manifest.json", "SHA256SUMS", "README.txt", "总结报告.pdf", "总结报告.docx", "task/task.json",
        "records/records.json", "followup/cases.json", "evidence/index.csv", "draws/如何验证.txt",
        "publication/results.json", "publication/penalties.json", "audit/audit-excerpt.jsonl",
        f"records/{published.hotel.number}.pdf",
    }
    assert expected <= names
    assert any(n.startswith(f"draws/match-{task.code}-") and n.endswith("record.json") for n in names)
    package = zipfile.ZipFile(io.BytesIO(content))
    howto = package.read("draws/如何验证.txt").decode()
    assert "ssj match verify" in howto  # the factory draw has no record: the real one is tested below
    records = json.loads(package.read("records/records.json"))
    assert {r["number"] for r in records} == {published.hotel.number, published.clinic.number}
    # the audit excerpt: every entry's hash recomputes from its payload and predecessor
    lines = [json.loads(line) for line in package.read("audit/audit-excerpt.jsonl").decode().splitlines()]
    assert lines and {"inspections.inspectionrecord", "planning.task"} <= {x["payload"]["object_type"] for x in lines}
    for line in lines:
        assert entry_digest(line["prev_hash"], line["payload"]) == line["entry_hash"]
    entry = AuditEntry.objects.get(event="task.archive")
    assert entry.changes["manifest_sha256"] == archive.manifest_sha256
    # tampering with any file is found
    tampered = _rewrite(content, {"records/records.json": b"[]"})
    assert not verify_archive(tampered, expected_manifest_sha256=archive.manifest_sha256).ok
    # a second archive is a new version; the first one is untouched
    second = task_archive.task_archive_create(actor=world.users["a_admin"], task=task)
    assert second.version == 2 and (task_archive.archive_root() / archive.storage_path).read_bytes() == content


def test_archive_refusals(world: World) -> None:
    published = published_task(world)
    with pytest.raises(PermissionDeniedError):
        task_archive.task_archive_create(actor=world.users["b_admin"], task=published.task)
    with pytest.raises(PermissionDeniedError):
        task_archive.task_archive_create(actor=world.users["a_leader"], task=published.task)
    Task.objects.filter(pk=published.task.pk).update(state=TaskState.INSPECTING)
    with pytest.raises(ApplicationError, match="检查完成后才能归档"):
        task_archive.task_archive_create(actor=world.users["a_admin"], task=published.task)
    assert not TaskArchive.objects.exists() and not AuditEntry.objects.filter(event="task.archive").exists()


def test_pages_and_cli(world: World, tmp_path: object) -> None:
    published = published_task(world)
    task = published.task
    admin = world.client("a_admin")
    page = admin.get(f"/oversight/tasks/{task.pk}/archive/").content.decode()
    assert "总结报告" in page and "生成归档包" in page and "尚未归档" in page
    assert "总结报告（Word/PDF）与归档包" in admin.get(f"/planning/tasks/{task.pk}/").content.decode()
    pdf = admin.get(f"/oversight/tasks/{task.pk}/summary.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert admin.get(f"/oversight/tasks/{task.pk}/summary.docx").content.startswith(b"PK")
    admin.post(f"/oversight/tasks/{task.pk}/archive/new/", {"note": "归档"})
    archive = TaskArchive.objects.get()
    download = admin.get(f"/oversight/archives/{archive.pk}/download/")
    content = b"".join(download.streaming_content) if download.streaming else download.content  # type: ignore[attr-defined]
    assert sha256(content) == archive.zip_sha256
    assert world.client("b_admin").get(f"/oversight/archives/{archive.pk}/download/").status_code == 404
    assert world.client("city_supervisor").get(f"/oversight/tasks/{task.pk}/archive/").status_code == 200
    path = tmp_path / "archive.zip"  # type: ignore[operator]
    path.write_bytes(content)
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["archive", "verify", str(path), "--manifest-sha256", archive.manifest_sha256])
    assert ok.exit_code == 0 and "一致" in ok.output
    path.write_bytes(_rewrite(content, {"总结报告.pdf": b"%PDF-1.4 forged"}))
    bad = runner.invoke(cli_app, ["archive", "verify", str(path)])
    assert bad.exit_code == 1 and "总结报告.pdf" in bad.output
    missing = runner.invoke(cli_app, ["archive", "verify", str(tmp_path) + "/none.zip"])  # type: ignore[operator]
    assert missing.exit_code == 2


def test_not_completed_task_has_no_summary(world: World) -> None:
    published = published_task(world)
    Task.objects.filter(pk=published.task.pk).update(state=TaskState.INSPECTING)
    admin = world.client("a_admin")
    assert "检查完成" in admin.get(f"/oversight/tasks/{published.task.pk}/archive/").content.decode()
    assert admin.get(f"/oversight/tasks/{published.task.pk}/summary.pdf").status_code == 302


def test_draw_and_match_records_in_the_package_verify_with_their_commands(world: World, tmp_path: object,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The package of a task with a real draw and match: the archived 如何验证 commands succeed on its files."""
    import shlex

    from tests.draws.factories import sample_match

    match = sample_match(world)
    content, digest, _ = task_archive.build_task_package(match.task, version=1, actor=world.users["a_admin"])
    assert verify_archive(content, expected_manifest_sha256=digest).ok
    folder = tmp_path / "pkg"  # type: ignore[operator]
    zipfile.ZipFile(io.BytesIO(content)).extractall(folder)
    howto = (folder / "draws" / "如何验证.txt").read_text(encoding="utf-8").splitlines()
    monkeypatch.chdir(folder / "draws")
    runner = CliRunner()
    draw_commands = [line for line in howto if line.startswith("ssj draw verify")]
    assert draw_commands
    for line in draw_commands:
        result = runner.invoke(cli_app, shlex.split(line)[1:])
        assert result.exit_code == 0, (line, result.output)
    match_commands = [line for line in howto if "ssj match verify" in line]
    assert match_commands
    for line in match_commands:
        inner = line.split("&& ", 1)[1].rstrip(")")
        monkeypatch.chdir(folder / "draws" / line.split("cd ", 1)[1].split(" ")[0])
        result = runner.invoke(cli_app, shlex.split(inner)[1:])
        assert result.exit_code == 0, (line, result.output)


# ---------------------------------------------------------------- produced when the task completes


def _complete(world: World) -> tuple[Task, object, object]:
    """A task whose records are all reviewed, moved to 已完成 by the 双随机办 (the task page's 检查完成)."""
    from shuangsuiji.inspections.services import record_review, record_submit_result
    from shuangsuiji.planning.services import task_transition
    from tests.inspections.factories import entry_for, generated

    setup, hotel, clinic = generated(world)
    admin, reviewer = world.users["a_admin"], world.users["a_staff"]
    for record in (hotel, clinic):
        record_review(actor=reviewer, record=record_submit_result(actor=admin, record=record, entry=entry_for(record)),
                      approve=True)
    task = Task.objects.get(pk=setup.task.pk)
    task.refresh_from_db()
    # the last review completed the task (the reviewer may edit plans); otherwise the 双随机办 presses 检查完成
    if task.state == TaskState.INSPECTING:
        task_transition(actor=admin, task=task, to_state=TaskState.COMPLETED, comment="检查完成", manual_only=True)
    assert task.state == TaskState.COMPLETED
    return task, hotel, clinic


def test_completing_a_task_produces_the_summary_and_the_archive(
    world: World, tmp_path: object, django_capture_on_commit_callbacks: object
) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # the job runs as soon as it is enqueued (after the commit)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
            task, hotel, _clinic = _complete(world)
            assert not TaskArchive.objects.exists()  # nothing is built inside the move's transaction
    finally:
        HUEY.immediate = False
    assert callbacks
    archive = TaskArchive.objects.get(task=task)
    assert (archive.version, archive.trigger, archive.task_state) == (1, "completion", TaskState.COMPLETED)
    completed_by = task.transitions.get(to_state=TaskState.COMPLETED).actor
    assert archive.created_by == completed_by  # the one who completed the task
    content = (task_archive.archive_root() / archive.storage_path).read_bytes()
    assert sha256(content) == archive.zip_sha256
    assert verify_archive(content, expected_manifest_sha256=archive.manifest_sha256).ok
    package = zipfile.ZipFile(io.BytesIO(content))
    stored_pdf = (task_archive.archive_root() / archive.summary_pdf_path).read_bytes()
    stored_docx = (task_archive.archive_root() / archive.summary_docx_path).read_bytes()
    assert stored_pdf == package.read("总结报告.pdf") and stored_pdf.startswith(b"%PDF")
    assert stored_docx == package.read("总结报告.docx") and stored_docx.startswith(b"PK")
    assert "总结报告" in pdf_text(stored_pdf) and hotel.number in pdf_text(stored_pdf)  # type: ignore[attr-defined]
    entry = AuditEntry.objects.get(event="task.archive")
    assert entry.changes["trigger"] == "completion" and entry.changes["manifest_sha256"] == archive.manifest_sha256
    assert entry.changes["summary_pdf_sha256"] == sha256(stored_pdf)
    # the offline check of the stored package
    path = tmp_path / "auto.zip"  # type: ignore[operator]
    path.write_bytes(content)
    ok = CliRunner().invoke(cli_app, ["archive", "verify", str(path), "--manifest-sha256", archive.manifest_sha256])
    assert ok.exit_code == 0 and "一致" in ok.output
    # shown on the task page and on the archive page, files served from storage
    admin = world.client("a_admin")
    page = admin.get(f"/planning/tasks/{task.pk}/").content.decode()
    assert 'id="task-archive"' in page and archive.manifest_sha256 in page and "任务检查完成时自动生成" in page
    assert f"/oversight/archives/{archive.pk}/summary.pdf" in page
    served = admin.get(f"/oversight/archives/{archive.pk}/summary.pdf")
    assert b"".join(served.streaming_content) == stored_pdf  # type: ignore[attr-defined]
    served_docx = admin.get(f"/oversight/archives/{archive.pk}/summary.docx")
    assert b"".join(served_docx.streaming_content) == stored_docx  # type: ignore[attr-defined]
    assert admin.get(f"/oversight/archives/{archive.pk}/summary.txt").status_code == 404
    assert world.client("b_admin").get(f"/oversight/archives/{archive.pk}/summary.pdf").status_code == 404
    assert "已自动生成总结报告和归档包" in admin.get(f"/oversight/tasks/{task.pk}/archive/").content.decode()
    # the job is idempotent; the button regenerates as a new version
    assert task_archive.task_archive_on_completion(task_id=task.pk) is None
    admin.post(f"/oversight/tasks/{task.pk}/archive/new/", {"note": "重新生成"})
    second = TaskArchive.objects.get(task=task, version=2)
    assert second.trigger == "manual" and second.summary_pdf_path != archive.summary_pdf_path
    assert (task_archive.archive_root() / archive.storage_path).read_bytes() == content


def test_completion_job_waits_for_the_commit_and_skips_unfinished_tasks(world: World) -> None:
    """Without a commit (the move rolled back) nothing is built; the job itself refuses an unfinished task."""
    task, _hotel, _clinic = _complete(world)  # the test transaction never commits: the job is never enqueued
    assert not TaskArchive.objects.exists()
    Task.objects.filter(pk=task.pk).update(state=TaskState.INSPECTING)
    assert task_archive.task_archive_on_completion(task_id=task.pk) is None
    assert task_archive.task_archive_on_completion(task_id=0) is None
    Task.objects.filter(pk=task.pk).update(state=TaskState.COMPLETED)
    archive = task_archive.task_archive_on_completion(task_id=task.pk)
    assert archive is not None and archive.trigger == "completion"
    page = world.client("a_admin").get(f"/planning/tasks/{task.pk}/").content.decode()
    assert "任务检查完成时自动生成" in page


def test_task_page_says_the_archive_is_being_made(world: World) -> None:
    task, _hotel, _clinic = _complete(world)
    page = world.client("a_admin").get(f"/planning/tasks/{task.pk}/").content.decode()
    assert "正在后台生成总结报告" in page


def test_archive_api(world: World) -> None:
    task, _hotel, _clinic = _complete(world)
    first = task_archive.task_archive_on_completion(task_id=task.pk)
    assert first is not None
    admin = world.client("a_admin")
    listed = admin.get(f"/api/oversight/tasks/{task.pk}/archives").json()
    assert [(a["version"], a["trigger"], a["has_summary"]) for a in listed] == [(1, "completion", True)]
    assert listed[0]["manifest_sha256"] == first.manifest_sha256
    zipped = admin.get(f"/api/oversight/archives/{first.pk}/files/zip")
    assert zipped.status_code == 200 and sha256(zipped.content) == first.zip_sha256
    pdf = admin.get(f"/api/oversight/archives/{first.pk}/files/pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == (task_archive.archive_root() / first.summary_pdf_path).read_bytes()
    assert admin.get(f"/api/oversight/archives/{first.pk}/files/docx").content.startswith(b"PK")
    assert admin.get(f"/api/oversight/archives/{first.pk}/files/exe").status_code == 404
    made = admin.post(f"/api/oversight/tasks/{task.pk}/archives", json.dumps({"note": "公示后"}),
                      content_type="application/json")
    assert made.status_code == 201 and made.json()["version"] == 2 and made.json()["trigger"] == "manual"
    other = world.client("b_admin")
    assert other.get(f"/api/oversight/tasks/{task.pk}/archives").status_code == 404
    assert other.get(f"/api/oversight/archives/{first.pk}/files/zip").status_code == 404
    refused = world.client("a_leader").post(f"/api/oversight/tasks/{task.pk}/archives", json.dumps({}),
                                            content_type="application/json")
    assert refused.status_code == 403
    assert TaskArchive.objects.filter(task=task).count() == 2


def test_a_nonrandom_task_is_summarised_as_one_and_archived_when_it_completes(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    """A 投诉举报 task (Task.kind 非随机检查): no pool, draw or ratio in its report; archived on completion too."""
    from huey.contrib.djhuey import HUEY

    from tests.disclosure.published_task import published_nonrandom_task

    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            task = published_nonrandom_task(world, "complaint", "悦来宾馆投诉举报核查", publish=False)
    finally:
        HUEY.immediate = False
    assert task.state == TaskState.COMPLETED
    archive = TaskArchive.objects.get(task=task)
    assert archive.trigger == "completion"
    summary = task_summary(task)
    assert "根据投诉举报（complaint-1）对1户检查对象实施非随机检查" in summary.overview
    assert "随机抽取" not in summary.overview
    scope = dict(summary.scope)
    assert scope["检查对象"] == "1 户（指定，未经随机抽取）" and "抽取户数" not in scope
    assert summary.headings[2].startswith("三、检查组（非随机检查")
    text = pdf_text((task_archive.archive_root() / archive.summary_pdf_path).read_bytes())
    assert "非随机检查" in text and "对象池户数" not in text
    # its task page: the archive card, and none of the 双随机 cards (draw, coverage estimate, rules, 工作方案)
    page = world.client("a_admin").get(f"/planning/tasks/{task.pk}/").content.decode()
    assert 'id="task-archive"' in page and 'id="nonrandom-note"' in page
    for absent in ("预计抽查覆盖", 'id="task-rules"', "按模板生成工作方案", "抽查比例"):
        assert absent not in page, absent
    random_page = world.client("a_admin").get(f"/planning/tasks/{published_task(world).task.pk}/").content.decode()
    assert 'id="task-rules"' in random_page and "抽查比例" in random_page and 'id="nonrandom-note"' not in random_page
