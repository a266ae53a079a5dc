"""Long polling: people answered side by side, each person in order, nothing confirmed to
Telegram before it is answered, and no update able to stop the bot.

- **Concurrent, ordered.** Updates from different people run at the same time (at most
  ``WORKERS``); a person's updates run one after the other. A slow send or a long message
  delays only its own person.
- **Answered before confirmed.** The getUpdates offset moves only up to the lowest update
  still being handled: after ``kill -9`` Telegram delivers again whatever was not answered,
  and the adapter's list of answered updates keeps those already done from a second answer.
  While one update is slow, Telegram's batches of 100 let the others go on; a batch made only
  of handled updates waits for the slow one (its sends give up within about 40 s).
- **Poison updates.** Updates are read from the raw JSON one by one: one that the library
  cannot read, or whose handling raises, is set aside (its id and the error's type are
  logged, nothing else) and the offset moves past it. PTB's own ``get_updates`` parses a
  batch whole, so one bad update crashed every restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Hashable
from typing import Any

from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)
POLL_SECONDS = 10
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
MAX_BACKOFF = 30.0
WORKERS = 16
"""Updates handled at once: enough to hide one person's slow send, few enough for 2 cores."""
LONG_TEXT_CHARS = 500
"""Typed messages longer than this are matched in a lane of their own, one at a time: a few
people sending pages of text share one thread and leave the others to everyone else."""
LONG_AT_ONCE = 2
"""Of the workers, at most this many hold a long text (waiting for its lane): many accounts
sending long texts at once cannot take every worker."""
MAX_IN_FLIGHT = 200
"""Fetched but not yet answered; above this, polling waits (a bounded queue)."""
REFETCH_SECONDS = 0.25
"""While updates are being handled, the next getUpdates waits at most this long."""
GRACE_SECONDS = 10.0
DONE_KEPT = 10_000
"""At shutdown, updates being handled get this long to finish."""


def sender(raw: dict[str, Any]) -> Hashable:
    """Whose update this is: its sender, else its chat, else the update alone."""
    for value in raw.values():
        if isinstance(value, dict):
            who = value.get("from") or value.get("chat") or {}
            if isinstance(who, dict) and isinstance(who.get("id"), int):
                return who["id"]
    return ("update", raw.get("update_id"))


def is_long(raw: dict[str, Any]) -> bool:
    """A typed message over ``LONG_TEXT_CHARS`` (a caption does not reach the matching)."""
    message = raw.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    return isinstance(text, str) and len(text) > LONG_TEXT_CHARS


class Dispatcher:
    """Runs updates side by side, each person's in order; sets aside what cannot be read or
    handled. Used by long polling and by the webhook server alike."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self.slots = asyncio.Semaphore(WORKERS)
        self.long_slots = asyncio.Semaphore(LONG_AT_ONCE)
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.last_of: dict[Hashable, asyncio.Task[None]] = {}
        self.done: set[int] = set()
        """Updates handled (or set aside) and not yet confirmed: not started twice."""
        self.seen_up_to = -1
        self.set_aside = 0

    def submit(self, raw: Any) -> asyncio.Task[None] | None:
        """Start handling one raw update; None when it is not to be handled (a repeat, or
        unreadable: set aside)."""
        number = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(number, int):
            log.warning("an update without an id was skipped")
            return None
        if number in self.in_flight:
            return self.in_flight[number]
        if number in self.done:
            return None
        self.seen_up_to = max(self.seen_up_to, number)
        try:
            update = Update.de_json(raw, self.application.bot)
        except Exception as error:
            self._aside(number, error)
            return None
        who = sender(raw)
        task = asyncio.get_running_loop().create_task(
            self._handle(number, update, self.last_of.get(who), long=is_long(raw))
        )
        self.in_flight[number] = task
        self.last_of[who] = task
        task.add_done_callback(lambda done, n=number, w=who: self._ended(n, w, done))
        return task

    async def _handle(
        self, number: int, update: Update, before: asyncio.Task[None] | None, *, long: bool
    ) -> None:
        if before is not None:
            await asyncio.wait([before])  # the same person's earlier message is answered first
        async with self.long_slots if long else contextlib.nullcontext(), self.slots:
            try:
                await self.application.process_update(update)
            except Exception as error:  # PTB hands handler errors to on_error; this is a bug
                self._aside(number, error)

    def _ended(self, number: int, who: Hashable, task: asyncio.Task[None]) -> None:
        self.in_flight.pop(number, None)
        self.done.add(number)
        if len(self.done) > DONE_KEPT:  # webhook mode confirms nothing: keep the latest only
            self.forget_below(sorted(self.done)[len(self.done) // 2])
        if self.last_of.get(who) is task:
            del self.last_of[who]

    def _aside(self, number: int, error: BaseException) -> None:
        self.set_aside += 1
        self.done.add(number)
        log.error("update #%d set aside: %s", number, type(error).__name__)

    def forget_below(self, number: int) -> None:
        """Updates below ``number`` are confirmed: Telegram will not send them again."""
        self.done = {n for n in self.done if n >= number}

    async def finish(self) -> None:
        """Let the updates being handled finish (briefly), then stop them."""
        tasks = list(self.in_flight.values())
        if tasks:
            await asyncio.wait(tasks, timeout=GRACE_SECONDS)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


class Poller:
    def __init__(self, application: Application, *, timeout: int = POLL_SECONDS) -> None:
        self.application, self.timeout = application, timeout
        self.dispatcher = Dispatcher(application)

    @property
    def offset(self) -> int:
        """Confirm everything below the lowest update still being handled."""
        d = self.dispatcher
        return min(d.in_flight) if d.in_flight else d.seen_up_to + 1

    async def run(self) -> None:
        """Fetch and answer until cancelled; network faults back off and retry."""
        bot = self.application.bot
        await bot.delete_webhook()
        backoff = 0.5
        try:
            while True:
                in_flight = self.dispatcher.in_flight
                if len(in_flight) >= MAX_IN_FLIGHT:
                    await asyncio.wait(in_flight.values(), return_when=asyncio.FIRST_COMPLETED)
                    continue
                try:
                    batch = await self._fetch()
                except RetryAfter as exc:
                    wait = exc.retry_after
                    await asyncio.sleep(
                        wait.total_seconds() if isinstance(wait, dt.timedelta) else wait
                    )
                    continue
                except TelegramError as exc:
                    log.warning(
                        "getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, backoff
                    )
                    await asyncio.sleep(backoff)
                    backoff = min(MAX_BACKOFF, backoff * 2)
                    continue
                backoff = 0.5
                for raw in batch:
                    number = raw.get("update_id") if isinstance(raw, dict) else None
                    if not isinstance(number, int) or number >= self.offset:
                        self.dispatcher.submit(raw)
                self.dispatcher.forget_below(self.offset)
                if in_flight:
                    # Asking again at once would bring back every update still being handled
                    # (Telegram resends from the offset): let the batch finish, or a slow
                    # person's update hold the others up for REFETCH_SECONDS at most.
                    await asyncio.wait(in_flight.values(), timeout=REFETCH_SECONDS)
        finally:
            await self.dispatcher.finish()

    async def _fetch(self) -> list[Any]:
        # The raw JSON, not Update objects: one unreadable update must not lose the batch.
        # ``_post`` is what PTB's get_updates calls before parsing (PTB 22).
        result = await self.application.bot._post(
            "getUpdates",
            {
                "offset": self.offset,
                "timeout": self.timeout,
                "allowed_updates": ALLOWED_UPDATES,
            },
            read_timeout=self.timeout + 5,
        )
        return result if isinstance(result, list) else []


async def poll(application: Application, *, timeout: int = POLL_SECONDS) -> None:
    await Poller(application, timeout=timeout).run()
