"""The engine the bot runs stays at or above the levels measured on the evaluation sets.

Floors (tests/data/eval-floors.json) are figures measured on each set, written by
``bench/bench_understanding.py --floors``; a floor passes within one message of its level, so
that one relabelled or reworded message does not fail the build. The test split is only ever
run: its floors guard against regressions, they are never a reason to change a constant
(constants are calibrated on the development split, ``bench/calibrate.py``, whose own figures
are in the benchmark, not here: it is tuned on, so it guards nothing).
"""

from __future__ import annotations

import json

import pytest

from bot.matching.engine import MatchingEngine
from bot.matching.evaluation import evaluate, evaluate_by, read_rows
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
SETS = {
    "test": DATA / "eval-test.jsonl",
    "old": DATA / "eval-queries.jsonl",
    "sample": ROOT.parent / "shared" / "eval" / "sample-queries.jsonl",
}
FLOORS = json.loads((DATA / "eval-floors.json").read_text())
TARGETS = {"emergency_recall": 0.90, "out_of_scope_rejection": 0.85, "confident_precision": 0.97}
"""Issue 9's targets on the test split, overall; theme@1 is asked of every language."""
LANGUAGES = ("ar", "en", "fa", "fr", "ps", "ru", "so", "ti", "tr", "uk")


@pytest.fixture(scope="module")
def reports(hybrid: MatchingEngine) -> dict[str, dict]:
    found = {}
    for name, path in SETS.items():
        if path.exists():
            rows = read_rows(path.read_text("utf-8").splitlines())
            if name == "test":
                both = evaluate_by(hybrid, rows, ("lang", "kind"))
                found["test"], found["test-kind"] = both["lang"], both["kind"]
            else:
                found[name] = evaluate(hybrid, rows)
    return found


def below(report: dict, floors: dict) -> list[str]:
    """Metrics under their floor by more than one message (false alarms: above)."""
    worse = []
    for group, metrics in floors.items():
        rates = report[group]
        for metric, floor in metrics.items():
            if floor is None or rates[metric] is None:
                continue
            slack = 1 / max(1, rates["counts"][metric]) + 1e-9
            if metric == "false_alarms":
                if rates[metric] > floor + slack:
                    worse.append(f"{group} false alarms {rates[metric]:.3f} > {floor:.3f}")
            elif rates[metric] < floor - slack:
                worse.append(f"{group} {metric} {rates[metric]:.3f} < {floor:.3f}")
    return worse


@pytest.mark.parametrize("name", [*SETS, "test-kind"])
def test_no_group_falls_below_its_measured_level(reports, name) -> None:
    if name not in reports:
        pytest.skip(f"{SETS.get(name, name)} is not here")
    assert below(reports[name], FLOORS[name]) == []


def test_the_targets_are_met_on_the_test_split(reports) -> None:
    overall, kinds = reports["test"]["all"], reports["test-kind"]
    for metric, target in TARGETS.items():
        assert overall[metric] >= target, metric
    assert overall["false_alarms"] <= 0.03
    assert kinds["latin-script"]["language_accuracy"] >= 0.90
    assert kinds["latin-script"]["theme@1"] >= 0.85
    # No one-message slack here, unlike the floors: the target is the target (Arabic and
    # Somali are one message above it, README).
    theme = {lang: (reports["test"].get(lang) or {}).get("theme@1") for lang in LANGUAGES}
    assert {lang: rate for lang, rate in theme.items() if rate is None or rate < 0.90} == {}
