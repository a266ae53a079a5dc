"""Three systems side by side: keywords only, embeddings only, and the hybrid the bot runs.

Run: ``.venv/bin/python bench/bench_understanding.py`` — scores each system on the test
split (never tuned on), the development split and the old set, then the hybrid's test-split
scores per language and per kind of message, as Markdown tables for the README. The
language is detected, never given. ``--floors`` also writes the hybrid's figures to
tests/data/eval-floors.json, the regression floors of tests/test_evaluation.py.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalogue.loader import load_or_raise  # noqa: E402
from bot.matching.engine import MatchingEngine  # noqa: E402
from bot.matching.evaluation import METRICS, evaluate, evaluate_by, read_rows  # noqa: E402
from bot.matching.semantic import default_semantics  # noqa: E402

DATA = ROOT / "tests" / "data"
SPLITS = {
    "test": DATA / "eval-test.jsonl",
    "dev": DATA / "eval-dev.jsonl",
    "old": DATA / "eval-queries.jsonl",
}
SAMPLE = ROOT.parent / "shared" / "eval" / "sample-queries.jsonl"
SHORT = {
    "theme@1": "theme@1",
    "theme@3": "theme@3",
    "operator@3": "op@3",
    "confident_precision": "conf. prec.",
    "emergency_recall": "emerg. recall",
    "false_alarms": "false alarms",
    "out_of_scope_rejection": "off-topic rej.",
    "language_accuracy": "lang.",
    "coverage": "coverage",
}


def cell(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}"


def table(title: str, report: dict[str, dict]) -> str:
    lines = [
        f"| {title} | rows | " + " | ".join(SHORT[m] for m in METRICS) + " |",
        "|---" * (len(METRICS) + 2) + "|",
    ]
    for group, rates in report.items():
        name = f"**{group}**" if group == "all" else group
        lines.append(
            f"| {name} | {rates['rows']} | " + " | ".join(cell(rates[m]) for m in METRICS) + " |"
        )
    return "\n".join(lines)


def main() -> None:
    catalogue = load_or_raise(ROOT / "catalogue")
    semantic = default_semantics().index(catalogue, ROOT / "catalogue")
    engines = {
        "keyword": MatchingEngine(catalogue),
        "semantic": MatchingEngine(catalogue, semantic, mode="semantic"),
        "hybrid": MatchingEngine(catalogue, semantic),
    }
    for engine in engines.values():  # each message is matched once per system
        engine.match = functools.cache(engine.match)
    rows = {name: read_rows(path.read_text("utf-8").splitlines()) for name, path in SPLITS.items()}
    for split, split_rows in rows.items():
        overall = {
            system: evaluate(engine, split_rows)["all"] for system, engine in engines.items()
        }
        print(f"\n### {split} split, {len(split_rows)} messages: three systems\n")
        print(table("system", overall))
    hybrid = engines["hybrid"]
    print("\n### Hybrid, test split, per language\n")
    print(table("lang", evaluate(hybrid, rows["test"])))
    print("\n### Hybrid, test split, per kind\n")
    print(table("kind", evaluate(hybrid, rows["test"], by="kind")))
    print("\n### Hybrid, development split, per kind\n")
    print(table("kind", evaluate(hybrid, rows["dev"], by="kind")))
    if "--floors" in sys.argv:
        write_floors(hybrid, rows)


def write_floors(engine: MatchingEngine, rows: dict[str, list[dict]]) -> None:
    """Measured levels, rounded towards failing late (down; false alarms up)."""
    # the development split is tuned on: it guards nothing, it gets no floors
    reports = {"old": evaluate(engine, rows["old"])}
    both = evaluate_by(engine, rows["test"], ("lang", "kind"))
    reports["test"], reports["test-kind"] = both["lang"], both["kind"]
    if SAMPLE.exists():
        reports["sample"] = evaluate(engine, read_rows(SAMPLE.read_text("utf-8").splitlines()))
    floors = {
        name: {
            group: {
                metric: None
                if rates[metric] is None
                else (math.ceil if metric == "false_alarms" else math.floor)(rates[metric] * 1000)
                / 1000
                for metric in METRICS
            }
            for group, rates in report.items()
        }
        for name, report in reports.items()
    }
    out = DATA / "eval-floors.json"
    out.write_text(json.dumps(floors, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"\nfloors written to {out}")


if __name__ == "__main__":
    main()
