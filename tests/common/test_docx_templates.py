"""The committed docxtpl templates are what their builders (one helper, common.docx_templates) make."""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path

import pytest

BUILDERS = [
    ("shuangsuiji.oversight.reports.templates_docx.build_task_summary", "build", "task_summary.docx"),
    ("shuangsuiji.oversight.reports.templates_docx.build_templates", "build_period_report", "period_report.docx"),
    ("shuangsuiji.supervision.templates_docx.build_templates", "build", "notice.docx"),
    ("shuangsuiji.inspections.templates_docx.build_templates", "build_record_form", "record_form.docx"),
    ("shuangsuiji.planning.templates_docx.build_templates", "build_work_scheme", "work_scheme.docx"),
]


@pytest.mark.parametrize(("module_name", "function", "file_name"), BUILDERS)
def test_builder_makes_the_committed_template(
    module_name: str, function: str, file_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = importlib.import_module(module_name)
    committed = Path(module.__file__ or "").parent / file_name
    monkeypatch.setattr(module, "HERE", tmp_path)
    built = getattr(module, function)()
    assert built == tmp_path / file_name
    with zipfile.ZipFile(built) as new, zipfile.ZipFile(committed) as old:
        for part in ("word/document.xml", "word/styles.xml", "word/settings.xml"):
            assert new.read(part) == old.read(part), part
        if "word/footer1.xml" in old.namelist():
            assert new.read("word/footer1.xml") == old.read("word/footer1.xml")
