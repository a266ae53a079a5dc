"""From one message to a decision: route confidently, offer 2-3 themes, or nothing.

Emergencies are looked for first and separately, with the catalogue's danger words: they
are surfaced whatever else the message matches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.catalogue.model import Action, Catalogue
from bot.matching.index import Hit, KeywordIndex
from bot.matching.language import detect_language
from bot.matching.normalise import normalise

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
MAX_RESULTS = 5
MAX_MESSAGE = 4096

Audience = str


@dataclass(frozen=True)
class ScoredAction:
    action: Action
    score: float
    eligible: bool = True


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

    def as_json(self) -> dict[str, object]:
        """The shape of ``ctai-bot ask``'s output, which other tools rely on."""
        return {
            "text": self.text,
            "lang": self.lang,
            "confident": self.confident,
            "emergency": list(self.emergency),
            "clarify": list(self.clarify),
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


def _weight(hit: Hit) -> float:
    """A keyword's similarity, plus a little for its length and for corroborating hits."""
    extra = min(MAX_EXTRA_HITS, hit.count - 1)
    return hit.score + PER_WORD * hit.keyword.count(" ") + PER_EXTRA_HIT * extra


class MatchingEngine:
    """Built once per catalogue; ``match`` runs on every message."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        entries: list[tuple[str, tuple[str, str]]] = []
        for theme in catalogue.themes:
            entries += [(k, ("theme", theme.id)) for ks in theme.keywords.values() for k in ks]
            entries += [(label, ("theme", theme.id)) for label in theme.label.values()]
            entries += [
                (k, ("context", theme.id)) for ks in theme.context_keywords.values() for k in ks
            ]
        for action in catalogue.actions:
            entries += [(k, ("action", action.id)) for ks in action.keywords.values() for k in ks]
            entries += [(title, ("action", action.id)) for title in action.title.values()]
        for operator in catalogue.operators.values():
            for name in (operator.name, *operator.aliases):
                entries.append((name, ("operator", operator.id)))
        self.index: KeywordIndex[tuple[str, str]] = KeywordIndex(entries)
        self.emergency_index: KeywordIndex[str] = KeywordIndex(
            (
                (word, contact.id)
                for contact in catalogue.territory.emergency
                for words in contact.words.values()
                for word in words
            ),
            exact_below=EMERGENCY_WORD_EXACT_BELOW,
            content_word=3,  # "i want to do" is not "i want to die"
            any_order=False,  # danger phrases are matched as written
        )
        self.actions_by_operator: dict[str, list[Action]] = defaultdict(list)
        self.actions_by_theme: dict[str, list[str]] = defaultdict(list)
        for action in catalogue.actions:
            for operator_id in action.operators:
                self.actions_by_operator[operator_id].append(action)
            for theme in action.themes:
                self.actions_by_theme[theme].append(action.id)
        self.position = {action.id: i for i, action in enumerate(catalogue.actions)}
        self.emergency_themes = {c.id: c.themes for c in catalogue.territory.emergency}
        """Ties keep the coordinator's order."""

    def match(
        self, text: str, *, lang: str | None = None, audience: Audience | None = None
    ) -> Match:
        """Rank the catalogue's actions for ``text``; never raises on any string."""
        text = text[:MAX_MESSAGE].encode("utf-8", "replace").decode("utf-8")
        normal = normalise(text)
        detected = detect_language(text)
        emergency_hits = self.emergency_index.search(normal, cutoff=EMERGENCY_CUTOFF)
        order = [c.id for c in self.catalogue.territory.emergency]
        emergency = tuple(sorted(emergency_hits, key=order.index))

        own: dict[str, float] = {}
        direct: dict[str, float] = {}
        for (kind, owner), hit in self.index.search(normal, cutoff=KEYWORD_CUTOFF).items():
            score = _weight(hit)
            if kind in ("theme", "context"):
                weight = CONTEXT if kind == "context" else 1.0
                direct[owner] = max(direct.get(owner, 0.0), weight * score)
            elif kind == "action":
                own[owner] = max(own.get(owner, 0.0), score)
            else:
                for action in self.actions_by_operator.get(owner, []):
                    own[action.id] = max(own.get(action.id, 0.0), OPERATOR * score)
        for contact_id, hit in emergency_hits.items():
            for theme in self.emergency_themes[contact_id]:
                direct[theme] = max(direct.get(theme, 0.0), _weight(hit))
        theme_scores = dict(direct)
        for action_id, score in own.items():
            for theme in self.catalogue.actions_by_id[action_id].themes:
                theme_scores[theme] = max(theme_scores.get(theme, 0.0), ACTION_ONLY * score)

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
        return Match(
            text=text,
            lang=lang or detected,
            confident=confident,
            emergency=emergency,
            clarify=clarify,
            results=results,
            detected=detected,
        )
