"""A keyword index scored with rapidfuzz against a message's word n-grams.

Each keyword is compared with the message's n-grams of about as many words, with
``fuzz.ratio``, and keeps its best score. Word-level candidate pruning keeps this fast on
large catalogues: only keywords sharing a word close to one of the message's words are
scored, and keywords of three characters or fewer only ever match a whole word exactly.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from bot.matching.normalise import normalise, words

Owner = TypeVar("Owner", bound=Hashable)
MAX_NGRAM = 8
"""Longer keywords than this are never found: a keyword is a phrase, not a sentence."""
SHORT = 3
"""Keywords and words this short match only exactly: "CV" must not match "ça"."""
FUNCTION_WORDS = frozenset(
    "a i de la le les un une des du au et en je tu il me ma mon ce on is in it to of the "
    "my we he do be or an at as by for and you are was not ne pas sur par pour avec".split()
)
"""Words too common to be a keyword in any language: Turkish "iş" (work) normalises to
"is", which every English sentence has."""


@dataclass(frozen=True)
class Hit:
    """An owner's best keyword in a message, and how many of its keywords were there."""

    keyword: str
    score: float
    count: int = 1


class KeywordIndex(Generic[Owner]):
    """Keywords, each owned by something (a theme, an action, an emergency contact)."""

    def __init__(
        self,
        entries: Iterable[tuple[str, Owner]],
        *,
        word_cutoff: float = 78,
        exact_below: int = SHORT + 1,
    ) -> None:
        """``exact_below``: single-word keywords shorter than this match only exactly."""
        self.word_cutoff = word_cutoff
        owners: dict[str, set[Owner]] = defaultdict(set)
        for keyword, owner in entries:
            text = normalise(keyword)
            if text and text not in FUNCTION_WORDS:
                owners[text].add(owner)
        self.keywords: list[str] = list(owners)
        self.owners: list[frozenset[Owner]] = [frozenset(owners[k]) for k in self.keywords]
        self.exact: dict[str, int] = {k: i for i, k in enumerate(self.keywords)}
        self.sizes: list[int] = [len(k.split()) for k in self.keywords]
        self.longest = min(MAX_NGRAM, max(self.sizes, default=1))
        by_word: dict[str, list[int]] = defaultdict(list)
        for i, keyword in enumerate(self.keywords):
            if len(keyword) >= exact_below or " " in keyword:
                for word in set(keyword.split()):
                    if len(word) > SHORT:
                        by_word[word].append(i)
        self.by_word = dict(by_word)
        buckets: dict[str, list[str]] = defaultdict(list)
        for word in sorted(by_word, key=len):
            buckets["^" + word[0]].append(word)
            buckets[word[-1] + "$"].append(word)
        self.buckets = {key: (words, [len(w) for w in words]) for key, words in buckets.items()}

    def __len__(self) -> int:
        return len(self.keywords)

    def _near_words(self, query_words: set[str]) -> set[str]:
        """Vocabulary words equal or close to a query word.

        A typo rarely hits both ends of a word, so a word is compared only with vocabulary
        words that share its first or its last letter, and of a compatible length:
        ``fuzz.ratio`` >= c needs the shorter word to be at least c / (200 - c) of the longer.
        """
        near = {w for w in query_words if w in self.by_word}
        factor = self.word_cutoff / (200 - self.word_cutoff)
        for word in query_words - near:
            if len(word) <= SHORT:
                continue
            for key in ("^" + word[0], word[-1] + "$"):
                vocabulary, lengths = self.buckets.get(key, ((), ()))
                start = bisect.bisect_left(lengths, math.ceil(len(word) * factor))
                end = bisect.bisect_right(lengths, math.floor(len(word) / factor))
                if start < end:
                    candidates = vocabulary[start:end]
                    row = process.cdist(
                        [word], candidates, scorer=fuzz.ratio, score_cutoff=self.word_cutoff
                    )[0]
                    near.update(candidates[j] for j in row.nonzero()[0])
        return near

    def search(self, text: str, *, cutoff: float) -> dict[Owner, Hit]:
        """Each owner's best keyword hit in ``text`` (already normalised), at or above cutoff."""
        tokens = words(text)
        ngrams: dict[int, list[str]] = {
            n: [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            for n in range(1, self.longest + 2)
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
            band = [g for n in range(max(1, size - 1), size + 2) for g in ngrams.get(n, ())]
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
                previous = result.get(owner)
                if previous is None:
                    result[owner] = Hit(self.keywords[i], score)
                elif previous.score < score:
                    result[owner] = Hit(self.keywords[i], score, previous.count + 1)
                else:
                    result[owner] = Hit(previous.keyword, previous.score, previous.count + 1)
        return result
