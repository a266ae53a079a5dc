"""The conversation: one event and a person's small state in, replies out.

The Telegram adapter, the console chat and the tests all run this same code, so what the
tests see is what a person sees. Every screen offers a way back to the menu and to the
emergency numbers: there are no dead ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.catalogue.model import Action, Catalogue
from bot.dialogue import handoff
from bot.dialogue.cards import (
    action_card,
    distance_km,
    emergency_card,
    operator_card,
    text_of,
    theme_label,
)
from bot.dialogue.i18n import I18n, Strings, escape, language_name
from bot.dialogue.links import AUDIENCE_CODES, data, parse_payload
from bot.dialogue.model import (
    Button,
    Command,
    Event,
    Location,
    Place,
    Press,
    Relay,
    Reply,
    Signal,
    Start,
    State,
    Text,
    Turn,
    Unsupported,
)
from bot.matching.engine import Match, MatchingEngine, splitting_question

PAPER_WORDS = "🛡 réfugié, protection subsidiaire\n🪪 titre de séjour\n📄 demande d'asile"
"""The words on a person's French letters, the same whatever language the bot speaks: they
tell which status button is theirs."""
ASK_CODES = {"where": "w", "when": "h", "cost": "c", "appointment": "a"}
"""A typed question (where, when...) carried by one letter in a status button's data."""

MAX_BUTTON_LABEL = 48
NEAREST = 3


def _short(label: str) -> str:
    return label if len(label) <= MAX_BUTTON_LABEL else label[: MAX_BUTTON_LABEL - 1] + "…"


class Dialogue:
    """Built once per catalogue: a new catalogue means a new Dialogue, swapped atomically."""

    def __init__(
        self,
        catalogue: Catalogue,
        i18n: I18n,
        engine: MatchingEngine | None = None,
        *,
        inactive_days: int = 180,
        unmatched_days: int = 30,
        handoff: bool = False,
        ticket_days: int = 30,
    ) -> None:
        """``handoff``: a staff group answers 'Talk to a person' (CTAI_STAFF_CHAT_ID)."""
        self.catalogue = catalogue
        self.handoff = handoff
        self.ticket_days = ticket_days
        self.inactive_days = inactive_days
        self.unmatched_days = unmatched_days
        self.i18n = i18n
        self.engine = engine or MatchingEngine(catalogue)
        self.languages = catalogue.territory.languages
        self.zone = ZoneInfo(catalogue.territory.timezone)

    # -- entry point -------------------------------------------------------------------

    def handle(
        self,
        event: Event,
        state: State,
        *,
        private: bool = True,
        client_lang: str | None = None,
        now: dt.datetime | None = None,
    ) -> Turn:
        """Answer one event; never raises for anything a person can send."""
        now = (now or dt.datetime.now(dt.UTC)).astimezone(self.zone)
        lang = state.lang or (client_lang if client_lang in self.languages else None)
        s = self.i18n[lang or self.catalogue.territory.default_language]
        if not private:
            return Turn(
                (Reply(s._("🔒 To protect your privacy, please write to me in a private chat.")),),
                state,
            )
        signals = (Signal("message", lang or "?"),)
        match event:
            case Start(payload):
                turn = self._start(payload, state, lang, now)
            case Command(name):
                turn = self._command(name, state, s)
            case Press(pressed):
                turn = self._press(pressed, state, s, now)
            case Text(text):
                turn = self._text(text, state, s, now, client=lang)
            case Location(lat, lon):
                turn = self._location(lat, lon, state, s)
            case Unsupported(kind):
                turn = Turn((self._unsupported(kind, s),), state)
        return replace(turn, signals=signals + turn.signals)

    # -- screens -----------------------------------------------------------------------

    def _nav(self, s: Strings, *, back: str | None = None) -> tuple[Button, ...]:
        row = [Button(s._("📋 Menu"), data("M")), Button(s._("🆘 Emergency"), data("E"))]
        if back:
            row.insert(0, Button(s._("⬅️ Back"), back))
        return tuple(row)

    def picker(self) -> Reply:
        """Each language named in its own script: it must be readable before any choice."""
        names = [Button(language_name(lang), data("l", lang)) for lang in self.languages]
        rows = tuple(tuple(names[i : i + 2]) for i in range(0, len(names), 2))
        prompts = dict.fromkeys(
            self.i18n[lang]._("Choose your language") for lang in self.languages
        )
        last = (Button("🆘 SOS", data("E")), Button("📋 Menu", data("M")))
        return Reply("🌐 " + "\n".join(prompts), (*rows, last))

    def menu(self, s: Strings, intro: str | None = None) -> Reply:
        themes = [Button(theme_label(s, t), data("t", t.id)) for t in self.catalogue.themes]
        rows = [tuple(themes[i : i + 2]) for i in range(0, len(themes), 2)]
        rows.append((Button(s._("🆘 Emergency"), data("E")), Button(s._("🌐 Language"), data("L"))))
        if self.handoff:
            rows.append((handoff.talk_button(s),))
        text = intro or s._("What do you need? Tap a topic, or write it in a few words.")
        return Reply(text, tuple(rows))

    def welcome(self, s: Strings) -> Reply:
        return Reply(
            s._(
                "👋 Welcome! I help refugees and newcomers in {town} find the right service: "
                "French classes, housing, health, work, papers and more.\n\n"
                "🔒 I keep almost nothing about you: your language and your answers. /privacy\n"
                "🆘 Emergency numbers are always one tap away.",
                town=self._town(s),
            )
        )

    def _town(self, s: Strings) -> str:
        """بواتييه (Poitiers): the name in the reader's script, the official one beside it."""
        territory = self.catalogue.territory
        local = territory.local_names.get(s.lang)
        return (
            f"{local} ({territory.name})" if local and local != territory.name else territory.name
        )

    def emergency(
        self, s: Strings, matched: tuple[str, ...] = (), *, gentle: bool = False
    ) -> Reply:
        text = emergency_card(s, tuple(self.catalogue.territory.emergency), matched, gentle=gentle)
        return Reply(text, ((Button(s._("📋 Menu"), data("M")),),))

    def _start(self, payload: str, state: State, lang: str | None, now: dt.datetime) -> Turn:
        target = parse_payload(payload, self.catalogue) if payload else None
        if target:
            state = replace(state, lang=target.lang)
            s = self.i18n[target.lang]
            replies = [self.welcome(s)]
            if target.action:
                replies.append(
                    self._card(s, self.catalogue.actions_by_id[target.action], state, now)
                )
                return Turn(tuple(replies), state, signals=(Signal("action", target.action),))
            if target.theme:
                turn = self._theme(target.theme, state, s)
                return replace(turn, replies=(*replies, *turn.replies))
            replies.append(self.menu(s))
            return Turn(tuple(replies), state)
        if lang is None:
            return Turn((self.picker(),), state)
        s = self.i18n[lang]
        return Turn((self.welcome(s), self.menu(s)), replace(state, lang=lang))

    def _command(self, name: str, state: State, s: Strings) -> Turn:
        match name:
            case "start":
                return self._start("", state, state.lang, dt.datetime.now(self.zone))
            case "menu":
                return Turn((self.menu(s),), state)
            case "language":
                return Turn((self.picker(),), state)
            case "status":
                return Turn((self._audience_question(s, state.theme or ""),), state)
            case "human" if self.handoff:
                return Turn((handoff.consent(s, self.catalogue.territory),), state)
            case "emergency":
                return Turn((self.emergency(s),), state, signals=(Signal("emergency", "menu"),))
            case "help":
                return Turn(
                    (
                        self.menu(
                            s,
                            s._(
                                "ℹ️ Tap a topic below, or write what you need in your own language "
                                "(for example: French class, flat, doctor).\n"
                                "/menu — topics\n/language — change language\n"
                                "/status — change your answer about your status\n"
                                "/emergency — emergency numbers\n"
                                "/privacy — what I keep\n/forget — delete what I keep about you"
                            ),
                        ),
                    ),
                    state,
                )
            case "privacy":
                return Turn((self.menu(s, self._privacy(s)),), state)
            case "forget":
                done = s._(
                    "🗑 Done: I deleted everything I kept about you. Send /start to begin again."
                )
                buttons = (
                    (Button(s._("🌐 Language"), data("L")), Button(s._("🆘 Emergency"), data("E"))),
                )
                return Turn((Reply(done, buttons),), State(), forget=True)
        return Turn((self.menu(s, s._("I don't know this command. Here is the menu.")),), state)

    def _privacy(self, s: Strings) -> str:
        return "\n\n".join(
            part
            for part in (
                s._(
                    "🔒 <b>What I keep about you</b>\n"
                    "• your language, your answer about your status, the last day you wrote;\n"
                    "• not your name, not your phone number, not what you write to me."
                ),
                s.n_(
                    "If you do not write for {days} day, what I keep about you is deleted "
                    "automatically. /forget deletes it now.",
                    "If you do not write for {days} days, what I keep about you is deleted "
                    "automatically. /forget deletes it now.",
                    self.inactive_days,
                    days=self.inactive_days,
                ),
                s.n_(
                    "One exception: a message I did not understand is kept for {days} day, "
                    "without your name, so that the coordinator can improve the bot.",
                    "One exception: a message I did not understand is kept for {days} days, "
                    "without your name, so that the coordinator can improve the bot.",
                    self.unmatched_days,
                    days=self.unmatched_days,
                )
                if self.unmatched_days
                else "",
                s.n_(
                    "👤 If you write to the team, they read your messages in their Telegram group, "
                    "without your name or number. The link between you and the conversation is "
                    "deleted {days} day after it ends, or at once with /forget.",
                    "👤 If you write to the team, they read your messages in their Telegram group, "
                    "without your name or number. The link between you and the conversation is "
                    "deleted {days} days after it ends, or at once with /forget.",
                    self.ticket_days,
                    days=self.ticket_days,
                )
                if self.handoff
                else "",
                s._(
                    "Counts without names (for example: how many people asked about housing) "
                    "help improve the services. The bot is run for the CTAI of {town}, the city "
                    "and the State's reception and integration contract.",
                    town=self._town(s),
                ),
            )
            if part
        )

    def _press(self, pressed: str, state: State, s: Strings, now: dt.datetime) -> Turn:
        kind, _, rest = pressed.partition(":")
        catalogue = self.catalogue
        if kind == "M" and not rest:
            return Turn((self.menu(s),), replace(state, theme=None))
        if kind == "E" and not rest:
            return Turn((self.emergency(s),), state, signals=(Signal("emergency", "menu"),))
        if kind == "L" and not rest:
            return Turn((self.picker(),), state)
        if kind == "l" and rest in self.languages:
            s = self.i18n[rest]
            first_time = state.lang is None
            state = replace(state, lang=rest)
            replies = (self.welcome(s), self.menu(s)) if first_time else (self.menu(s),)
            return Turn(replies, state)
        if kind == "t" and rest in catalogue.themes_by_id:
            return self._theme(rest, state, s)
        if kind == "a" and rest in catalogue.actions_by_id:
            action = catalogue.actions_by_id[rest]
            return Turn(
                (self._card(s, action, state, now),), state, signals=(Signal("action", rest),)
            )
        if kind == "p" and rest in catalogue.actions_by_id:
            return Turn(self._places(s, catalogue.actions_by_id[rest], state), state)
        if kind == "H" and self.handoff:
            return self._handoff(rest, state, s, now)
        if kind == "A" and not rest:
            return Turn((self._open_to_all(s),), state)
        if kind == "T" and rest in catalogue.themes_by_id:
            return self._theme(rest, state, s, show_all=True)
        if kind == "S":
            theme = rest if rest in catalogue.themes_by_id else ""
            return Turn((self._audience_question(s, theme),), state)
        if kind in ("q", "Q"):
            code, _, target = rest.partition(":")
            if code in AUDIENCE_CODES:
                state = replace(state, audience=AUDIENCE_CODES[code])
                target, _, asked = target.partition(":")
                if kind == "Q" and target in catalogue.actions_by_id:
                    action = catalogue.actions_by_id[target]
                    asks = tuple(a for a, code in ASK_CODES.items() if code in asked)
                    return Turn(
                        (self._card(s, action, state, now, asks),),
                        state,
                        signals=(Signal("action", target),),
                    )
                if target in catalogue.themes_by_id:
                    return self._theme(target, state, s)
                return Turn((self.menu(s, s._("✅ Thank you. Here is the menu.")),), state)
        return Turn(
            (self.menu(s, s._("⌛ This button is no longer valid. Here is the menu.")),), state
        )

    def _handoff(self, step: str, state: State, s: Strings, now: dt.datetime) -> Turn:
        territory = self.catalogue.territory
        if step == "yes":
            return Turn((handoff.opened(s, territory, now),), state, handoff="open")
        if step == "end":
            if state.ticket is None:
                return Turn((self.menu(s),), state)
            return Turn((self.menu(s, handoff.ended(s)),), state, handoff="close")
        return Turn((handoff.consent(s, territory),), state)

    def team_answer(self, lang: str, text: str) -> Reply:
        return handoff.team_answer(self.i18n[lang], text)

    def closed_by_team(self, lang: str) -> Reply:
        s = self.i18n[lang]
        return self.menu(s, handoff.closed_by_team(s))

    def no_answer(self, lang: str) -> Reply:
        s = self.i18n[lang]
        return self.menu(s, handoff.no_answer(s, self.catalogue.territory))

    def _audience_question(
        self, s: Strings, theme: str = "", answers: dict[str, str] | None = None
    ) -> Reply:
        """Which services fit depends on the person's status: each person fits one answer.

        ``answers`` maps an answer code to the action that fits it (typed text); without it,
        each answer opens ``theme`` (or the menu) for that status."""
        rows = tuple(
            (
                Button(
                    label,
                    data("Q", code, answers[code]) if answers and code in answers
                    else data("q", code, theme),
                ),
            )
            for code, label in (
                ("b", s._("🛡 Refugee status or subsidiary protection")),
                ("p", s._("🪪 Residence permit, not refugee status")),
                ("s", s._("📄 Asylum request in progress")),
                ("u", s._("🤷 I don't know")),
            )
        )  # fmt: skip
        question = s._("One question, so I show what fits you:\nWhat is your situation in France?")
        words = s._("The French words on your papers:")
        return Reply(f"{question}\n\n{words}\n{PAPER_WORDS}", (*rows, self._nav(s)))

    def _theme(self, theme_id: str, state: State, s: Strings, *, show_all: bool = False) -> Turn:
        theme = self.catalogue.themes_by_id[theme_id]
        state = replace(state, theme=theme_id)
        actions = self.catalogue.actions_for_theme(theme_id)
        signals = (Signal("theme", theme_id),)
        if state.audience is None and splitting_question(actions) == "audience":
            return Turn((self._audience_question(s, theme_id),), state, signals=signals)
        header = f"<b>{escape(theme_label(s, theme))}</b>"
        audience = state.audience if state.audience in ("bpi", "primo-arrivant", "asylum") else None
        narrowed = audience is not None and not show_all  # only what fits the person
        fitting = [a for a in actions if audience in a.audience] if narrowed else actions
        others = [a for a in actions if a not in fitting]
        lines, buttons = [header], []
        if narrowed and audience == "asylum":
            lines += ["", self._asylum_intro(s)]
        groups = [(None, fitting)] if narrowed else self._groups(s, fitting)
        for title, group in groups:
            if not group:
                continue
            if title:
                lines += ["", f"<i>{title}</i>"]
            for action in group:
                label, _ = text_of(s, action.title)
                names = s.comma.join(self.catalogue.operators[o].name for o in action.operators)
                lines.append(f"• {escape(label)} — {s.isolate(escape(names))}")
                buttons.append((Button(_short(label), data("a", action.id)),))
        if not fitting:
            lines += ["", s._("Nothing here for your situation yet.")]
            ask = theme.where_to_ask
            if ask in self.catalogue.actions_by_id and (
                audience is None or audience in self.catalogue.actions_by_id[ask].audience
            ):
                label, _ = text_of(s, self.catalogue.actions_by_id[ask].title)
                buttons.append((Button(_short("❓ " + label), data("a", ask)),))
        if others:
            lines += [
                "",
                s.n_(
                    "({count} other service is for another situation.)",
                    "({count} other services are for another situation.)",
                    len(others),
                ),
            ]
            buttons.append((Button(s._("👀 Show them too"), data("T", theme_id)),))
        if fitting:
            lines += ["", s._("Tap one to see where, when and how.")]
        if narrowed and audience == "asylum":
            buttons.append((Button(s._("🤝 All services open to everyone"), data("A")),))
        if audience or state.audience == "unknown":
            buttons.append(
                (Button(s._("🔄 Change my answer about my status"), data("S", theme_id)),)
            )
        return Turn((Reply("\n".join(lines), (*buttons, self._nav(s))),), state, signals=signals)

    def _groups(self, s: Strings, actions: list[Action]) -> list[tuple[str, list[Action]]]:
        """Services under who they are for, so nobody opens one that is not for them."""
        return [
            (
                s._("For refugees and people with subsidiary protection:"),
                [a for a in actions if a.audience == ["bpi"]],
            ),
            (
                s._("For people with a residence permit who are not refugees:"),
                [a for a in actions if a.audience == ["primo-arrivant"]],
            ),
            (
                s._("For refugees and other newcomers:"),
                [a for a in actions if len(a.audience) > 1 and "asylum" not in a.audience],
            ),
            (
                s._("For everyone, also people asking for asylum:"),
                [a for a in actions if "asylum" in a.audience],
            ),
        ]

    def _open_to_all(self, s: Strings) -> Reply:
        """Every service open to people asking for asylum, whatever the theme."""
        actions = [a for a in self.catalogue.actions if "asylum" in a.audience]
        lines = [f"<b>{s._('🤝 All services open to everyone')}</b>", "", self._asylum_intro(s)]
        rows = []
        for action in actions:
            label, _ = text_of(s, action.title)
            theme = self.catalogue.themes_by_id[action.themes[0]]
            lines.append(f"• {theme.emoji} {escape(label)}")
            rows.append((Button(_short(f"{theme.emoji} {label}"), data("a", action.id)),))
        return Reply("\n".join(lines), (*rows, self._nav(s)))

    def _asylum_intro(self, s: Strings) -> str:
        return s._(
            "The CTAI's own services are for refugees and newcomers with a residence permit. "
            "These ones are open to you too; the emergency numbers always are."
        )

    def _operator(
        self, s: Strings, operator_id: str, state: State, now: dt.datetime, asks: tuple[str, ...]
    ) -> Reply:
        """A named operator's card, its actions as buttons."""
        operator = self.catalogue.operators[operator_id]
        audience = state.audience if state.audience in ("bpi", "primo-arrivant", "asylum") else None
        rows = tuple(
            (Button(_short(text_of(s, a.title)[0]), data("a", a.id)),)
            for a in self.catalogue.actions
            if operator_id in a.operators and (audience is None or audience in a.audience)
        )
        return Reply(operator_card(s, self.catalogue, operator, now, asks), (*rows, self._nav(s)))

    def _card(
        self, s: Strings, action: Action, state: State, now: dt.datetime, asks: tuple[str, ...] = ()
    ) -> Reply:
        theme = state.theme if state.theme in action.themes else action.themes[0]
        first_row: list[Button] = []
        if any(self.catalogue.operators[o].coordinates for o in action.operators):
            first_row.append(Button(s._("📍 Map"), data("p", action.id)))
        if self.handoff:
            first_row.append(handoff.talk_button(s))
        rows = ((tuple(first_row),) if first_row else ()) + (self._nav(s, back=data("t", theme)),)
        return Reply(action_card(s, self.catalogue, action, now, asks), rows)

    def _places(self, s: Strings, action: Action, state: State) -> tuple[Reply, ...]:
        replies = []
        for operator_id in action.operators:
            operator = self.catalogue.operators[operator_id]
            if operator.coordinates:
                a = operator.address
                address = f"{a.street}, {a.postcode} {a.city}" if a else ""
                c = operator.coordinates
                replies.append(Reply("", place=Place(c.lat, c.lon, operator.name, address)))
        theme = state.theme if state.theme in action.themes else action.themes[0]
        nav = Reply(
            s._("📍 Here is the place on the map."), (self._nav(s, back=data("a", action.id)),)
        )
        if not replies:
            nav = Reply(
                s._("I don't know where this place is on a map yet."),
                (self._nav(s, back=data("t", theme)),),
            )
        return (*replies, nav)

    def _location(self, lat: float, lon: float, state: State, s: Strings) -> Turn:
        actions = (
            self.catalogue.actions_for_theme(state.theme)
            if state.theme
            else list(self.catalogue.actions)
        )
        seen: dict[str, tuple[float, Action]] = {}
        for action in actions:
            for operator_id in action.operators:
                c = self.catalogue.operators[operator_id].coordinates
                if c and operator_id not in seen:
                    seen[operator_id] = (distance_km(lat, lon, c.lat, c.lon), action)
        nearest = sorted(seen.items(), key=lambda item: item[1][0])[:NEAREST]
        if not nearest:
            return Turn(
                (self.menu(s, s._("I don't know where these services are on a map yet.")),), state
            )
        lines = [s._("📍 Nearest places:")]
        buttons = []
        for operator_id, (km, action) in nearest:
            name = self.catalogue.operators[operator_id].name
            lines.append(s._("• {name} — {km} km", name=name, km=f"{km:.1f}"))
            buttons.append((Button(_short(f"{name} ({km:.1f} km)"), data("a", action.id)),))
        return Turn((Reply("\n".join(lines), (*buttons, self._nav(s))),), state)

    def slow_down(self, lang: str | None) -> Reply:
        """Said once to someone flooding the bot; their next messages wait a little."""
        s = self.i18n[lang or self.catalogue.territory.default_language]
        return Reply(s._("⏳ You are sending many messages. Please wait a few seconds."))

    def maybe_lost(self, lang: str | None) -> Reply:
        """After a send that may not have arrived: it is not sent twice, the person is told."""
        s = self.i18n[lang or self.catalogue.territory.default_language]
        return Reply(
            s._(
                "📶 The connection was bad. If my answer did not arrive, please send your message again."
            )
        )

    def sorry(self, lang: str | None) -> Reply:
        """After an error on our side: the person is told, and gets the menu."""
        s = self.i18n[lang or self.catalogue.territory.default_language]
        return self.menu(s, s._("😕 Something went wrong on my side. Please try again."))

    def _unsupported(self, kind: str, s: Strings) -> Reply:
        messages = {
            "voice": s._(
                "🎤 I can't listen to voice messages yet. Please tap a button or write a few words."
            ),
            "video": s._(
                "🎤 I can't listen to voice messages yet. Please tap a button or write a few words."
            ),
        }
        text = messages.get(kind) or s._(
            "🙏 I can only read text. Please tap a button or write a few words."
        )
        return self.menu(s, text)

    def _status_question(self, match: Match, state: State, s: Strings) -> Reply | None:
        """Ask the status when typed text reaches services for different people, once: each
        answer then opens the best service for that status."""
        if not match.confident or state.audience is not None or match.emergency or match.operator:
            return None  # in a crisis, or for a named operator, the answer comes at once
        best: dict[str, str] = {}
        for code in ("b", "p", "s"):
            fits = [r.action for r in match.results if AUDIENCE_CODES[code] in r.action.audience]
            if fits:
                best[code] = fits[0].id
        if len(set(best.values())) == 1 and match.results[0].action.id in best.values():
            return None  # the same service whatever the answer (among those with one)
        best["u"] = match.results[0].action.id
        asked = "".join(ASK_CODES[ask] for ask in match.asks)
        answers = {
            code: f"{action_id}:{asked}" if asked else action_id for code, action_id in best.items()
        }
        return self._audience_question(s, match.results[0].action.themes[0], answers)

    def _text(
        self, text: str, state: State, s: Strings, now: dt.datetime, client: str | None = None
    ) -> Turn:
        audience = state.audience if state.audience in ("bpi", "primo-arrivant", "asylum") else None
        match = self.engine.match(text, lang=state.lang, audience=audience)
        detected = match.detected if match.detected in self.languages else None
        latin = all(ord(c) < 0x250 for c in text if c.isalpha())  # Latin letters only
        if (
            state.lang is None
            and detected
            and detected != s.lang
            and (not latin or (client is None and len(text.split()) >= 2))
        ):
            # No language chosen yet (Telegram has no Pashto, Tigrinya, Somali or Dari):
            # answer in the language of the message; the menu's 🌐 button changes it.
            s, state = self.i18n[detected], replace(state, lang=detected)
        replies: list[Reply] = []
        signals: list[Signal] = []
        if match.emergency:
            replies.append(self.emergency(s, match.emergency, gentle=match.gentle))
            signals += [Signal("emergency", e) for e in match.emergency]
        if self.handoff and state.ticket is not None:  # a conversation with the team is open
            relay = Relay(
                text,
                match.detected,
                tuple(dict.fromkeys(t for r in match.results[:3] for t in r.action.themes)),
                tuple(r.action.id for r in match.results[:3]),
                match.emergency,
            )
            replies.append(handoff.sent(s))
            return Turn(tuple(replies), state, signals=tuple(signals), relay=relay)
        if (
            self.handoff
            and not (match.emergency or match.confident or match.operator)
            and handoff.asks_for_a_person(text)
        ):  # "un humain", not "un conseiller CAF", which has its card
            return Turn((handoff.consent(s, self.catalogue.territory),), state)
        unmatched = None
        question = self._status_question(match, state, s)
        if question:
            replies.append(question)
            best = match.results[0].action
            state = replace(state, theme=best.themes[0])
            signals.append(Signal("theme", best.themes[0]))
        elif match.operator:
            replies.append(self._operator(s, match.operator, state, now, match.asks))
            signals.append(Signal("operator", match.operator))
        elif match.confident:
            best = match.results[0].action
            state = replace(
                state, theme=state.theme if state.theme in best.themes else best.themes[0]
            )
            card = self._card(s, best, state, now, match.asks)
            more = [
                (Button(_short("➕ " + text_of(s, r.action.title)[0]), data("a", r.action.id)),)
                for r in match.results[1:3]
                if r.eligible
            ]
            replies.append(replace(card, buttons=(*more, *card.buttons)))
            signals += [Signal("theme", state.theme or best.themes[0]), Signal("action", best.id)]
        elif match.emergency and (match.clarify or match.then):
            menu = self.menu(
                s, s._("💙 I am here. When you are ready, tap a topic or write to me.")
            )
            then = tuple(
                (Button(_short("➕ " + text_of(s, action.title)[0]), data("a", action.id)),)
                for action in (self.catalogue.actions_by_id[a] for a in match.then)
            )  # the services the danger's numbers name for afterwards
            replies.append(replace(menu, buttons=(*then, *menu.buttons)))
        elif match.clarify:
            rows = tuple(
                (Button(theme_label(s, self.catalogue.themes_by_id[t]), data("t", t)),)
                for t in match.clarify
            )
            replies.append(
                Reply(s._("I am not sure I understood. Is it about:"), (*rows, self._nav(s)))
            )
        elif not match.emergency:
            unmatched = text
            signals.append(Signal("unmatched"))
            sorry = s._(
                "🙏 Sorry, I did not understand. Tap a topic below, or write what you need in a "
                "few words (for example: French class, flat, doctor)."
            )
            if self.handoff and state.misses >= 1:  # the second time in a row: offer a person
                sorry += "\n\n" + s._("👤 You can also write to a person from the team.")
            replies.append(self.menu(s, sorry))
        shown = state.lang or s.lang
        if detected and detected != shown and len(text.split()) >= 2:
            offer = (Button(f"🌐 {language_name(detected)}?", data("l", detected)),)
            last = replies[-1]
            replies[-1] = replace(last, buttons=(*last.buttons, offer))
        return Turn(tuple(replies), state, signals=tuple(signals), unmatched_text=unmatched)
