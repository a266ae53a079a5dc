"""The real bot, running against the fake Bot API server, for end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from telegram.ext import Application

from bot.config import Config
from bot.polling import poll
from bot.service import Service
from bot.telegram_app import build_application, started
from tests.conftest import shared_semantics
from tests.fakebotapi import FakeBotAPI

TOKEN = "123456:SECRET-test-token"


@dataclass
class RunningBot:
    api: FakeBotAPI
    service: Service
    application: Application  # type: ignore[type-arg]
    config: Config

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.api.sent(chat_id) if m.get("text")]

    def buttons(self, message: dict) -> list[tuple[str, str]]:
        markup = message.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    async def replies_to(self, chat_id: int, send, count: int = 1) -> list[dict]:
        """Do ``send()`` and wait for ``count`` new messages in the chat."""
        before = len(self.api.sent(chat_id))
        send()
        sent = await self.api.wait_sent(chat_id, count=before + count)
        return sent[before:]

    async def press(self, chat_id: int, label_part: str, message: dict) -> list[dict]:
        data = next(d for text, d in self.buttons(message) if label_part in text)
        return await self.replies_to(chat_id, lambda: self.api.press_button(chat_id, data))


def config_for(api: FakeBotAPI, catalogue_dir: Path, data_dir: Path, **changes) -> Config:
    base = Config(
        token=TOKEN,
        api_url=api.base_url,
        catalogue_dir=catalogue_dir,
        data_dir=data_dir,
        admin_ids=frozenset(),
        webhook_secret=None,
        bot_username=None,
        inactive_days=180,
        unmatched_days=30,
        overall_rate=0,
    )
    return replace(base, **changes)


@asynccontextmanager
async def running_bot(
    catalogue_dir: Path, data_dir: Path, *, read_timeout: float | None = None, **changes
) -> AsyncIterator[RunningBot]:
    with FakeBotAPI(token=TOKEN) as api:
        async with serving(
            api, catalogue_dir, data_dir, read_timeout=read_timeout, **changes
        ) as bot:
            yield bot


@asynccontextmanager
async def serving(
    api: FakeBotAPI,
    catalogue_dir: Path,
    data_dir: Path,
    *,
    read_timeout: float | None = None,
    **changes,
) -> AsyncIterator[RunningBot]:
    """The bot on an existing fake server: stop it and serve again to restart it."""
    config = config_for(api, catalogue_dir, data_dir, **changes)
    service = Service(config.settings, semantics=shared_semantics())
    application = build_application(service, config, read_timeout=read_timeout)
    async with started(application, poll(application, timeout=1)):
        yield RunningBot(api, service, application, config)
    service.store.close()
