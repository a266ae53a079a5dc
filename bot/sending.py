"""Sending replies to Telegram: retried when that is safe, never doubled when it may have
arrived, cut into pieces that fit a message."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.dialogue.model import Reply
from bot.limits import MAX_MESSAGE_CHARS

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
BACKOFF = 0.25
"""Seconds before the first retry; doubled each time (0.25, 0.5, 1, 2, 4: about 8 s in all)."""


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text] if text else pieces


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data, url=b.url) for b in row]
            for row in reply.buttons
            if row
        ]
    )


class MaybeDelivered(Exception):
    """The request reached Telegram and no answer came back: it may have been delivered."""


def may_have_arrived(error: TelegramError) -> bool:
    """A read time-out or a connection closed after the request was written: Telegram may
    have sent the message. Failing to connect, or an error answer, means it did not."""
    cause = error.__cause__  # the aiohttp error (bot.http)
    if isinstance(error, TimedOut):
        return not isinstance(cause, aiohttp.ConnectionTimeoutError)
    if isinstance(cause, aiohttp.ClientConnectorError):
        return False
    # A garbled answer (ClientResponseError) also means the request was read.
    return isinstance(
        cause,
        aiohttp.ClientResponseError
        | aiohttp.ServerDisconnectedError
        | aiohttp.ClientPayloadError
        | aiohttp.ClientOSError,
    )


async def with_retries(
    call: Callable[[], Awaitable[object]], *, at_least_once: bool = False
) -> None:
    """Telegram's 429 waits as asked; 5xx, failed connections and garbled answers back off
    and retry; a request Telegram refuses (400, 403) is not retried.

    A send that may have arrived (``may_have_arrived``) is not sent again, unless
    ``at_least_once`` (emergency numbers: twice is better than never): it raises
    MaybeDelivered, and the person is told to ask again if nothing came."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            await call()
            return
        except RetryAfter as exc:
            wait = exc.retry_after
            delay = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        except TelegramError as exc:
            transient = isinstance(exc, TimedOut | NetworkError) and not isinstance(exc, BadRequest)
            garbled = type(exc) is TelegramError  # "Invalid server response": not JSON
            if not (transient or garbled) or attempt == MAX_ATTEMPTS - 1:
                raise
            if transient and not at_least_once and may_have_arrived(exc):
                raise MaybeDelivered from exc
            delay = BACKOFF * 2**attempt
        log.warning("send failed (attempt %d), retrying in %.1fs", attempt + 1, delay)
        await asyncio.sleep(delay)
    raise TimedOut("gave up after retries")


async def post(bot: Bot, method: str, chat_id: int, fields: dict[str, object]) -> None:
    """A send whose answer is not used. PTB's ``send_message`` parses each answer into a
    ``Message`` that the bot throws away: about a tenth of its CPU under load (issue 14).
    ``_post`` is what PTB's methods call (PTB 22); it applies the rate limiter and drops
    ``None`` fields, but fills in no ``Defaults``: every field the bot's defaults set
    (``parse_mode``) is passed by the caller."""
    await bot._post(method, {"chat_id": chat_id, **fields})


async def send(
    message_bot: Bot, chat_id: int, replies: tuple[Reply, ...], *, at_least_once: bool = False
) -> bool:
    """Send every reply in order; False when one of them may not have arrived."""
    sure = True

    async def one(call: Callable[[], Awaitable[object]]) -> None:
        nonlocal sure
        try:
            await with_retries(call, at_least_once=at_least_once)
        except MaybeDelivered:
            sure = False

    for reply in replies:
        if reply.place:
            p = reply.place
            venue = {
                "latitude": p.lat,
                "longitude": p.lon,
                "title": p.title,
                "address": p.address or p.title,
            }
            await one(lambda venue=venue: post(message_bot, "sendVenue", chat_id, venue))
        if reply.text:
            pieces = split_message(reply.text)
            for i, piece in enumerate(pieces):
                markup = keyboard(reply) if i == len(pieces) - 1 else None
                fields = {"text": piece, "parse_mode": ParseMode.HTML, "reply_markup": markup}
                await one(lambda fields=fields: post(message_bot, "sendMessage", chat_id, fields))
    return sure
