"""The matching engine stays at or above the levels measured on the evaluation sets.

Floors (tests/data/eval-floors.json) are the figures measured when they were last raised:
``ctai-bot eval tests/data/eval-queries.jsonl --json``. A change that makes any language
worse on any metric fails here; raise the floors when the engine gets better.
"""

from __future__ import annotations

import json

import pytest

from bot.matching.engine import MatchingEngine
from bot.matching.evaluation import evaluate, read_rows
from tests.conftest import ROOT

SETS = {
    "own": ROOT / "tests" / "data" / "eval-queries.jsonl",
    "sample": ROOT.parent / "shared" / "eval" / "sample-queries.jsonl",
}
FLOORS = json.loads((ROOT / "tests" / "data" / "eval-floors.json").read_text())
TARGETS = {"theme@3": 0.97, "confident_precision": 0.97, "emergency_recall": 1.0,
           "out_of_scope_rejection": 0.80}  # fmt: skip


@pytest.fixture(scope="module")
def reports(poitiers) -> dict[str, dict]:
    engine = MatchingEngine(poitiers)
    found = {}
    for name, path in SETS.items():
        if path.exists():
            found[name] = evaluate(engine, read_rows(path.read_text("utf-8").splitlines()))
    return found


@pytest.mark.parametrize("name", SETS)
def test_no_language_falls_below_its_measured_level(reports, name) -> None:
    if name not in reports:
        pytest.skip(f"{SETS[name]} is not here")
    worse = [
        f"{lang} {metric}: {reports[name][lang][metric]:.3f} < {floor:.3f}"
        for lang, metrics in FLOORS[name].items()
        for metric, floor in metrics.items()
        if floor is not None
        and metric != "false_alarms"
        and (reports[name][lang][metric] or 0) < floor - 1e-9
    ]
    alarms = [
        f"{lang} false alarms: {reports[name][lang]['false_alarms']:.3f} > {metrics['false_alarms']:.3f}"
        for lang, metrics in FLOORS[name].items()
        if metrics["false_alarms"] is not None
        and reports[name][lang]["false_alarms"] > metrics["false_alarms"] + 0.001 + 1e-9
    ]
    assert worse + alarms == []


def test_the_overall_targets_are_met_on_our_set(reports) -> None:
    overall = reports["own"]["all"]
    for metric, target in TARGETS.items():
        assert overall[metric] >= target, metric
    assert overall["false_alarms"] <= 0.02
