"""Long polling that confirms an update to Telegram only after it has been answered.

PTB's own Updater confirms a batch (moves the getUpdates offset) as soon as it has fetched
it, so a crash loses the updates still queued. Here the offset moves past an update only
once its handler has run: after ``kill -9``, Telegram delivers again whatever was not
answered, and the store's list of answered updates keeps those already done from being
answered twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)
POLL_SECONDS = 10
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
MAX_BACKOFF = 30.0


async def poll(application: Application, *, timeout: int = POLL_SECONDS) -> None:
    """Fetch and answer updates until cancelled; network faults back off and retry."""
    bot = application.bot
    await bot.delete_webhook()
    offset, backoff = 0, 0.5
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset,
                timeout=timeout,
                allowed_updates=ALLOWED_UPDATES,
                read_timeout=timeout + 5,
            )
        except RetryAfter as exc:
            wait = exc.retry_after
            await asyncio.sleep(wait.total_seconds() if isinstance(wait, dt.timedelta) else wait)
            continue
        except TelegramError as exc:
            log.warning("getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)
            continue
        backoff = 0.5
        for update in updates:
            await application.process_update(update)
            offset = update.update_id + 1
