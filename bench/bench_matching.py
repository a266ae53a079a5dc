"""Per-message latency of the matching engine, against a naive baseline.

Run: ``.venv/bin/python bench/bench_matching.py`` — the evaluation queries through the
engine on the shipped catalogue and on generated catalogues of 1k, 10k and 100k keywords;
index build time and memory; the same queries through ``process.extractOne`` with
``WRatio`` over all keywords. Targets: p99 under 2 ms shipped, under 20 ms at 100k keywords.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalogue.loader import load_or_raise  # noqa: E402
from bot.catalogue.model import LANGUAGES, THEME_IDS, Action, Catalogue  # noqa: E402
from bot.matching.engine import MatchingEngine  # noqa: E402
from bot.matching.normalise import normalise  # noqa: E402

QUERIES = ROOT / "tests" / "data" / "eval-queries.jsonl"
SYLLABLES = {
    "latin": "ba be bi bo ka ke ki ko la le li lo ma me mi mo na ne ni no ra re ri ro sa se "
    "si so ta te ti to va ve vi vo za ze".split(),
    "cyrillic": "ба бе би бо ка ке ки ко ла ле ли ло ма ме ми мо на не ни но ра ре ри ро".split(),
    "arabic": "با بی بو کا کی کو لا لی لو ما می مو نا نی نو را ری رو سا سی سو تا تی تو".split(),
}


def pseudo_word(rng: random.Random, script: str) -> str:
    return "".join(rng.choice(SYLLABLES[script]) for _ in range(rng.randint(2, 4)))


def generated(base: Catalogue, keywords: int, seed: int = 7) -> Catalogue:
    """The shipped catalogue plus actions carrying ``keywords`` generated keywords."""
    rng = random.Random(seed)
    per_action = 50
    template = base.actions[0]
    actions = list(base.actions)
    for i in range(keywords * 12 // 10 // per_action):
        words: dict[str, list[str]] = {}
        for k in range(per_action):
            lang = LANGUAGES[k % len(LANGUAGES)]
            script = (
                "cyrillic" if lang in ("ru", "uk") else "arabic" if lang in "ar fa ps" else "latin"
            )
            size = rng.choice((1, 1, 2, 3))
            words.setdefault(lang, []).append(
                " ".join(pseudo_word(rng, script) for _ in range(size))
            )
        actions.append(
            Action.model_validate(
                template.model_dump(by_alias=True)
                | {"id": f"gen-{i}", "keywords": words, "themes": [THEME_IDS[i % 9]]}
            )
        )
    return Catalogue(base.territory, base.themes, base.operators, tuple(actions))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(name: str, catalogue: Catalogue, queries: list[str]) -> None:
    # Timed without tracemalloc (it slowed the build 4-7x), then built again to measure.
    started = time.perf_counter()
    engine = MatchingEngine(catalogue)
    build = time.perf_counter() - started
    del engine
    tracemalloc.start()
    engine = MatchingEngine(catalogue)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine.match("warm up")
    latencies = []
    for text in queries:
        started = time.perf_counter()
        engine.match(text)
        latencies.append((time.perf_counter() - started) * 1000)
    keywords = engine.index.keywords
    naive = []
    for text in queries[:200]:
        started = time.perf_counter()
        process.extractOne(normalise(text), keywords, scorer=fuzz.WRatio)
        naive.append((time.perf_counter() - started) * 1000)
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    naive50, naive99 = statistics.median(naive), percentile(naive, 0.99)
    print(
        f"{name:<10} {len(keywords):>8} {build:>8.2f} {peak / 2**20:>8.1f} {p50:>7.3f} {p99:>7.3f}"
        f" {naive50:>9.3f} {naive99:>9.3f} {naive50 / p50:>7.1f}x"
    )


def main() -> None:
    queries = [json.loads(line)["text"] for line in QUERIES.read_text("utf-8").splitlines()]
    base = load_or_raise(ROOT / "catalogue")
    print(
        f"{'catalogue':<10} {'keywords':>8} {'build s':>8} {'MiB':>8} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'naive p50':>9} {'naive p99':>9} {'speedup':>8}"
    )
    run("shipped", base, queries)
    for size in (1_000, 10_000, 100_000):
        run(f"{size // 1000}k", generated(base, size), queries)


if __name__ == "__main__":
    main()
