"""Shared fixtures: the shipped catalogue and the made-up second territory."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from bot.catalogue.loader import load_catalogue
from bot.catalogue.model import Catalogue
from bot.matching.engine import MatchingEngine
from bot.matching.semantic import (
    Embedder,
    EmbeddingCache,
    Semantics,
    default_semantics,
    read_shipped,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "catalogue"
TESTVILLE = ROOT / "tests" / "fixtures" / "testville"
"""A made-up territory; its phones are in 04 65 71 xx xx, a range ARCEP keeps for fiction."""
FIXED_TODAY = dt.date(2026, 11, 28)
CACHE = Path(os.environ.get("CTAI_CACHE_DIR") or ROOT / ".cache")
"""The catalogue's vectors, built once (about a minute) and reused by every later run."""


QUERY_VECTORS = ROOT / "tests" / "data" / "query-vectors.npz"
"""The model's vectors of the evaluation files' messages, made by
``bench/store_query_vectors.py``: embedding them took a third of the suite's time."""


class StoredQueries:
    """The model, answering from ``QUERY_VECTORS`` for the messages it holds.

    Keyed like the cache (model name and the text as the model reads it) and stored in
    float32, as the model gives them: the suite decides exactly as the bot would.
    ``test_the_stored_query_vectors_are_the_models`` checks them against the model."""

    def __init__(self, model: Embedder, stored: dict[bytes, bytes]) -> None:
        self.model, self.name, self.stored = model, model.name, stored

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.model.embed(texts)
        keys = [EmbeddingCache.key(self.name, t) for t in texts]
        missing = [t for k, t in zip(keys, texts, strict=True) if k not in self.stored]
        fresh = iter(self.model.embed(missing)) if missing else iter(())
        return np.stack(
            [
                np.frombuffer(self.stored[k], dtype=np.float32) if k in self.stored else next(fresh)
                for k in keys
            ]
        )

    def shorten(self, text: str) -> str:
        return self.model.shorten(text)


@cache
def shared_semantics() -> Semantics:
    """One embedding model for the whole test run, as in the bot's process."""
    semantics = default_semantics(CACHE)
    semantics.embedder = StoredQueries(semantics.embedder, read_shipped(QUERY_VECTORS))
    return semantics


@pytest.fixture(scope="session")
def poitiers() -> Catalogue:
    catalogue, problems = load_catalogue(SHIPPED)
    assert catalogue is not None, "\n".join(map(str, problems))
    return catalogue


@pytest.fixture(scope="session")
def testville() -> Catalogue:
    catalogue, problems = load_catalogue(TESTVILLE, today=FIXED_TODAY)
    assert catalogue is not None, "\n".join(map(str, problems))
    return catalogue


@pytest.fixture
def testville_copy(tmp_path: Path) -> Path:
    """A writable copy of the second territory, to break or edit in a test."""
    target = tmp_path / "catalogue"
    shutil.copytree(TESTVILLE, target)
    return target


@pytest.fixture(scope="session")
def hybrid(poitiers) -> MatchingEngine:
    """The engine the bot runs: keywords and the semantic stage."""
    return MatchingEngine(poitiers, shared_semantics().index(poitiers, SHIPPED))
