"""One place where a person's event meets the dialogue and the store.

Both adapters (Telegram, console) call ``handle``; neither decides anything. The dialogue is
swapped whole when the catalogue changes, so a conversation never sees half a catalogue.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.catalogue.loader import last_changed, load_catalogue, load_or_raise
from bot.catalogue.model import Catalogue
from bot.catalogue.problems import Problem
from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import I18n
from bot.dialogue.model import Event, State, Turn
from bot.matching.engine import MatchingEngine
from bot.matching.semantic import Semantics
from bot.storage import Store

log = logging.getLogger(__name__)

SCREENS_REMEMBERED = 10_000
"""The theme on screen is kept in memory only, for this many recent people."""


@dataclass(frozen=True)
class Settings:
    catalogue_dir: Path
    data_dir: Path
    inactive_days: int = 180
    unmatched_days: int = 30
    handoff: bool = False
    """A staff group answers 'Talk to a person' (CTAI_STAFF_CHAT_ID is set)."""
    ticket_days: int = 30


class Service:
    def __init__(
        self, settings: Settings, store: Store | None = None, semantics: Semantics | None = None
    ) -> None:
        """Without ``semantics`` messages are matched on keywords alone."""
        self.settings = settings
        self.semantics = semantics
        self.dialogue = self._build(load_or_raise(settings.catalogue_dir))
        self.store = store or Store(settings.data_dir / "ctai-bot.sqlite3")
        self._screens: OrderedDict[str, str] = OrderedDict()
        self._misses: OrderedDict[str, int] = OrderedDict()

    @property
    def i18n(self) -> I18n:
        return self.dialogue.i18n

    def _build(self, catalogue: Catalogue, i18n: I18n | None = None) -> Dialogue:
        i18n = i18n or I18n(catalogue.territory.languages)
        semantic = None
        if self.semantics is not None:
            try:
                semantic = self.semantics.index(catalogue, self.settings.catalogue_dir)
            except Exception:  # the model or its cache is broken: keywords still answer
                log.exception("semantic stage unavailable; matching on keywords alone")
        engine = MatchingEngine(catalogue, semantic)
        return Dialogue(
            catalogue,
            i18n,
            engine,
            inactive_days=self.settings.inactive_days,
            unmatched_days=self.settings.unmatched_days,
            handoff=self.settings.handoff,
            ticket_days=self.settings.ticket_days,
        )

    def prepare_reload(self, *, guard: bool = True) -> tuple[Dialogue | None, list[Problem]]:
        """Load and index the catalogue again (slow: run it off the event loop). The .po
        files are read again only if the territory's languages changed.

        With ``guard`` (an automatic reload), a catalogue that lost more than half of its
        actions or operators is refused: a file emptied by mistake or half saved. An admin's
        /reload takes it as meant."""
        catalogue, problems = load_catalogue(self.settings.catalogue_dir)
        errors = [p for p in problems if p.severity == "error"]
        if catalogue is None or errors:
            return None, errors
        if guard and (lost := self._mass_loss(catalogue)):
            return None, [lost]
        same = self.i18n.languages == catalogue.territory.languages
        return self._build(catalogue, self.i18n if same else None), errors

    def _mass_loss(self, new: Catalogue) -> Problem | None:
        old = self.dialogue.catalogue
        for kind, before, after in (
            ("actions", len(old.actions), len(new.actions)),
            ("operators", len(old.operators), len(new.operators)),
        ):
            if after * 2 < before:
                file = last_changed(self.settings.catalogue_dir) or str(self.settings.catalogue_dir)
                return Problem(
                    file,
                    1,
                    1,
                    "error",
                    f"{kind} would go from {before} to {after}: did you mean to empty {file}? "
                    "If this is meant, send /reload to accept it",
                )
        return None

    def swap(self, dialogue: Dialogue) -> None:
        """Serve a new catalogue from the next message on: one assignment, never half."""
        self.dialogue = dialogue

    def handle(
        self,
        user_id: int,
        event: Event,
        *,
        private: bool = True,
        client_lang: str | None = None,
        now: dt.datetime | None = None,
    ) -> Turn:
        now = now or dt.datetime.now(dt.UTC)
        dialogue = self.dialogue  # one catalogue for the whole turn
        person = self.store.person(user_id)
        ticket = self.store.open_ticket_of(person) if private and self.settings.handoff else None
        state = replace(
            self.store.load(person),
            theme=self._screens.get(person),
            misses=self._misses.get(person, 0),
            ticket=ticket.id if ticket else None,
        )
        turn = dialogue.handle(event, state, private=private, client_lang=client_lang, now=now)
        today = now.astimezone(dialogue.zone).date()
        if not private:
            return turn  # a group: nothing about the person is stored
        if turn.forget:
            withdrawn = self.store.forget(person)
            self._screens.pop(person, None)
            self._misses.pop(person, None)
            self.store.count(today, turn.signals)
            return replace(turn, withdrawn=tuple(withdrawn))
        self.store.save(person, turn.state, today, turn.signals)
        if turn.unmatched_text and self.settings.unmatched_days > 0:
            self.store.keep_unmatched(today, turn.unmatched_text, person)
        self._remember(self._screens, person, turn.state.theme)
        self._remember(self._misses, person, state.misses + 1 if turn.unmatched_text else 0)
        return self._handoff(turn, person, user_id, state, now)

    def _handoff(
        self, turn: Turn, person: str, chat_id: int, state: State, now: dt.datetime
    ) -> Turn:
        """Open or close the person's ticket; the adapter then tells the staff group."""
        if turn.handoff == "open":
            lang = turn.state.lang or self.dialogue.catalogue.territory.default_language
            number = self.store.open_ticket(person, chat_id, lang, state.theme, now)
            return replace(turn, ticket=number)
        if turn.handoff == "close" and state.ticket is not None:
            self.store.close_ticket(state.ticket, now)
            return replace(turn, ticket=state.ticket)
        if turn.relay is not None:
            return replace(turn, ticket=state.ticket)
        return turn

    @staticmethod
    def _remember(memory: OrderedDict[str, Any], person: str, value: Any) -> None:
        """In memory only, for the most recent people."""
        memory.pop(person, None)
        if value:
            memory[person] = value
            while len(memory) > SCREENS_REMEMBERED:
                memory.popitem(last=False)
