"""Cost of the hybrid engine per free-text message, on one core, and of building its vectors.

Run: ``taskset -c 0 .venv/bin/python bench/bench_semantic.py`` (one core; the model uses one
thread). Reports: cold build of the catalogue's vectors (empty cache) and warm start (cache
filled); p50/p99 per message of the test split for the shipped catalogue and for one ten times
larger (every catalogue vector tiled ten times under new actions: the search cost grows with
the catalogue, the embedding of the message does not); a 4,096-character message against ten
short ones; the resident memory with the model loaded. Target: p99 <= 150 ms.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalogue.loader import load_or_raise  # noqa: E402
from bot.catalogue.model import Catalogue  # noqa: E402
from bot.matching.engine import MatchingEngine  # noqa: E402
from bot.matching.evaluation import read_rows  # noqa: E402
from bot.matching.semantic import (  # noqa: E402
    E5Embedder,
    EmbeddingCache,
    LabelRows,
    SemanticIndex,
)

TEST = ROOT / "tests" / "data" / "eval-test.jsonl"


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def tenfold(index: SemanticIndex, catalogue: Catalogue) -> Catalogue:
    """The same catalogue with ten copies of every action, the vectors tiled to match."""
    actions = list(catalogue.actions)
    rows, labels, texts = [index.matrix], list(index.labels), list(index.texts)
    for copy in range(9):
        for action in catalogue.actions:
            actions.append(action.model_copy(update={"id": f"{action.id}-{copy}"}))
        for i, (kind, owner) in enumerate(index.labels):
            if kind == "action":
                rows.append(index.matrix[i : i + 1])
                labels.append((kind, f"{owner}-{copy}"))
                texts.append(index.texts[i])
    big = Catalogue(catalogue.territory, catalogue.themes, catalogue.operators, tuple(actions))
    index.matrix = np.vstack(rows)
    index.labels, index.texts = labels, texts
    index.rows = LabelRows(labels)
    index.action_themes = {a.id: a.themes for a in big.actions}
    return big


def timed(engine: MatchingEngine, texts: list[str]) -> list[float]:
    latencies = []
    for text in texts:
        started = time.perf_counter()
        engine.match(text)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    catalogue = load_or_raise(ROOT / "catalogue")
    embedder = E5Embedder(threads=1)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        cold = SemanticIndex(catalogue, embedder, EmbeddingCache(Path(folder) / "e.sqlite3"))
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        SemanticIndex(catalogue, embedder, EmbeddingCache(Path(folder) / "e.sqlite3"))
        warm_s = time.perf_counter() - started
    print(f"catalogue texts embedded: {len(cold)}; cold build {cold_s:.1f} s; warm {warm_s:.2f} s")
    texts = [row["text"] for row in read_rows(TEST.read_text("utf-8").splitlines())]
    engine = MatchingEngine(catalogue, cold)
    engine.match("warm up")
    short = "je cherche un logement pour ma famille"
    long = (short + " ") * 200
    # ten different ones: a message seen before is not embedded again (remembered vectors)
    ten_short = sum(timed(engine, [f"{short} {n}" for n in range(10)]))
    one_long = sum(timed(engine, [long[:4096]]))
    print(f"one 4,096-character message {one_long:.0f} ms; ten short ones {ten_short:.0f} ms")
    for name, eng in (("shipped", engine), ("10x", None)):
        if eng is None:  # the index is tiled in place: the shipped runs come first
            big = tenfold(cold, catalogue)
            eng = MatchingEngine(big, cold)
        eng.semantic._recent.clear()  # each run embeds its messages: none remembered
        latencies = timed(eng, texts)
        print(
            f"{name:<8} labels {len(eng.semantic.rows.labels):>5}  vectors {len(eng.semantic):>6}  "
            f"p50 {statistics.median(latencies):6.1f} ms  p99 {percentile(latencies, 0.99):6.1f} ms"
            f"  max {max(latencies):6.1f} ms"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory with the model loaded: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
