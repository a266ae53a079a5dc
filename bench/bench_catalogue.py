"""Time and peak memory to load and validate a catalogue.

Run: ``.venv/bin/python bench/bench_catalogue.py`` — the shipped catalogue, then a generated
one of 2,000 actions in 10 languages. Targets: under 0.3 s and under 3 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalogue.loader import load_catalogue  # noqa: E402
from bot.catalogue.model import LANGUAGES, THEME_IDS  # noqa: E402


def generate(directory: Path, actions: int) -> None:
    """A catalogue shaped like the real one, with ``actions`` actions in every language."""
    territory = yaml.safe_load((ROOT / "catalogue" / "territory.yaml").read_text("utf-8"))
    (directory / "territory.yaml").write_text(yaml.safe_dump(territory, allow_unicode=True))
    for name in ("themes.yaml", "operators.yaml"):
        (directory / name).write_text((ROOT / "catalogue" / name).read_text("utf-8"))
    operators = [op["id"] for op in yaml.safe_load((directory / "operators.yaml").read_text())[
        "operators"]]  # fmt: skip
    per_file = 200
    for start in range(0, actions, per_file):
        entries = [
            {
                "id": f"generated-{i}",
                "operators": [operators[i % len(operators)]],
                "themes": [THEME_IDS[i % len(THEME_IDS)]],
                "audience": ["bpi", "primo-arrivant"][: 1 + i % 2],
                "title": {lang: f"Action {i} title in {lang}" for lang in LANGUAGES},
                "summary": {
                    lang: f"Summary of action {i} in {lang}, two sentences." for lang in LANGUAGES
                },
                "translations": {
                    lang: "source" if lang == "fr" else "machine" for lang in LANGUAGES
                },
                "keywords": {lang: [f"word{i}-{k}-{lang}" for k in range(6)] for lang in LANGUAGES},
                "access": {"how": ["walk-in"], "free": True},
                "verified": False,
                "note": "generated",
                "sources": ["bench"],
            }
            for i in range(start, min(start + per_file, actions))
        ]
        path = directory / f"actions-{start:05d}.yaml"
        path.write_text(yaml.safe_dump({"actions": entries}, allow_unicode=True), "utf-8")


def measure(directory: Path, repeat: int) -> tuple[float, float, int]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        catalogue, _ = load_catalogue(directory)
        times.append(time.perf_counter() - started)
        assert catalogue is not None
    tracemalloc.start()
    load_catalogue(directory)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), max(times), peak


def row(name: str, actions: int, figures: tuple[float, float, int]) -> str:
    median, worst, peak = figures
    return f"{name:<24} {actions:>7} {median:>9.3f} {worst:>7.3f} {peak / 2**20:>9.1f}"


def main() -> None:
    print(f"{'catalogue':<24} {'actions':>7} {'median s':>9} {'max s':>7} {'peak MiB':>9}")
    shipped = measure(ROOT / "catalogue", repeat=10)
    print(row("shipped", len(load_catalogue(ROOT / "catalogue")[0].actions), shipped))
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), 2000)
        print(row("generated, 10 languages", 2000, measure(Path(tmp), repeat=3)))


if __name__ == "__main__":
    main()
