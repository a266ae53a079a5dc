"""What flows through the dialogue: events in, replies out, and a person's small state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AudienceAnswer = Literal["bpi", "primo-arrivant", "unknown", "asylum"]


@dataclass(frozen=True)
class Start:
    """``/start`` with its deep-link payload (empty when opened without a link)."""

    payload: str = ""


@dataclass(frozen=True)
class Command:
    """``/menu /language /help /emergency /privacy /forget``, or any other ``/word``."""

    name: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Press:
    """A button pressed: its callback data, which may be stale or forged."""

    data: str


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True)
class Unsupported:
    """A voice message, photo, sticker, document...: something we cannot read."""

    kind: str


Event = Start | Command | Text | Press | Location | Unsupported


@dataclass(frozen=True)
class State:
    """All we keep about a person: language and audience answer (stored), and the theme on
    screen (in memory only, so that a shared location can be about it)."""

    lang: str | None = None
    audience: AudienceAnswer | None = None
    theme: str | None = None
    ticket: int | None = None
    """The person's open "talk to a person" ticket (stored with the ticket, not here)."""
    misses: int = 0
    """Messages in a row the bot did not understand (in memory only)."""


@dataclass(frozen=True)
class Button:
    label: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Place:
    """A venue to show on a map."""

    lat: float
    lon: float
    title: str
    address: str


@dataclass(frozen=True)
class Reply:
    text: str
    """Telegram HTML: every catalogue and user string in it is escaped."""
    buttons: tuple[tuple[Button, ...], ...] = ()
    place: Place | None = None


@dataclass(frozen=True)
class Signal:
    """Something to count anonymously: a language, a theme or action shown, no match."""

    kind: Literal["message", "theme", "action", "operator", "emergency", "unmatched"]
    key: str = ""


@dataclass(frozen=True)
class Relay:
    """A person's message for the team, with the bot's reading of it (shown to staff only)."""

    text: str
    lang: str | None
    themes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    emergency: tuple[str, ...] = ()


@dataclass(frozen=True)
class Turn:
    replies: tuple[Reply, ...]
    state: State
    forget: bool = False
    """The person asked to be forgotten: the adapter deletes everything stored."""
    signals: tuple[Signal, ...] = ()
    unmatched_text: str | None = None
    """A message that matched nothing, for the coordinator's keyword work (kept redacted)."""
    handoff: Literal["open", "close"] | None = None
    """The person confirmed they want to write to the team, or ended the conversation."""
    relay: Relay | None = None
    """A message to pass on to the team (the person has an open ticket)."""
    ticket: int | None = None
    """The ticket this turn opened, closed or wrote to (set by the service)."""
    withdrawn: tuple[int, ...] = ()
    """Tickets deleted by /forget: the team is told they were withdrawn."""
