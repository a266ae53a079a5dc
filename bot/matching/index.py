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
"""Keywords this short match only exactly: "CV" must not match "ça"; in the main index, words
of a message this short are never read as a typo either ("سبا" is not "سباک")."""
FUNCTION_WORDS = frozenset(
    "a i de la le les un une des du au et en je tu il me ma mon ce on is in it to of the "
    "my we he do be or an at as by for and you are was not ne pas sur par pour avec "
    "hastam hastim caawimaad jiraan inaan inaad".split()
)
"""Words too common to be a keyword in any language, or a typo of one: Turkish "iş" (work)
normalises to "is", which every English sentence has, "pas" is one letter from "PASS",
Finglish "hastam" (I am) from Turkish "hasta" (ill), Somali "caawimaad" (help) from
"caafimaad" (health), "ma jiraan" (are there) from "jiran" (ill), "inaan" (that I) from
"inan" (boy)."""


@dataclass(frozen=True)
class Hit:
    """An owner's best keyword in a message, and how many of its keywords were there."""

    keyword: str
    score: float
    count: int = 1


@dataclass(frozen=True)
class _Part:
    """One side of an "a + b" keyword: the owner is reached only when every part is found."""

    conjunction: int
    index: int


CONJUNCTION = " + "
"""In a keyword, "enfant + frapper" means both words somewhere in the message, in any order."""


class KeywordIndex(Generic[Owner]):
    """Keywords, each owned by something (a theme, an action, an emergency contact)."""

    def __init__(
        self,
        entries: Iterable[tuple[str, Owner]],
        *,
        word_cutoff: float = 78,
        exact_below: int = SHORT + 1,
        content_word: int = SHORT + 1,
        plain_words: Iterable[str] = FUNCTION_WORDS,
        any_order: bool = True,
        typo_from: int = SHORT,
        optional: Iterable[str] = (),
    ) -> None:
        """``exact_below``: single-word keywords shorter than this match only exactly;
        ``content_word``: words this long in a phrase must each be in the message;
        ``plain_words``: words of a message never read as a typo of a keyword (normalised;
        by default the function words: "pas" is not "PASS");
        ``any_order``: a phrase's words may come in another order ("ክፍሊ ብክራይ");
        ``typo_from``: shorter words of a message are never read as a typo;
        ``optional``: words a phrase may lack however long ("échanger mon permis")."""
        self.word_cutoff = word_cutoff
        self.any_order = any_order
        self.content_word = content_word
        self.plain_words = frozenset(plain_words)
        self.typo_from = typo_from
        self.optional = frozenset(optional)
        owners: dict[str, set[Owner | _Part]] = defaultdict(set)
        self.conjunctions: list[tuple[str, Owner, int]] = []
        for keyword, owner in entries:
            if CONJUNCTION in keyword:
                parts = [normalise(part) for part in keyword.split(CONJUNCTION)]
                parts = [part for part in parts if part and part not in FUNCTION_WORDS]
                if len(parts) < 2:
                    continue
                for index, part in enumerate(parts):
                    owners[part].add(_Part(len(self.conjunctions), index))
                self.conjunctions.append((" + ".join(parts), owner, len(parts)))
                continue
            text = normalise(keyword)
            if text and text not in FUNCTION_WORDS:
                owners[text].add(owner)
        self.keywords: list[str] = list(owners)
        self.owners: list[frozenset[Owner | _Part]] = [frozenset(owners[k]) for k in self.keywords]
        self.exact: dict[str, int] = {k: i for i, k in enumerate(self.keywords)}
        self.sizes: list[int] = [len(k.split()) for k in self.keywords]
        self.longest = min(MAX_NGRAM, max(self.sizes, default=1))
        by_word: dict[str, list[int]] = defaultdict(list)
        for i, keyword in enumerate(self.keywords):
            if len(keyword) >= exact_below or " " in keyword:
                for word in set(keyword.split()):
                    if len(word) >= SHORT:
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
        for word in query_words:  # a known word may still be a typo of another keyword's
            if len(word) < self.typo_from or word in self.plain_words:
                continue  # "pas" is not a typo of "PASS"
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

    def _scores(
        self, text: str, cutoff: float, skip: frozenset[str], exact: frozenset[str]
    ) -> dict[int, float]:
        """Best score of each keyword found in the text, exact or fuzzy, but those in ``skip``;
        those in ``exact`` only as written."""
        tokens = words(text)
        ngrams: dict[int, list[str]] = {
            n: [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            for n in range(1, self.longest + 2)
        }
        scores: dict[int, float] = {}
        for grams in ngrams.values():
            for gram in grams:
                found = self.exact.get(gram)
                if found is not None and gram not in skip:
                    scores[found] = 100.0
        near = self._near_words(set(tokens))
        candidates: set[int] = set()
        for word in near:
            candidates.update(self.by_word[word])
        for i in candidates - scores.keys():
            keyword, size = self.keywords[i], self.sizes[i]
            if keyword in skip or keyword in exact:
                continue
            if size > 1 and any(
                len(w) >= self.content_word and w not in near and w not in self.optional
                for w in keyword.split()
            ):
                continue  # every content word must be there: "язык жест" is not "язык есть"
            band = [g for n in range(max(1, size - 1), size + 2) for g in ngrams.get(n, ())]
            scorer = fuzz.token_sort_ratio if size > 1 and self.any_order else fuzz.ratio
            best = band and process.extractOne(keyword, band, scorer=scorer, score_cutoff=cutoff)
            if best:
                scores[i] = best[1]
        return scores

    def search(
        self,
        text: str,
        *,
        cutoff: float,
        skip: frozenset[str] = frozenset(),
        exact: frozenset[str] = frozenset(),
    ) -> dict[Owner, Hit]:
        """Each owner's best keyword hit in ``text`` (already normalised), at or above cutoff;
        ``skip``: keywords (normalised) not to look for in this text; ``exact``: keywords
        found only as written, never as a typo."""
        found: list[tuple[Owner, str, float]] = []
        parts: dict[int, dict[int, float]] = defaultdict(dict)
        for i, score in self._scores(text, cutoff, skip, exact).items():
            for owner in self.owners[i]:
                if isinstance(owner, _Part):
                    known = parts[owner.conjunction].get(owner.index, 0.0)
                    parts[owner.conjunction][owner.index] = max(known, score)
                else:
                    found.append((owner, self.keywords[i], score))
        for conjunction, scores in parts.items():
            keyword, owner, needed = self.conjunctions[conjunction]
            if len(scores) == needed:
                found.append((owner, keyword, min(scores.values())))
        result: dict[Owner, Hit] = {}
        for owner, keyword, score in sorted(found, key=lambda f: -f[2]):
            previous = result.get(owner)
            if previous is None:
                result[owner] = Hit(keyword, score)
            elif not set(keyword.split()) & set(previous.keyword.split()):
                # another, separate piece of evidence ("my child" after "child" is not)
                result[owner] = Hit(previous.keyword, previous.score, previous.count + 1)
        return result
