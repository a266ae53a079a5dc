"""Calibrate the hybrid decision on the development split, and only on it.

Each message of tests/data/eval-dev.jsonl is embedded once; then a grid of constants is
scored with the evaluation's own metrics. The test split is never read here.

    .venv/bin/python bench/calibrate.py            # the best settings found, and the current
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalogue.loader import load_or_raise  # noqa: E402
from bot.matching.engine import Calibration, Match, MatchingEngine, read_as  # noqa: E402
from bot.matching.evaluation import Tally, read_rows, score_row  # noqa: E402
from bot.matching.language import romanised  # noqa: E402
from bot.matching.semantic import default_semantics  # noqa: E402

DEV = ROOT / "tests" / "data" / "eval-dev.jsonl"
ROUTING = {
    "keyword_weight": [0.1, 0.15, 0.25],
    "action_weight": [0.1, 1.0, 2.0, 4.0],
    "action_margin": [0.0, 0.01, 0.02, 1.0],
    "later_theme": [0.01, 0.02, 0.05],
    "semantic_confident": [0.87, 0.88, 0.89, 0.9],
    "semantic_margin": [0.01, 0.02, 0.03],
    "off_topic_margin": [-0.01, 0.0, 0.01],
    "relevant": [0.85, 0.87],
}
LAST = {"romanised_doubt": [0.0, 0.005, 0.01, 0.02], "off_topic_named": [0.0, 0.005, 0.01]}
"""Searched last, with the routing found: they only move Arabizi, Finglish and the like, and
messages that name a theme by its own word near the out-of-scope line."""
DANGER = {
    "danger": [0.87, 0.88, 0.89, 0.9, 0.91],
    "danger_margin": [-0.02, -0.01, 0.0, 0.01],
    "danger_alone": [0.9, 0.91, 0.92, 0.93, 1.0],
    "danger_within": [0.01, 0.015, 0.03],
}
"""Searched one after the other: danger settings barely change routing, and back."""


def score(engine: MatchingEngine, rows: list[dict], seen: list[tuple]) -> dict:
    """The hybrid decision alone, on evidence and readings made once per message."""
    tally = Tally()
    for row, (evidence, reading, lang) in zip(rows, seen, strict=True):
        in_latin = romanised(row["text"], lang)
        decision = engine._hybrid_decision(evidence, reading, None, in_latin=in_latin)
        match = Match(text=row["text"], lang=lang, detected=lang, **decision)
        score_row(row, match, [tally])
    return tally.rates()


def objective(rates: dict) -> float:
    """Theme@1 and emergency recall, as long as confident routing stays precise and false
    alarms rare; out-of-scope rejection counts too."""
    penalty = max(0.0, 0.97 - rates["confident_precision"]) * 10
    penalty += max(0.0, rates["false_alarms"] - 0.03) * 10
    return (
        rates["theme@1"]
        + rates["emergency_recall"]
        + 0.5 * rates["out_of_scope_rejection"]
        + 0.3 * rates["coverage"]
        - penalty
    )


def main() -> None:
    catalogue = load_or_raise(ROOT / "catalogue")
    semantic = default_semantics().index(catalogue, ROOT / "catalogue")
    rows = read_rows(DEV.read_text("utf-8").splitlines())
    keyword_engine = MatchingEngine(catalogue)
    readings = []
    for row in rows:
        lang, readable = read_as(row["text"])
        evidence = keyword_engine.keyword_evidence(readable, lang=lang)
        readings.append((evidence, semantic.read(readable), lang))
    engine = MatchingEngine(catalogue, semantic)
    best = Calibration()
    for grid in (DANGER, ROUTING, LAST):
        results = search(engine, rows, readings, best, grid)
        best = results[0][1]
    keys = ["theme@1", "theme@3", "confident_precision", "coverage", "emergency_recall",
            "false_alarms", "out_of_scope_rejection"]  # fmt: skip
    engine.calibration = Calibration()
    current = score(engine, rows, readings)
    print("current", {k: round(current[k], 3) for k in keys})
    for value, calibration, rates in results[:5]:
        print(round(value, 3), calibration)
        print("   ", {k: round(rates[k], 3) for k in keys})


def search(
    engine: MatchingEngine, rows: list[dict], readings: list, base: Calibration, grid: dict
) -> list[tuple]:
    results = []
    names = list(grid)
    for values in itertools.product(*grid.values()):
        engine.calibration = dataclasses.replace(base, **dict(zip(names, values, strict=True)))
        rates = score(engine, rows, readings)
        results.append((objective(rates), engine.calibration, rates))
    results.sort(key=lambda r: -r[0])
    return results


if __name__ == "__main__":
    main()
