"""'Talk to a person': the screens a person sees when the bot hands them to the team.

The team works in a staff Telegram group (the adapter's business); here is only what the
person reads, in their language: what the team will see before anything is sent, when the
team reads, the team's answers, and the way out.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.catalogue.hours import open_at
from bot.catalogue.model import Territory
from bot.dialogue.cards import hours_text
from bot.dialogue.i18n import Strings, escape
from bot.dialogue.links import data
from bot.dialogue.model import Button, Reply

HUMAN_WORDS = {
    "fr": ("humain", "une personne", "parler à quelqu'un", "parler a quelqu'un",
           "parler à une personne", "un conseiller", "une vraie personne"),
    "en": ("human", "a person", "real person", "talk to someone", "speak to someone",
           "talk to a person"),
    "ar": ("انسان", "إنسان", "شخص حقيقي", "اتكلم مع شخص", "أتكلم مع شخص", "موظف"),
    "fa": ("انسان", "یک نفر", "آدم واقعی", "صحبت با یک نفر"),
    "ps": ("انسان", "یو کس", "له یو کس سره خبرې"),
    "ti": ("ሰብ", "ምስ ሰብ"),
    "so": ("qof dhab ah", "la hadal qof", "qof"),
    "ru": ("человек", "живой человек", "оператор", "поговорить с человеком"),
    "uk": ("людина", "жива людина", "оператор", "поговорити з людиною"),
    "tr": ("insan", "gerçek kişi", "biriyle konuşmak", "temsilci"),
}  # fmt: skip
"""What people type to reach a human, in each language (machine-drafted, like the UI)."""
HUMAN_MAX_WORDS = 5
"""Only a short message is a request for a person; a story mentioning 'a person' is not."""


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[\w']+", text.lower())) + " "


PHRASES = tuple(_words(p) for phrases in HUMAN_WORDS.values() for p in phrases)


def asks_for_a_person(text: str) -> bool:
    words = _words(text)
    if not words.strip() or len(words.split()) > HUMAN_MAX_WORDS:
        return False
    return any(phrase in words for phrase in PHRASES)


def talk_button(s: Strings) -> Button:
    return Button(s._("👤 Talk to a person"), data("H"))


def _talking_buttons(s: Strings) -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(s._("✖️ End the conversation"), data("H", "end")),),
        (Button(s._("🆘 Emergency"), data("E")), Button(s._("📋 Menu"), data("M"))),
    )


def _when(s: Strings, territory: Territory) -> str:
    team = territory.team
    within = s.n_(
        "⏱ Someone usually answers within {hours} hour.",
        "⏱ Someone usually answers within {hours} hours.",
        team.answer_within_hours,
        hours=team.answer_within_hours,
    )
    if team.hours:
        return s._("🕒 The team reads messages: {hours}.", hours=hours_text(s, team.hours)) + (
            "\n" + within
        )
    return within


def consent(s: Strings, territory: Territory) -> Reply:
    """Before anything is sent: what the team will see, and when it reads."""
    text = "\n\n".join(
        (
            s._("👤 <b>Talk to a person from the CTAI team</b>"),
            s._(
                "If you say yes, the team will see your messages from now on, your language "
                "and the topic. Not your name, your username or your phone number."
            ),
            _when(s, territory),
            s._("Do you want to write to the team?"),
        )
    )
    return Reply(
        text,
        (
            (Button(s._("✅ Yes, write to the team"), data("H", "yes")),),
            (Button(s._("⬅️ Back"), data("M")), Button(s._("🆘 Emergency"), data("E"))),
        ),
    )


def opened(s: Strings, territory: Territory, now: dt.datetime) -> Reply:
    lines = [s._("✅ Now write your question here, in your language: the team will read it.")]
    hours = territory.team.hours
    if hours and not open_at(hours, now):
        lines.append(
            s._(
                "🌙 The team is not there now. They will read your messages when they are "
                "back: {hours}.",
                hours=hours_text(s, hours),
            )
        )
    return Reply("\n\n".join(lines), _talking_buttons(s))


def sent(s: Strings) -> Reply:
    return Reply(s._("✉️ Sent to the team."), _talking_buttons(s))


def team_answer(s: Strings, text: str) -> Reply:
    return Reply(s._("👤 CTAI team:") + "\n" + escape(text), _talking_buttons(s))


def ended(s: Strings) -> str:
    return s._("✅ The conversation with the team has ended. Here is the menu.")


def closed_by_team(s: Strings) -> str:
    return s._(
        "✅ The team has ended the conversation. If you need more help, tap 👤 Talk to a person."
    )


def no_answer(s: Strings, territory: Territory) -> str:
    """Nobody answered in time: said kindly, with where else to turn."""
    contact = territory.coordinator
    ways = [escape(w) for w in (contact.phone, contact.email) if w]
    if ways:
        elsewhere = s._("You can also contact the coordinator: {contact}", contact=", ".join(ways))
    else:
        elsewhere = s._("You can also ask a social worker or an association near you.")
    return (
        s._(
            "😔 Sorry, nobody from the team has been able to answer yet. Your message is still there."
        )
        + "\n"
        + elsewhere
    )
