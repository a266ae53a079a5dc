"""The catalogue's vectors survive a broken cache: the bot is slower to start, never wrong."""

from __future__ import annotations

import json

import numpy as np

from bench.store_query_vectors import FILES, as_embedded
from bot.matching.semantic import EmbeddingCache, read_shipped, write_shipped
from tests.conftest import QUERY_VECTORS, ROOT, TESTVILLE, shared_semantics

TEXTS = ["je cherche un logement", "I need a doctor"]


def test_a_garbage_cache_file_is_replaced_by_memory_and_gives_the_same_vectors(tmp_path) -> None:
    embedder = shared_semantics().embedder
    fresh = EmbeddingCache(None).vectors(embedder, TEXTS)
    broken = tmp_path / "embeddings.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    vectors = EmbeddingCache(broken).vectors(embedder, TEXTS)
    assert np.allclose(vectors, fresh, atol=1e-5)


def test_vectors_are_written_once_and_read_back(tmp_path) -> None:
    embedder = shared_semantics().embedder
    path = tmp_path / "embeddings.sqlite3"
    first = EmbeddingCache(path).vectors(embedder, TEXTS)
    again = EmbeddingCache(path)
    assert again._load([again.key(embedder.name, t) for t in TEXTS]).keys() == {
        again.key(embedder.name, t) for t in TEXTS
    }, "a restart finds every vector in the file"
    assert np.allclose(again.vectors(embedder, TEXTS), first)


def test_shipped_vectors_round_trip_and_a_broken_file_is_ignored(tmp_path) -> None:
    embedder = shared_semantics().embedder
    vectors = EmbeddingCache(None).vectors(embedder, TEXTS)
    shipped = tmp_path / "vectors.npz"
    write_shipped(shipped, embedder.name, TEXTS, vectors)
    read = read_shipped(shipped)
    assert len(read) == 2
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 truncated")
    assert read_shipped(tmp_path / "bad.npz") == {}
    assert read_shipped(tmp_path / "absent.npz") == {}


def test_a_short_message_is_embedded_once_and_read_the_same_a_long_one_is_not_kept(
    testville,
) -> None:
    """The commonest messages ('logement') cost the model once (issue 14: a short message
    cost 25 ms of CPU each time); a person's longer words are not kept in memory."""
    semantics = shared_semantics()

    class Counting:
        def __init__(self, inner) -> None:
            self.inner, self.calls, self.name = inner, 0, inner.name

        def embed(self, texts):
            self.calls += 1
            return self.inner.embed(texts)

        def shorten(self, text: str) -> str:
            return self.inner.shorten(text)

    index = semantics.index(testville, TESTVILLE)
    counting = Counting(index.embedder)
    index.embedder = counting
    first, second = index.read("logement"), index.read("  Logement ")
    assert counting.calls == 1 and first == second
    story = "je suis arrivé il y a trois mois avec mes enfants et nous dormons chez un ami"
    index.read(story), index.read(story)
    assert counting.calls == 3 and story.lower() not in index._recent


def test_the_stored_query_vectors_are_the_models() -> None:
    """The suite reads the evaluation files' vectors from tests/data/query-vectors.npz
    (bench/store_query_vectors.py): they must be what the model gives today, for every
    message of those files, or the suite would measure another bot."""
    stored = read_shipped(QUERY_VECTORS)
    embedder = shared_semantics().embedder
    model = embedder.model
    texts = [
        as_embedded(model, json.loads(line)["text"])
        for name in FILES
        for line in (ROOT / "tests" / "data" / name).read_text("utf-8").splitlines()
        if line.strip()
    ]
    keys = [EmbeddingCache.key(embedder.name, t) for t in texts]
    assert [t for t, k in zip(texts, keys, strict=True) if k not in stored] == []
    for text, key in list(zip(texts, keys, strict=True))[:: len(texts) // 5]:
        assert np.allclose(
            np.frombuffer(stored[key], dtype=np.float32), model.embed([text])[0], atol=1e-6
        ), text
