"""From one message to a decision: route confidently, offer 2-3 themes, or nothing.

Emergencies are looked for first and separately, with the catalogue's danger words: they
are surfaced whatever else the message matches.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal, NotRequired, TypedDict

from bot.catalogue.model import Action, Catalogue
from bot.matching.index import CONJUNCTION, FUNCTION_WORDS, SHORT, Hit, KeywordIndex
from bot.matching.language import detect_language, romanised
from bot.matching.normalise import normalise
from bot.matching.questions import asks
from bot.matching.semantic import Reading, SemanticIndex
from bot.matching.transliterate import to_cyrillic

KEYWORD_CUTOFF = 84.0
"""Below this a keyword does not count as present in the message."""
EMERGENCY_CUTOFF = 88.0
"""Danger words must be nearly exact: a false alarm frightens, but a typo must not hide one."""
CONFIDENT = 86.0
"""The best action must be this strong to route without asking."""
MARGIN = 8.0
"""...and this far ahead of the next theme it does not belong to."""
CLARIFY_WITHIN = 15.0
"""Themes this close to the best one are offered together when unsure."""
THEME_ONLY = 0.95
"""An action reached only through its theme ranks below one hit by its own keywords."""
OFF_THEME = 0.5
"""...and, a little, below an action all of whose themes are in the message."""
ACTION_ONLY = 0.9
"""An action's own keyword is often a qualifier ("for women"), weaker than a topic word..."""
BOTH = 5.0
"""...but with its topic in the message too, that action is the one."""
CONTEXT = 0.85
"""A context word ("child", "family") hints at a theme less than a keyword does."""
OPERATOR = 0.9
"""Naming an operator points to its actions, but less than naming what one needs."""
PER_WORD = 2.0
"""A longer keyword found whole is more telling: "regroupement familial" beats "femme"."""
PER_EXTRA_HIT = 2.0
MAX_EXTRA_HITS = 3
"""Each further keyword of the same theme or action adds a little evidence."""
EMERGENCY_WORD_EXACT_BELOW = 8
"""A single danger word shorter than this must be typed exactly: "faire" is not "fire"."""
WHAT_TO_DO = re.compile(r"(?<!\S)چ(?:ه|ی)? ?کار (?:ب?کن(?:م|یم|ه|د)|باید)(?!\S)")
"""Persian and Dari "چه کار کنم" is "what should I do": its "کار" is not work."""
log = logging.getLogger(__name__)

MAX_RESULTS = 5
MAX_MESSAGE = 4096
MAX_KEYWORD_WORDS = 80
"""Keywords are looked for fuzzily in this many words at most: the cost grows with the
length, and the need of a long message is rarely only in its tail (the semantic stage reads
its end)."""
Mode = Literal["keyword", "semantic", "hybrid"]


@dataclass(frozen=True)
class Calibration:
    """The hybrid decision's constants. Similarities are e5 cosines (related texts ~0.85-0.95).

    Calibrated on the development splits only (tests/data/eval-dev.jsonl with
    ``bench/calibrate.py``; tests/data/needs-dev.jsonl for ``action_weight`` and
    ``action_margin``), never on the test splits: see the README's evaluation rule.
    """

    keyword_weight: float = 0.1
    """How much a keyword hit (score/100, ~0.85-1.1) adds to a theme's similarity: a precise
    keyword usually wins, one ambiguous word does not beat the meaning."""
    action_weight: float = 2.0
    """How much an action's own texts count, beside its theme's, to order actions: with many
    services per theme, the one whose examples are closest is usually the one (its own
    keywords count half as much as a theme's)."""
    later_theme: float = 0.05
    """An action is first about its first theme: "I need a job" opens a job action."""
    agree_within: float = 0.01
    """The keywords' best theme must be this close to the semantic best to route on keywords."""
    semantic_confident: float = 0.9
    """With no confident keyword, the semantic best theme must be this similar to route..."""
    semantic_margin: float = 0.02
    """...and this far ahead of the next theme the chosen action does not cover."""
    action_margin: float = 0.005
    """Or the chosen action's own texts are that similar and this far ahead of every action
    about other themes: many services share a theme, one of them is clearly the one."""
    action_theme_within: float = 0.01
    """...and its themes among the closest to the message: "I need help" reads close to "I
    need a doctor", and closer still to "I need food help", so no one card is the one."""
    relevant: float = 0.87
    """Below this similarity, with no keyword either, the message is about nothing we serve."""
    off_topic_margin: float = -0.01
    """A message closer to an out-of-scope question than to any service (by this) is not routed."""
    off_topic_named: float = 0.005
    """...and this much more when the message names a theme by one of its own words, even
    misspelt: "ويين فيه متحف نزوره" (where is a museum to visit) and "ابغى مساعده في دفع
    الايجارر" (help to pay the rentt) read as close to an out-of-scope question as to any
    service."""
    clarify_within: float = 0.03
    """Themes this close to the best one are offered together when unsure."""
    romanised_doubt: float = 0.01
    """Arabizi, Finglish, Pashto or Tigrinya in Latin letters read close to every text written
    so: the meaning alone must be this much surer to route them, and may be this much further
    from the keywords' theme before it overrules them."""
    danger: float = 0.87
    """A message this similar to a crisis example gets the emergency numbers, gently..."""
    danger_margin: float = 0.01
    """...when it is also at least this much closer to the crisis than to any service."""
    danger_alone: float = 0.92
    """A message this similar to a crisis example gets the numbers even if a service is closer."""
    danger_within: float = 0.01
    """Only the dangers this close to the closest one are named: one situation, few numbers."""
    danger_over_card: float = 0.025
    """A message this much closer to a danger than to the first card's themes gets no card
    at once when the card is about something else: a missing child is not a school enrolment
    (calibrated with tests/data/needs-dev.jsonl, where a faint false alarm on a housing
    request must keep its card)."""


Audience = str


@dataclass(frozen=True)
class ScoredAction:
    action: Action
    score: float
    eligible: bool = True


@dataclass(frozen=True)
class Evidence:
    """What the keywords found: danger contacts, actions by their own words, themes."""

    emergency: tuple[str, ...] = ()
    own: dict[str, float] = field(default_factory=dict)
    direct: dict[str, float] = field(default_factory=dict)
    themes: dict[str, float] = field(default_factory=dict)
    named: dict[str, float] = field(default_factory=dict)
    """Operators named in the message, by their name or an alias."""
    need_words: bool = False
    """A theme or action keyword was found besides the operators' names."""
    asked: frozenset[str] = frozenset()
    """Actions named by their own keywords (not through an operator or a theme)."""
    named_themes: frozenset[str] = frozenset()
    """Themes named by their own keywords (not by a context word such as "my daughter")."""


class Decision(TypedDict):
    """What a stage decides; the rest of a ``Match`` is the message and its language."""

    confident: bool
    emergency: tuple[str, ...]
    clarify: tuple[str, ...]
    results: tuple[ScoredAction, ...]
    gentle: NotRequired[bool]
    then: NotRequired[tuple[str, ...]]


@dataclass(frozen=True)
class Match:
    text: str
    lang: str | None
    confident: bool
    emergency: tuple[str, ...]
    clarify: tuple[str, ...]
    results: tuple[ScoredAction, ...]
    detected: str | None = None
    """The language the text looks written in, whatever the person chose (to offer a switch)."""
    gentle: bool = False
    """Only the semantic stage sees danger: the numbers are offered softly, and the answer
    the person asked for is still given."""
    reading: Reading | None = None
    asks: tuple[str, ...] = ()
    """What the message asks about the service: where, when, cost, appointment."""
    operator: str | None = None
    """The operator the message names when it names no need besides: show that operator."""
    then: tuple[str, ...] = ()
    """The services the danger's contacts name for afterwards, among the results: first (with
    a card the engine was sure of second), or right after the card the person asked for
    (``MatchingEngine._danger_first``)."""

    def as_json(self) -> dict[str, object]:
        """The shape of ``ctai-bot ask``'s output, which other tools rely on."""
        shown: dict[str, object] = {
            "text": self.text,
            "lang": self.lang,
            "detected": self.detected,
            "confident": self.confident,
            "emergency": list(self.emergency),
            "emergency_gentle": self.gentle,
            "clarify": list(self.clarify),
            "asks": list(self.asks),
            "operator": self.operator,
            "then": list(self.then),
            "results": [
                {
                    "action": r.action.id,
                    "operators": list(r.action.operators),
                    "themes": list(r.action.themes),
                    "score": round(r.score, 1),
                }
                for r in self.results
            ],
        }
        if self.reading:
            themes = sorted(self.reading.themes.items(), key=lambda t: -t[1])[:3]
            shown["semantic"] = {
                "themes": {t: round(s, 3) for t, s in themes},
                "out_of_scope": round(self.reading.out_of_scope, 3),
                "nearest": [
                    {"text": text, "for": f"{kind}:{owner}", "similarity": sim}
                    for text, (kind, owner), sim in self.reading.nearest
                ],
            }
        return shown


def read_as(text: str) -> tuple[str | None, str]:
    """The language of ``text`` and the text as the matching stages should read it (Russian or
    Ukrainian typed in Latin letters, back in Cyrillic)."""
    detected = detect_language(text)
    return detected, (detected and to_cyrillic(text, detected)) or text


def eligible(action: Action, audience: Audience | None) -> bool:
    return audience is None or audience in action.audience


def splitting_question(actions: list[Action]) -> str | None:
    """The one question whose answer would split these actions, audience first."""
    if len({tuple(sorted(a.audience)) for a in actions}) > 1:
        return "audience"
    for name in ("women", "priority_neighbourhood", "parents", "trade"):
        if len({getattr(a.eligibility, name) for a in actions}) > 1:
            return name
    return None


SHARED = ("fr", "en")
"""Languages whose words people mix into every other: typos of them are looked for in any
message ("prefectur", "rendez vou")."""


def _foreign_keywords(listed: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """For each language, the keywords (normalised; each side of an "a + b" one, as the index
    holds them) listed only for other languages, but ``SHARED``: a message is read for typos
    of its own language's words only."""
    by_lang = {
        lang: {normalise(part) for k in keywords for part in k.split(CONJUNCTION)}
        for lang, keywords in listed.items()
    }
    every = set().union(*by_lang.values())
    shared = set().union(*(by_lang.get(lang, set()) for lang in SHARED))
    return {lang: frozenset(every - shared - own) for lang, own in by_lang.items()}


def _ordinary_words(catalogue: Catalogue) -> set[str]:
    """The territory's ``ordinary_words``, normalised: never read as a typo of a danger word.
    Listed by hand: taking every catalogue word instead hid inflections and deliberate
    misspellings of danger words ("istiyoruz", "apartement en feu")."""
    return {normalise(w) for ws in catalogue.territory.ordinary_words.values() for w in ws}


def _names_pattern(catalogue: Catalogue) -> re.Pattern[str]:
    """Operators' names and aliases of two words or more besides function words, normalised,
    as whole words: "Secours Catholique", not "Mon Enfant", which "il frappe mon enfant" says."""
    danger = {
        normalise(w) for c in catalogue.territory.emergency for ws in c.words.values() for w in ws
    }
    names = {
        name
        for operator in catalogue.operators.values()
        for name in map(normalise, (operator.name, *operator.aliases))
        if sum(word not in FUNCTION_WORDS for word in name.split()) >= 2
    } - danger
    if not names:
        return re.compile(r"(?!)")  # matches nothing
    longest_first = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\S)")


def _weight(hit: Hit) -> float:
    """A keyword's similarity, plus a little for its length and for corroborating hits."""
    extra = min(MAX_EXTRA_HITS, hit.count - 1)
    return hit.score + PER_WORD * hit.keyword.count(" ") + PER_EXTRA_HIT * extra


class MatchingEngine:
    """Built once per catalogue; ``match`` runs on every message."""

    def __init__(
        self,
        catalogue: Catalogue,
        semantic: SemanticIndex | None = None,
        *,
        mode: Mode = "hybrid",
        calibration: Calibration | None = None,
    ) -> None:
        """Without ``semantic`` the engine is the keyword engine alone; ``mode`` lets the
        benchmark run one stage alone."""
        self.catalogue = catalogue
        self.semantic = semantic
        self.mode: Mode = mode if semantic is not None else "keyword"
        self.calibration = calibration or Calibration()
        entries: list[tuple[str, tuple[str, str]]] = []
        listed: dict[str, list[str]] = defaultdict(list)
        """Each language's keywords, labels and titles, for ``exact_only``."""
        for theme in catalogue.themes:
            for kind, words in (
                ("theme", theme.keywords),
                ("theme", {lang: [label] for lang, label in theme.label.items()}),
                ("context", theme.context_keywords),
            ):
                for lang, keywords in words.items():
                    entries += [(k, (kind, theme.id)) for k in keywords]
                    listed[lang] += keywords
        for action in catalogue.actions:
            for words in (
                action.keywords,
                {lang: [title] for lang, title in action.title.items()},
            ):
                for lang, keywords in words.items():
                    entries += [(k, ("action", action.id)) for k in keywords]
                    listed[lang] += keywords
        for operator in catalogue.operators.values():
            for name in (operator.name, *operator.aliases):
                entries.append((name, ("operator", operator.id)))
        self.index: KeywordIndex[tuple[str, str]] = KeywordIndex(
            entries, typo_from=SHORT + 1, content_word=SHORT, optional=FUNCTION_WORDS
        )
        self.emergency_index: KeywordIndex[str] = KeywordIndex(
            (
                (word, contact.id)
                for contact in catalogue.territory.emergency
                for words in contact.words.values()
                for word in words
            ),
            exact_below=EMERGENCY_WORD_EXACT_BELOW,
            content_word=3,  # "i want to do" is not "i want to die"
            plain_words=_ordinary_words(catalogue),  # "courir" is not a typo of "mourir"
            any_order=False,  # danger phrases are matched as written
        )
        self.false_friends = {
            lang: frozenset(map(normalise, words))
            for lang, words in catalogue.territory.false_friends.items()
        }
        """Per message language, keywords of other languages it does not look for."""
        self.exact_only = _foreign_keywords(listed)
        """Per message language, keywords of other languages found only as written: Pashto
        "سندرې" (songs) is no typo of Arabic "ما ندري", Arabizi "shaqq" (flat) of Somali "shaqo"."""
        self.operator_names = _names_pattern(catalogue)
        """A danger word found only nearly, and only across an operator's name, is none: "du
        Secours Catholique" is not "au secours", while "frappe mon enfant" is found whole."""
        self.actions_by_operator: dict[str, list[Action]] = defaultdict(list)
        self.actions_by_theme: dict[str, list[str]] = defaultdict(list)
        for action in catalogue.actions:
            for operator_id in action.operators:
                self.actions_by_operator[operator_id].append(action)
            for theme in action.themes:
                self.actions_by_theme[theme].append(action.id)
        self.position = {action.id: i for i, action in enumerate(catalogue.actions)}
        """Ties keep the coordinator's order."""
        self.emergency_themes = {c.id: c.themes for c in catalogue.territory.emergency}
        self.then = {c.id: c.then for c in catalogue.territory.emergency}

    def match(
        self,
        text: str,
        *,
        lang: str | None = None,
        audience: Audience | None = None,
        reading: Reading | None = None,
    ) -> Match:
        """Rank the catalogue's actions for ``text``; never raises on any string.

        ``reading``: the semantic reading of this text if already made (calibration)."""
        text = text[:MAX_MESSAGE].encode("utf-8", "replace").decode("utf-8")
        detected, readable = read_as(text)
        # Keywords read both spellings: a Latin "police" or "Coallia" must survive the
        # Cyrillic reading of a romanised Russian message.
        both = text if readable == text else f"{text}\n{readable}"
        evidence = (
            self.keyword_evidence(both, lang=detected or lang)  # the text's own language
            if self.mode != "semantic"
            else Evidence()
        )
        try:
            if reading is None and self.semantic is not None and self.mode != "keyword":
                reading = self.semantic.read(readable)
            if reading is not None:
                decision = self._hybrid_decision(
                    evidence, reading, audience, in_latin=romanised(text, detected)
                )
        except Exception:  # the danger words and the keywords must still answer
            log.exception("semantic stage failed; keywords alone answer this message")
            reading = None
        if reading is None:
            decision = self._keyword_decision(evidence, audience)
        decision = self._danger_first(decision, audience, evidence.asked)
        named = sorted(evidence.named, key=lambda o: -evidence.named[o])
        return Match(
            text=text,
            lang=lang or detected,
            detected=detected,
            reading=reading,
            asks=asks(both),
            operator=named[0] if named and not evidence.need_words else None,
            **decision,
        )

    def keyword_evidence(self, text: str, *, lang: str | None = None) -> Evidence:
        """What the catalogue's keywords and danger words find in the message.

        Only the first ``MAX_KEYWORD_WORDS`` words are compared fuzzily (a 4,096-character
        message must not cost a second); danger words are looked for in the whole message.
        """
        tokens = text.split()
        normal = normalise(" ".join(tokens[:MAX_KEYWORD_WORDS]))
        whole = normal if len(tokens) <= MAX_KEYWORD_WORDS else normalise(text)
        emergency_hits = self.emergency_index.search(whole, cutoff=EMERGENCY_CUTOFF)
        unnamed = self.operator_names.sub("_", whole) if emergency_hits else whole
        if unnamed != whole:  # a near miss across an operator's name is no danger
            kept = self.emergency_index.search(unnamed, cutoff=EMERGENCY_CUTOFF)
            emergency_hits = {
                c: hit for c, hit in emergency_hits.items() if c in kept or hit.score >= 100
            }
        own: dict[str, float] = {}
        direct: dict[str, float] = {}
        named: dict[str, float] = {}
        action_words: set[str] = set()
        theme_words: set[str] = set()
        plain = WHAT_TO_DO.sub("_", normal)
        skip = self.false_friends.get(lang or "", frozenset())
        for (kind, owner), hit in self.index.search(
            plain,
            cutoff=KEYWORD_CUTOFF,
            skip=skip,
            exact=self.exact_only.get(lang or "", frozenset()),
        ).items():
            score = _weight(hit)
            if kind in ("theme", "context"):
                weight = CONTEXT if kind == "context" else 1.0
                if kind == "theme":
                    theme_words.add(owner)
                direct[owner] = max(direct.get(owner, 0.0), weight * score)
            elif kind == "action":
                action_words.add(owner)
                own[owner] = max(own.get(owner, 0.0), score)
            else:
                named[owner] = max(named.get(owner, 0.0), score)
                for action in self.actions_by_operator.get(owner, []):
                    own[action.id] = max(own.get(action.id, 0.0), OPERATOR * score)
        for contact_id, hit in emergency_hits.items():
            for theme in self.emergency_themes[contact_id]:
                direct[theme] = max(direct.get(theme, 0.0), _weight(hit))
        theme_scores = dict(direct)
        for action_id, score in own.items():
            for theme in self.catalogue.actions_by_id[action_id].themes:
                theme_scores[theme] = max(theme_scores.get(theme, 0.0), ACTION_ONLY * score)
        order = [c.id for c in self.catalogue.territory.emergency]
        return Evidence(
            emergency=tuple(sorted(emergency_hits, key=order.index)),
            own=own,
            direct=direct,
            themes=theme_scores,
            named=named,
            need_words=bool(direct or action_words),
            asked=frozenset(action_words),
            named_themes=frozenset(theme_words),
        )

    def _keyword_decision(self, evidence: Evidence, audience: Audience | None) -> Decision:
        """The keyword engine alone: precise on the words it knows, blind to the rest."""
        own, direct, theme_scores = evidence.own, evidence.direct, evidence.themes
        emergency = evidence.emergency
        reached = set(own)
        for theme in theme_scores:
            reached.update(self.actions_by_theme[theme])
        ranked: list[ScoredAction] = []
        for action_id in reached:
            action = self.catalogue.actions_by_id[action_id]
            theme_hits = [theme_scores.get(t, 0.0) for t in action.themes]
            score = max(ACTION_ONLY * own.get(action_id, 0.0), THEME_ONLY * max(theme_hits))
            if action_id in own and any(direct.get(t, 0.0) for t in action.themes):
                score += BOTH
            score -= OFF_THEME * sum(s < KEYWORD_CUTOFF for s in theme_hits)
            if score >= KEYWORD_CUTOFF * THEME_ONLY - OFF_THEME * len(theme_hits):
                ranked.append(ScoredAction(action, score, eligible(action, audience)))
        position = self.position
        ranked.sort(key=lambda r: (not r.eligible, -r.score, position[r.action.id]))
        results = tuple(ranked[:MAX_RESULTS])

        confident = False
        clarify: tuple[str, ...] = ()
        if results:
            best = results[0]
            others = [s for t, s in theme_scores.items() if t not in best.action.themes]
            runner_up = max(others, default=0.0)
            confident = (
                not emergency
                and best.eligible
                and best.score >= CONFIDENT
                and runner_up <= best.score - MARGIN
            )
            if not confident:
                top = max(theme_scores.values())
                close = sorted(
                    (t for t, s in theme_scores.items() if s >= top - CLARIFY_WITHIN),
                    key=lambda t: -theme_scores[t],
                )
                clarify = tuple(close[:3])
        return {
            "confident": confident,
            "emergency": emergency,
            "clarify": clarify,
            "results": results,
        }

    def _hybrid_decision(
        self,
        evidence: Evidence,
        reading: Reading,
        audience: Audience | None,
        *,
        in_latin: bool = False,
    ) -> Decision:
        """Keywords for precision, meaning for recall; danger from either. ``in_latin``: the
        text is Arabizi, Finglish or another romanised language (``romanised``)."""
        c = self.calibration
        kw = {t: s / 100 for t, s in evidence.themes.items()}
        combined = {
            t: reading.themes.get(t, 0.0) + c.keyword_weight * kw.get(t, 0.0)
            for t in set(reading.themes) | set(kw)
        }
        ranked_themes = sorted(combined, key=lambda t: -combined[t])
        top_theme = ranked_themes[0]
        top = combined[top_theme]
        semantic_best = max(reading.themes.values(), default=0.0)
        doubt = c.romanised_doubt if in_latin else 0.0
        sure, agree = c.semantic_confident + doubt, c.agree_within + doubt
        theme_named = bool(evidence.named_themes)  # by one of its own words, maybe misspelt
        off_topic = reading.out_of_scope - semantic_best > c.off_topic_margin + (
            c.off_topic_named if theme_named else 0.0
        )

        emergency = evidence.emergency
        gentle = False
        calm = max(reading.services, reading.out_of_scope) + c.danger_margin
        closest = max(reading.emergency.values(), default=0.0)
        sensed = tuple(
            contact.id
            for contact in self.catalogue.territory.emergency
            if (score := reading.emergency.get(contact.id, 0.0)) >= closest - c.danger_within
            and (score >= c.danger_alone or score >= max(c.danger, calm))
        )
        if not emergency and sensed:
            emergency, gentle = sensed, True
        elif sensed:
            emergency = (*emergency, *(e for e in sensed if e not in emergency))

        keyword_results = self._keyword_decision(evidence, audience)
        relevant = bool(evidence.own) or (
            not off_topic and (bool(evidence.themes) or semantic_best >= c.relevant)
        )
        candidates = [t for t in ranked_themes if combined[t] >= top - c.clarify_within]
        # A second theme named by its own keyword ("a flat and French classes").
        second_need = next(
            (t for t in ranked_themes[1:] if evidence.direct.get(t, 0.0) >= KEYWORD_CUTOFF), None
        )
        actions: set[str] = set(evidence.own)
        for theme in [*candidates[:3], *([second_need] if second_need else [])]:
            actions.update(self.actions_by_theme[theme])
        scored: list[ScoredAction] = []
        for action_id in actions:
            action = self.catalogue.actions_by_id[action_id]
            theme_part = max(
                combined.get(t, 0.0) - c.later_theme * (i > 0) for i, t in enumerate(action.themes)
            )
            score = theme_part + c.action_weight * reading.actions.get(action_id, 0.0)
            score += c.keyword_weight / 2 * evidence.own.get(action_id, 0.0) / 100
            scored.append(ScoredAction(action, 100 * score, eligible(action, audience)))
        position = self.position
        scored.sort(key=lambda r: (not r.eligible, -r.score, position[r.action.id]))
        if second_need and scored and second_need not in scored[0].action.themes:
            other = next((r for r in scored if second_need in r.action.themes), None)
            if other is not None:  # a theme may have no action yet
                scored.remove(other)
                scored.insert(1, other)  # both needs get a card or a button
            if second_need not in candidates[:3]:
                candidates = [*candidates[:2], second_need]
        if evidence.named:  # an operator named is always among the first three answers
            named = max(evidence.named, key=lambda o: evidence.named[o])
            if not any(named in r.action.operators for r in scored[:3]):
                own = next((r for r in scored if named in r.action.operators), None)
                if own is not None:
                    scored.remove(own)
                    scored.insert(min(2, len(scored)), own)
        results = tuple(scored[:MAX_RESULTS]) if relevant else ()

        confident = False
        if results and not off_topic:  # a danger never hides the answer asked for
            best = results[0]
            keyword_best = (
                keyword_results["results"][0].action if keyword_results["results"] else None
            )
            on_keywords = (
                keyword_results["confident"]
                and keyword_best is not None
                and bool(set(keyword_best.themes) & set(best.action.themes))
                and any(
                    reading.themes.get(t, 0.0) >= semantic_best - agree for t in keyword_best.themes
                )
            )
            # The rival is the best theme the chosen action does not cover: "CAF family
            # allowance and APL" is money, housing and parenting, all one action's themes.
            rival = max(
                (combined[t] for t in ranked_themes if t not in best.action.themes), default=0.0
            )
            on_meaning = (
                semantic_best >= sure
                and top - rival >= c.semantic_margin
                and top_theme in best.action.themes
            )
            own = reading.actions.get(best.action.id, 0.0)
            other_actions = max(
                (
                    s
                    for a, s in reading.actions.items()
                    if not set(self.catalogue.actions_by_id[a].themes) & set(best.action.themes)
                ),
                default=0.0,
            )
            on_action = (
                own >= sure
                and own - other_actions >= c.action_margin
                and max(reading.themes.get(t, 0.0) for t in best.action.themes)
                >= semantic_best - c.action_theme_within
            )
            confident = (
                best.eligible
                and (on_keywords or on_meaning or on_action)
                and not self._beside_the_danger(best.action, emergency, reading, evidence)
            )
        clarify: tuple[str, ...] = ()
        if results and not confident:
            clarify = tuple(candidates[:3])
        return {
            "confident": confident,
            "emergency": emergency,
            "gentle": gentle,
            "clarify": clarify,
            "results": results,
        }

    def _danger_themes(self, emergency: tuple[str, ...]) -> set[str]:
        """The themes the dangers belong to (115: housing)."""
        return {t for e in emergency for t in self.emergency_themes[e]}

    def _beside_the_danger(
        self, action: Action, emergency: tuple[str, ...], reading: Reading, evidence: Evidence
    ) -> bool:
        """The message is about a danger the card does not serve, and either its words name
        the danger and none asks for the card ("my daughter is lost, I need the police" is not
        a childcare card; "je veux mourir, je cherche un travail" keeps its job card), or it is
        far more about the danger than about the card's themes: the numbers come first, then
        the person chooses."""
        if not emergency:
            return False
        themes = set(action.themes)
        named = self._danger_themes(evidence.emergency) | evidence.named_themes
        if evidence.emergency and not themes & named and action.id not in evidence.asked:
            return True
        if themes & self._danger_themes(emergency):
            return False
        danger = max(reading.emergency.get(e, 0.0) for e in emergency)
        card = max(reading.themes.get(t, 0.0) for t in themes)
        return danger - card >= self.calibration.danger_over_card

    def _danger_first(
        self, decision: Decision, audience: Audience | None, asked: frozenset[str]
    ) -> Decision:
        """The services the danger's numbers name for afterwards ("then").

        They come first, unless the engine is sure of a card the person asked for: one about
        another need ("je veux mourir, je cherche un travail") or one named by its own words;
        then they are that card's next buttons. When they do come first, a card the engine
        was sure of stays one tap away, as the first of the others."""
        results = decision["results"]
        actions = self.catalogue.actions_by_id
        emergency = decision["emergency"]
        then = [
            actions[a]
            for a in dict.fromkeys(a for e in emergency for a in self.then[e])
            if a in actions and eligible(actions[a], audience)
        ]
        if not then:
            return decision
        top = results[0].score if results else 0.0  # "je veux me suicider": nothing else
        found = {r.action.id: r for r in results}
        offered = [found.get(a.id) or ScoredAction(a, top) for a in then]
        card = results[0] if results and decision["confident"] else None
        if card is not None and (
            card.action.id in asked or not set(card.action.themes) & self._danger_themes(emergency)
        ):
            ordered = [card, *(r for r in offered if r is not card)]
        elif card is not None and card not in offered:
            ordered = [offered[0], card, *offered[1:]]
        else:
            ordered = offered
        shown = {r.action.id for r in ordered}
        ordered += [r for r in results if r.action.id not in shown]
        return decision | {
            "results": tuple(ordered[:MAX_RESULTS]),
            "then": tuple(a.id for a in then),
        }
