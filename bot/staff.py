"""The staff group: where 'Talk to a person' requests arrive as numbered tickets, and where
the team's replies are carried back to the person.

Telegram-side only; what the person reads is in ``bot/dialogue/handoff.py``. Staff never see
a Telegram id or name of the person: a ticket shows its number, language and topic, each
message, and the bot's reading of it. The team answers by replying to any message of a
ticket; only messages in the staff group (CTAI_STAFF_CHAT_ID), from people (not bots), are
relayed. The link between a ticket and a person lives in the store, sealed with its key.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from dataclasses import replace
from html import escape, unescape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.dialogue.i18n import language_name
from bot.dialogue.model import Turn
from bot.sending import send
from bot.service import Service
from bot.storage import Ticket

log = logging.getLogger(__name__)
CHECK_EVERY = 300.0
"""Seconds between two looks for requests nobody answered in time."""
MAX_TICKETS_LISTED = 30


RELAYED_CHARS = 3_000
"""A person's message as the group sees it: with the title and the reading, a Telegram
message holds 4,096 characters; a longer one is cut, and says so."""


def _cut(text: str) -> str:
    if len(text) <= RELAYED_CHARS:
        return text
    return text[:RELAYED_CHARS] + f" […] ({len(text) - RELAYED_CHARS} caractères coupés)"


class StaffDesk:
    def __init__(self, service: Service, chat_id: int) -> None:
        self.service, self.chat_id = service, chat_id
        self.queued = asyncio.Event()
        self.forum: bool | None = None
        """Whether the group has forum topics (asked from Telegram at the first ticket)."""

    # -- from the person to the team ---------------------------------------------------

    def _title(self, number: int) -> str:
        ticket = self.service.store.ticket(number)
        if ticket is None:
            return f"#{number}"
        themes = self.service.dialogue.catalogue.themes_by_id
        theme = themes.get(ticket.theme or "")
        topic = f"{theme.emoji} {theme.label.get('fr', theme.id)}" if theme else "sans thème"
        return f"#{number} · {language_name(ticket.lang)} · {escape(topic)}"

    def _buttons(self, number: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("✋ Je prends", callback_data=f"K:take:{number}"),
                    InlineKeyboardButton("✅ Clore", callback_data=f"K:close:{number}"),
                ]
            ]
        )

    def after_turn(self, turn: Turn) -> None:
        """Queue for the staff group what the person's turn did: a new ticket, a message, the
        end. Queued in the store, sent by ``deliver``: a person never waits for the group's
        20-messages-a-minute limit, and a restart loses nothing."""
        store = self.service.store
        for number in turn.withdrawn:
            self._queue(number, f"🗑 #{number} retiré : la personne a effacé ses données.", "notice")
        if turn.ticket is None:
            return
        number = turn.ticket
        ticket = store.ticket(number)
        if turn.handoff == "open" and ticket and ticket.header is None:
            self._queue(
                number,
                f"🆕 {self._title(number)}\nUne personne veut écrire à l'équipe. Répondez à ses "
                "messages (fonction « Répondre » de Telegram) pour lui écrire.",
                "header",
            )
        elif turn.handoff == "close":
            self._queue(number, f"✅ {self._title(number)} : clos par la personne.", "notice")
        if turn.relay is not None and ticket is not None:
            relay = turn.relay
            reading = [
                f"langue lue : {relay.lang or '?'}",
                f"thèmes : {', '.join(relay.themes) or 'aucun'}",
                f"fiches : {', '.join(relay.actions) or 'aucune'}",
            ]
            if relay.emergency:
                reading.append("🆘 numéros d'urgence montrés : " + ", ".join(relay.emergency))
            self._queue(
                number,
                f"💬 {self._title(number)}\n{escape(_cut(relay.text))}\n\n<i>🤖 "
                + escape(" · ".join(reading))
                + "</i>",
            )
        self.queued.set()

    def notice(self, number: int, text: str) -> None:
        self._queue(number, text, "notice")

    def _queue(self, number: int, text: str, role: str = "message") -> None:
        self.service.store.to_staff(number, text, role)
        self.queued.set()

    async def deliver(self, bot) -> None:
        """Send the queued staff messages in order, for as long as the bot runs."""
        pause = 1.0
        while True:
            try:
                idle = await self._deliver_one(bot)
            except Exception:  # the store or the group failing must not stop the queue
                log.exception("delivering to the staff group failed; trying again")
                idle = False
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
                continue
            pause = 1.0
            if idle:
                self.queued.clear()
                await self.queued.wait()

    async def _deliver_one(self, bot) -> bool:
        """Send the oldest queued message; True when there was none."""
        store = self.service.store
        entry = store.next_for_staff()
        if entry is None:
            return True
        number, ticket_number, text, role = entry
        markup = self._buttons(ticket_number) if role == "header" else None
        ticket = store.ticket(ticket_number)
        if ticket and role == "header" and ticket.thread is None:
            ticket = await self._open_topic(bot, ticket)
        reply_to = ticket.header if ticket and role == "message" else None
        try:
            sent = await bot.send_message(
                self.chat_id,
                text,
                reply_markup=markup,
                reply_to_message_id=reply_to,
                allow_sending_without_reply=True,
                message_thread_id=ticket.thread if ticket else None,
            )
        except (BadRequest, Forbidden) as error:  # never deliverable: dropped, and said
            log.error("a staff message was refused (%s) and dropped", type(error).__name__)
            store.sent_to_staff(number, ticket_number, None, role)
            return False
        store.sent_to_staff(number, ticket_number, sent.message_id, role)
        return False

    async def _open_topic(self, bot, ticket: Ticket) -> Ticket:
        """One forum topic per ticket when the group has topics enabled (asked once)."""
        if self.forum is None:
            self.forum = bool((await bot.get_chat(self.chat_id)).is_forum)
        if not self.forum:
            return ticket
        title = re.sub(r"<[^>]+>", "", self._title(ticket.id))
        topic = await bot.create_forum_topic(self.chat_id, unescape(title)[:128])
        self.service.store.set_ticket_thread(ticket.id, topic.message_thread_id)
        return replace(ticket, thread=topic.message_thread_id)

    # -- from the team to the person ---------------------------------------------------

    def is_staff(self, update: Update) -> bool:
        chat, user = update.effective_chat, update.effective_user
        return chat is not None and chat.id == self.chat_id and user is not None and not user.is_bot

    async def on_update(self, bot, update: Update) -> None:
        """A message or a button in the staff group (the caller checked it is the group)."""
        now = dt.datetime.now(dt.UTC)
        store = self.service.store
        if update.callback_query:
            query = update.callback_query
            kind, _, rest = (query.data or "").partition(":")
            action, _, number = rest.partition(":")
            ticket = store.ticket(int(number)) if kind == "K" and number.isdigit() else None
            with contextlib.suppress(TelegramError):
                await query.answer()
            if ticket is None:
                return
            who = escape(query.from_user.first_name or "quelqu'un")
            if action == "take":
                self.notice(ticket.id, f"✋ {self._title(ticket.id)} : pris par {who}.")
            elif action == "close" and store.close_ticket(ticket.id, now):
                self.notice(ticket.id, f"✅ {self._title(ticket.id)} : clos par {who}.")
                await self._to_person(
                    bot, ticket.id, self.service.dialogue.closed_by_team(ticket.lang)
                )
            return
        message = update.message
        if message is None or not message.text:
            return
        if message.text.split("@")[0].strip().lower() == "/tickets":
            self.notice(0, self.tickets_text(now))
            return
        replied = message.reply_to_message
        ticket = store.ticket_of_staff_message(replied.message_id) if replied else None
        if ticket is None and message.is_topic_message and message.message_thread_id:
            ticket = store.ticket_of_thread(message.message_thread_id)  # written in its topic
        if ticket is None:
            return  # a conversation among staff
        if ticket.closed is not None:
            self.notice(ticket.id, f"ℹ️ {self._title(ticket.id)} est clos : rien n'a été envoyé.")
            return
        reply = self.service.dialogue.team_answer(ticket.lang, message.text)
        if await self._to_person(bot, ticket.id, reply):
            store.ticket_answered(ticket.id, now)
            store.link_staff_message(ticket.id, message.message_id)

    async def _to_person(self, bot, number: int, reply) -> bool:
        chat = self.service.store.ticket_chat(number)
        if chat is None:
            return False
        try:
            await send(bot, chat, (reply,))
        except TelegramError as error:
            self.notice(number, f"⚠️ #{number} : message non remis ({type(error).__name__}).")
            return False
        return True

    def tickets_text(self, now: dt.datetime) -> str:
        tickets = self.service.store.open_tickets()
        if not tickets:
            return "Aucune demande ouverte."
        lines = [f"📋 {len(tickets)} demande(s) ouverte(s), la plus ancienne d'abord :"]
        for ticket in tickets[:MAX_TICKETS_LISTED]:
            hours = (now - ticket.opened).total_seconds() / 3600
            state = "répondu" if ticket.answered else "⏳ sans réponse"
            lines.append(f"{self._title(ticket.id)} · il y a {hours:.0f} h · {state}")
        return "\n".join(lines)

    # -- nobody answered ---------------------------------------------------------------

    async def watch_overdue(self, bot) -> None:
        """Supervised: the person is told kindly when nobody answered in time."""
        while True:
            await asyncio.sleep(CHECK_EVERY)
            try:
                await self.remind(bot, dt.datetime.now(dt.UTC))
            except Exception:
                log.exception("looking for unanswered requests failed; trying again later")

    async def remind(self, bot, now: dt.datetime) -> None:
        hours = self.service.dialogue.catalogue.territory.team.answer_within_hours
        for ticket in self.service.store.overdue_tickets(now, hours):
            await self._to_person(bot, ticket.id, self.service.dialogue.no_answer(ticket.lang))
            self.notice(
                ticket.id,
                f"⏰ {self._title(ticket.id)} : sans réponse depuis {hours} h ; la personne "
                "a reçu d'autres contacts.",
            )
