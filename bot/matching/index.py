"""A keyword index scored with rapidfuzz against a message's word n-grams.

Each keyword is compared with the message's n-grams of about as many words, with
``fuzz.ratio``, and keeps its best score. Word-level candidate pruning keeps this fast on
large catalogues: only keywords sharing a word close to one of the message's words are
scored, and keywords of three characters or fewer only ever match a whole word exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from bot.matching.normalise import normalise, words

Owner = TypeVar("Owner", bound=Hashable)
MAX_NGRAM = 4
SHORT = 3
"""Keywords and words this short match only exactly: "CV" must not match "ça"."""


@dataclass(frozen=True)
class Hit:
    keyword: str
    score: float


class KeywordIndex(Generic[Owner]):
    """Keywords, each owned by something (a theme, an action, an emergency contact)."""

    def __init__(self, entries: Iterable[tuple[str, Owner]], *, word_cutoff: float = 78) -> None:
        self.word_cutoff = word_cutoff
        owners: dict[str, set[Owner]] = defaultdict(set)
        for keyword, owner in entries:
            text = normalise(keyword)
            if text:
                owners[text].add(owner)
        self.keywords: list[str] = list(owners)
        self.owners: list[frozenset[Owner]] = [frozenset(owners[k]) for k in self.keywords]
        self.exact: dict[str, int] = {k: i for i, k in enumerate(self.keywords)}
        self.sizes: list[int] = [len(k.split()) for k in self.keywords]
        by_word: dict[str, list[int]] = defaultdict(list)
        for i, keyword in enumerate(self.keywords):
            if len(keyword) > SHORT:
                for word in set(keyword.split()):
                    if len(word) > SHORT:
                        by_word[word].append(i)
        self.by_word = dict(by_word)
        self.vocabulary: list[str] = list(by_word)

    def __len__(self) -> int:
        return len(self.keywords)

    def _near_words(self, query_words: set[str]) -> set[str]:
        near = {w for w in query_words if w in self.by_word}
        unknown = [w for w in query_words if w not in self.by_word and len(w) > SHORT]
        if unknown and self.vocabulary:
            matrix = process.cdist(
                unknown, self.vocabulary, scorer=fuzz.ratio, score_cutoff=self.word_cutoff
            )
            for row in matrix:
                near.update(self.vocabulary[j] for j in row.nonzero()[0])
        return near

    def search(self, text: str, *, cutoff: float) -> dict[Owner, Hit]:
        """Each owner's best keyword hit in ``text`` (already normalised), at or above cutoff."""
        tokens = words(text)
        ngrams: dict[int, list[str]] = {
            n: [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            for n in range(1, MAX_NGRAM + 1)
        }
        scores: dict[int, float] = {}
        for grams in ngrams.values():
            for gram in grams:
                found = self.exact.get(gram)
                if found is not None:
                    scores[found] = 100.0
        candidates: set[int] = set()
        for word in self._near_words(set(tokens)):
            candidates.update(self.by_word[word])
        for i in candidates - scores.keys():
            size = self.sizes[i]
            band = [g for n in range(max(1, size - 1), min(MAX_NGRAM, size + 1) + 1)
                    for g in ngrams[n]]  # fmt: skip
            if not band:
                continue
            best = process.extractOne(
                self.keywords[i], band, scorer=fuzz.ratio, score_cutoff=cutoff
            )
            if best:
                scores[i] = best[1]
        result: dict[Owner, Hit] = {}
        for i, score in scores.items():
            if score < cutoff:
                continue
            for owner in self.owners[i]:
                if owner not in result or result[owner].score < score:
                    result[owner] = Hit(self.keywords[i], score)
        return result
