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
    Reply,
    Signal,
    Start,
    State,
    Text,
    Turn,
    Unsupported,
)
from bot.matching.engine import MatchingEngine, splitting_question

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
    ) -> None:
        self.catalogue = catalogue
        self.inactive_days = inactive_days
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
                turn = self._text(text, state, s, now)
            case Location(lat, lon):
                turn = self._location(lat, lon, state, s)
            case Unsupported(kind):
                turn = Turn((self._unsupported(kind, s),), state)
        return replace(turn, signals=signals + turn.signals)

    # -- screens -----------------------------------------------------------------------

    def _nav(self, s: Strings, *, back: str | None = None) -> tuple[Button, ...]:
        row = [Button(s._("🏠 Menu"), data("M")), Button(s._("🆘 Emergency"), data("E"))]
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
        last = (Button("🆘 SOS", data("E")), Button("🏠", data("M")))
        return Reply("🌐 " + "\n".join(prompts), (*rows, last))

    def menu(self, s: Strings, intro: str | None = None) -> Reply:
        themes = [Button(theme_label(s, t), data("t", t.id)) for t in self.catalogue.themes]
        rows = [tuple(themes[i : i + 2]) for i in range(0, len(themes), 2)]
        rows.append((Button(s._("🆘 Emergency"), data("E")), Button(s._("🌐 Language"), data("L"))))
        text = intro or s._("What do you need? Tap a topic, or write it in a few words.")
        return Reply(text, tuple(rows))

    def welcome(self, s: Strings) -> Reply:
        return Reply(
            s._(
                "👋 Welcome! I help refugees and newcomers in {town} find the right service: "
                "French classes, housing, health, work, papers and more.\n\n"
                "🔒 I keep almost nothing about you: your language and your answers. /privacy\n"
                "🆘 Emergency numbers are always one tap away.",
                town=self.catalogue.territory.name,
            )
        )

    def emergency(
        self, s: Strings, matched: tuple[str, ...] = (), *, gentle: bool = False
    ) -> Reply:
        text = emergency_card(s, tuple(self.catalogue.territory.emergency), matched, gentle=gentle)
        return Reply(text, ((Button(s._("🏠 Menu"), data("M")),),))

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
                                "/menu — topics\n/language — change language\n/emergency — emergency numbers\n"
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
                buttons = ((Button("🌐", data("L")), Button("🆘 SOS", data("E"))),)
                return Turn((Reply(done, buttons),), State(), forget=True)
        return Turn((self.menu(s, s._("I don't know this command. Here is the menu.")),), state)

    def _privacy(self, s: Strings) -> str:
        return s._(
            "🔒 <b>What I keep about you</b>\n"
            "• your language, your answer about your status, the last day you wrote;\n"
            "• nothing else: not your name, not your messages.\n"
            "People who do not write for {days} days are deleted automatically.\n"
            "/forget deletes everything now.\n"
            "Counts without names (for example: how many people asked about housing) help "
            "improve the services. The bot is run for the CTAI of {town}, the city and the State's "
            "reception and integration contract.",
            days=self.inactive_days,
            town=self.catalogue.territory.name,
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
        if kind == "q":
            code, _, theme = rest.partition(":")
            if code in AUDIENCE_CODES and theme in catalogue.themes_by_id:
                return self._theme(theme, replace(state, audience=AUDIENCE_CODES[code]), s)
        return Turn(
            (self.menu(s, s._("⌛ This button is no longer valid. Here is the menu.")),), state
        )

    def _audience_question(self, theme: str, s: Strings) -> Reply:
        rows = tuple(
            (Button(label, data("q", code, theme)),)
            for code, label in (
                ("b", s._("🛡 I have refugee status or subsidiary protection")),
                ("p", s._("🪪 I arrived recently with a first residence permit")),
                ("s", s._("📄 I am asking for asylum")),
                ("u", s._("🤷 I don't know")),
            )
        )
        return Reply(
            s._("One question, so I show what fits you:\nWhat is your situation in France?"),
            (*rows, self._nav(s)),
        )

    def _theme(self, theme_id: str, state: State, s: Strings) -> Turn:
        theme = self.catalogue.themes_by_id[theme_id]
        state = replace(state, theme=theme_id)
        actions = self.catalogue.actions_for_theme(theme_id)
        signals = (Signal("theme", theme_id),)
        if state.audience is None and splitting_question(actions) == "audience":
            return Turn((self._audience_question(theme_id, s),), state, signals=signals)
        header = f"<b>{escape(theme_label(s, theme))}</b>"
        if state.audience == "asylum":
            return Turn((self._asylum(s, header),), state, signals=signals)
        if state.audience in ("bpi", "primo-arrivant"):
            fitting = [a for a in actions if state.audience in a.audience]
            groups = [(None, fitting)] if fitting else [(None, actions)]
            hidden = len(actions) - len(fitting) if fitting else 0
        else:
            groups = [
                (
                    s._("For refugees and people with subsidiary protection:"),
                    [a for a in actions if a.audience == ["bpi"]],
                ),
                (
                    s._("For newcomers with a first residence permit:"),
                    [a for a in actions if a.audience == ["primo-arrivant"]],
                ),
                (s._("For everyone:"), [a for a in actions if len(a.audience) > 1]),
            ]
            hidden = 0
        lines, buttons = [header], []
        for title, group in groups:
            if not group:
                continue
            if title:
                lines += ["", f"<i>{title}</i>"]
            for action in group:
                label, _ = text_of(s, action.title)
                names = ", ".join(self.catalogue.operators[o].name for o in action.operators)
                lines.append(f"• {escape(label)} — {s.isolate(escape(names))}")
                buttons.append((Button(_short(label), data("a", action.id)),))
        if not actions:
            lines.append(s._("Nothing here yet. Ask your social worker."))
        if hidden:
            lines += [
                "",
                s.n_(
                    "({count} other action is for another situation.)",
                    "({count} other actions are for another situation.)",
                    hidden,
                ),
            ]
        lines += ["", s._("Tap one to see where, when and how.")]
        return Turn((Reply("\n".join(lines), (*buttons, self._nav(s))),), state, signals=signals)

    def _asylum(self, s: Strings, header: str) -> Reply:
        body = s._(
            "These services are for refugees and newcomers with a residence permit, not yet for "
            "people asking for asylum. You can still get help: 115 for a place to sleep tonight, "
            "the emergency numbers, and access to rights (advice, also after a refusal)."
        )
        rows = [self._nav(s)]
        # The "where to ask" entries of rights (advice, also after a refusal) and housing.
        for theme in ("rights", "housing"):
            action_id = self.catalogue.themes_by_id[theme].where_to_ask
            if action_id in self.catalogue.actions_by_id:
                label, _ = text_of(s, self.catalogue.actions_by_id[action_id].title)
                rows.insert(-1, (Button(_short(label), data("a", action_id)),))
        return Reply(f"{header}\n\n{body}", tuple(rows))

    def _operator(
        self, s: Strings, operator_id: str, state: State, now: dt.datetime, asks: tuple[str, ...]
    ) -> Reply:
        """A named operator's card, its actions as buttons."""
        operator = self.catalogue.operators[operator_id]
        rows = tuple(
            (Button(_short(text_of(s, a.title)[0]), data("a", a.id)),)
            for a in self.catalogue.actions
            if operator_id in a.operators
        )
        return Reply(operator_card(s, self.catalogue, operator, now, asks), (*rows, self._nav(s)))

    def _card(
        self, s: Strings, action: Action, state: State, now: dt.datetime, asks: tuple[str, ...] = ()
    ) -> Reply:
        theme = state.theme if state.theme in action.themes else action.themes[0]
        first_row: list[Button] = []
        if any(self.catalogue.operators[o].coordinates for o in action.operators):
            first_row.append(Button(s._("📍 Map"), data("p", action.id)))
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

    def _text(self, text: str, state: State, s: Strings, now: dt.datetime) -> Turn:
        audience = state.audience if state.audience in ("bpi", "primo-arrivant") else None
        match = self.engine.match(text, lang=state.lang, audience=audience)
        detected = match.detected if match.detected in self.languages else None
        replies: list[Reply] = []
        signals: list[Signal] = []
        if match.emergency:
            replies.append(self.emergency(s, match.emergency, gentle=match.gentle))
            signals += [Signal("emergency", e) for e in match.emergency]
        unmatched = None
        if match.operator:
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
            replies.append(
                self.menu(
                    s,
                    s._(
                        "🙏 Sorry, I did not understand. Tap a topic below, or write what you need in a "
                        "few words (for example: French class, flat, doctor)."
                    ),
                )
            )
        if detected and state.lang and detected != state.lang and len(text.split()) >= 2:
            offer = (Button(f"🌐 {language_name(detected)}?", data("l", detected)),)
            last = replies[-1]
            replies[-1] = replace(last, buttons=(*last.buttons, offer))
        return Turn(tuple(replies), state, signals=tuple(signals), unmatched_text=unmatched)
