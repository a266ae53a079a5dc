"""Stores the model's vectors of the evaluation files' messages for the test suite.

Run: ``.venv/bin/python bench/store_query_vectors.py`` after changing a message of
tests/data (test split, old set, needs, operator names) or the model. It writes
tests/data/query-vectors.npz, which tests/conftest.py reads before asking the model; a
message it does not hold is embedded as usual, so a stale file only costs time, and
``test_the_stored_query_vectors_are_the_models`` fails if the model now reads them otherwise.
Each message is embedded alone, as the bot embeds it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.matching.engine import MAX_MESSAGE, read_as  # noqa: E402
from bot.matching.semantic import E5Embedder, write_shipped  # noqa: E402

FILES = ("eval-test.jsonl", "eval-queries.jsonl", "needs.jsonl", "operator-names.jsonl")


def as_embedded(model: E5Embedder, text: str) -> str:
    """The text the bot gives the model for this message (``MatchingEngine.match``): romanised
    Russian back in Cyrillic, a long story cut to its start and its ask."""
    return model.shorten(read_as(text[:MAX_MESSAGE])[1])


def main() -> None:
    model = E5Embedder(threads=None)
    texts = []
    for name in FILES:
        for line in (ROOT / "tests" / "data" / name).read_text("utf-8").splitlines():
            if line.strip():
                texts.append(as_embedded(model, json.loads(line)["text"]))
    texts = list(dict.fromkeys(texts))
    vectors = np.stack([model.embed([t])[0] for t in texts])
    out = ROOT / "tests" / "data" / "query-vectors.npz"
    write_shipped(out, model.name, texts, vectors, dtype=np.float32)
    print(f"{len(texts)} messages -> {out.relative_to(ROOT)} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
