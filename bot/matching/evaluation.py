"""Scores of the engine on a labelled file, per language and overall.

The file is JSON Lines: ``text``, ``lang``, ``themes`` (expected, empty for out of scope),
``operators`` (optional), ``emergency`` (bool), ``kind`` and ``script`` (optional, to report
per kind of message). See tests/data/LABELLING.md.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.matching.engine import Match, MatchingEngine

METRICS = (
    "theme@1",
    "theme@3",
    "operator@3",
    "confident_precision",
    "emergency_recall",
    "false_alarms",
    "out_of_scope_rejection",
    "language_accuracy",
    "coverage",
)


@dataclass
class Tally:
    """Hits and totals per metric; a metric with no rows is reported as None."""

    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows: int = 0

    def count(self, metric: str, success: bool) -> None:
        self.totals[metric] += 1
        self.hits[metric] += int(success)

    def rates(self) -> dict:
        """Each metric's rate, the rows, and how many rows each metric was measured on."""
        return {m: (self.hits[m] / self.totals[m] if self.totals[m] else None) for m in METRICS} | {
            "rows": self.rows,
            "counts": {m: self.totals[m] for m in METRICS},
        }


def score_row(row: dict, match: Match, tallies: Iterable[Tally]) -> None:
    expected = set(row.get("themes") or [])
    operators = set(row.get("operators") or [])
    danger = bool(row.get("emergency"))
    first = match.results[0].action if match.results else None
    top3_themes = {t for r in match.results[:3] for t in r.action.themes} | set(match.clarify)
    top3_operators = {o for r in match.results[:3] for o in r.action.operators}
    for tally in tallies:
        tally.rows += 1
        if expected:
            tally.count("theme@1", bool(first and expected & set(first.themes)))
            tally.count("theme@3", bool(expected & top3_themes))
        if operators:
            tally.count("operator@3", bool(operators & top3_operators))
        if match.confident:
            tally.count("confident_precision", bool(first and expected & set(first.themes)))
        if danger:
            tally.count("emergency_recall", bool(match.emergency))
        else:
            tally.count("false_alarms", bool(match.emergency))
        if not expected and not danger:
            tally.count("out_of_scope_rejection", not match.confident)
        if row.get("lang"):
            tally.count("language_accuracy", match.lang == row["lang"])
        if expected:
            tally.count("coverage", match.confident)


def evaluate(engine: MatchingEngine, rows: Iterable[dict], *, by: str = "lang") -> dict[str, dict]:
    """Rates per language (or per ``kind``) and ``all``; the language is detected, not given,
    as for a real message."""
    return evaluate_by(engine, rows, (by,))[by]


def evaluate_by(
    engine: MatchingEngine, rows: Iterable[dict], groupings: Iterable[str]
) -> dict[str, dict[str, dict]]:
    """The same, grouped several ways from one pass over the messages."""
    groupings = tuple(groupings)
    overall = Tally()
    groups: dict[str, dict[str, Tally]] = {by: defaultdict(Tally) for by in groupings}
    for row in rows:
        match = engine.match(row["text"])
        tallies = [overall]
        for by in groupings:
            tallies.append(groups[by][row.get(by) or "?"])
            if by == "kind" and row.get("script") == "latin" and row.get("kind") != "latin-script":
                tallies.append(groups[by]["latin-script"])
        score_row(row, match, tallies)
    return {
        by: {group: tally.rates() for group, tally in sorted(groups[by].items())}
        | {"all": overall.rates()}
        for by in groupings
    }


def read_rows(lines: Iterable[str]) -> list[dict]:
    return [json.loads(line) for line in lines if line.strip()]


def format_report(report: dict[str, dict]) -> str:
    widths = [len(m) + 2 for m in METRICS]
    header = f"{'':<16}{'rows':>6}" + "".join(
        f"{m:>{w}}" for m, w in zip(METRICS, widths, strict=True)
    )
    lines = [header]
    for lang, rates in report.items():
        cells = "".join(
            f"{'-':>{w}}" if rates[m] is None else f"{rates[m] * 100:>{w - 1}.1f}%"
            for m, w in zip(METRICS, widths, strict=True)
        )
        lines.append(f"{lang:<16}{rates['rows']:>6}{cells}")
    return "\n".join(lines)
