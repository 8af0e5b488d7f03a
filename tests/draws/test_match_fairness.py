"""The match page's randomness report: figures of a 2.x record, the balance level of 2.2 records."""

from __future__ import annotations

from django.template.loader import render_to_string

from shuangsuiji.core.matching import build_record
from shuangsuiji.draws.match_fairness import randomness_report
from tests.core.matching.test_balance import _skewed


def test_balanced_record_reports_its_balance_level_in_chinese() -> None:
    inputs = _skewed()
    record = build_record(inputs, ["第1期"])
    report = randomness_report(record, {t.id: f"单位{t.id}" for t in inputs.targets})
    assert report is not None and report["balance_level"] == 6
    assert report["count"] == 30 and len(report["targets"]) == 20
    html = render_to_string("draws/_match_randomness.html", {"randomness": report})
    assert "本次每人最多分到 6 个检查对象" in html and "1.2 倍" in html


def test_older_records_without_a_balance_level_say_nothing_about_it() -> None:
    record = build_record(_skewed(), ["第1期"], "2.1")
    report = randomness_report(record, {})
    assert report is not None and report["balance_level"] == 0
    html = render_to_string("draws/_match_randomness.html", {"randomness": report})
    assert "最多分到" not in html
