"""The Telegram adapter: Updates in, dialogue events to the service, replies out as PTB calls.

It holds no decisions. Run with ``ctai-bot run`` (long polling) or ``ctai-bot run
--webhook-url https://...`` behind a reverse proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram import (
    BotCommand,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)
from watchfiles import awatch

from bot.admin import ADMIN_COMMANDS, figures_text, reload_text
from bot.config import Config
from bot.dialogue.model import Command, Event, Location, Press, Start, Text, Unsupported
from bot.flood import FloodGuard, cost
from bot.http import AiohttpRequest
from bot.polling import ALLOWED_UPDATES, LONG_TEXT_CHARS, Dispatcher, poll
from bot.recent import Recent
from bot.sending import send, split_message
from bot.service import Service
from bot.staff import StaffDesk
from bot.storage import hold_data_dir
from bot.webhook import WebhookServer

log = logging.getLogger(__name__)
COMMANDS = ("start", "menu", "language", "status", "help", "emergency", "privacy", "forget")
HUMAN_COMMAND = "human"
PURGE_EVERY = dt.timedelta(hours=24)
STABLE_SECONDS = 0.5
STORE_CHECK_SECONDS = 30.0


def event_of(update: Update) -> Event | None:
    """The dialogue event an update carries, or None for updates we do not answer."""
    if update.callback_query:
        return Press(update.callback_query.data or "")
    message = update.message
    if message is None:
        return None
    if message.text:
        if message.text.startswith("/"):
            word = message.text[1:].split(maxsplit=1)
            name = word[0].split("@")[0].lower() if word else ""
            if name == "start":
                return Start(word[1].strip() if len(word) > 1 else "")
            return Command(name)
        return Text(message.text)
    if message.location:
        return Location(message.location.latitude, message.location.longitude)
    for kind in ("voice", "audio", "video", "video_note", "photo", "sticker", "document"):
        if getattr(message, kind):
            return Unsupported("voice" if kind in ("audio", "video_note") else kind)
    return Unsupported("other")


class TelegramAdapter:
    def __init__(self, service: Service, config: Config) -> None:
        self.service = service
        self.config = config
        self._tasks: list[asyncio.Task[None]] = []
        self.flood = FloodGuard()
        self.answered = Recent(sorted(service.store.answered_updates()))
        self.desk = StaffDesk(service, config.staff_chat_id) if config.staff_chat_id else None
        self.long_texts = ThreadPoolExecutor(max_workers=1, thread_name_prefix="long-texts")

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.update_id in self.answered:
            return  # delivered again after a restart: already answered
        try:
            await self._answer(update, context)
        except asyncio.CancelledError:
            raise  # stopped half way (shutdown): Telegram sends it again, it is answered then
        except Exception:
            self._mark(update.update_id)
            raise  # to on_error, which tells the person
        self._mark(update.update_id)

    def _mark(self, update_id: int) -> None:
        self.answered.add(update_id)
        self.service.store.mark_answered(update_id)

    async def _answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = event_of(update)
        user, chat = update.effective_user, update.effective_chat
        if event is None or user is None or chat is None:
            return
        if self.desk and chat.id == self.desk.chat_id:
            if self.desk.is_staff(update):  # the staff group is never a person's chat
                await self.desk.on_update(context.bot, update)
            return
        person = self.service.store.person(user.id)
        verdict = self.flood.check(person, price=cost(event.text) if isinstance(event, Text) else 1)
        if update.callback_query and verdict != "drop":  # a dropped tap costs no round trip
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        if verdict != "ok":
            if verdict == "warn":
                lang = self.service.store.load(person).lang
                await send(context.bot, chat.id, (self.service.dialogue.slow_down(lang),))
            return
        if (
            isinstance(event, Command)
            and event.name in ADMIN_COMMANDS
            and user.id in self.config.admin_ids
            and chat.type == chat.PRIVATE
        ):
            for piece in split_message(await self.admin(event.name)):  # /unmatched is long
                await context.bot.send_message(chat.id, piece)
            return
        handle = functools.partial(
            self.service.handle,
            user.id,
            event,
            private=chat.type == chat.PRIVATE,
            client_lang=(user.language_code or "")[:2] or None,
        )
        # A typed message goes through the embedding model (tens of ms): off the event loop,
        # so that sends, polling and the watcher keep running. Buttons stay on the loop.
        if isinstance(event, Text):
            lane = self.long_texts if len(event.text) > LONG_TEXT_CHARS else None
            turn = await asyncio.get_running_loop().run_in_executor(lane, handle)
        else:
            turn = handle()
        urgent = any(signal.kind == "emergency" for signal in turn.signals)
        if not await send(context.bot, chat.id, turn.replies, at_least_once=urgent):
            lost = self.service.dialogue.maybe_lost(turn.state.lang)
            await send(context.bot, chat.id, (lost,), at_least_once=True)
        if self.desk:
            self.desk.after_turn(turn)

    async def admin(self, name: str) -> str:
        if name != "reload":
            today = dt.datetime.now(self.service.dialogue.zone).date()
            return figures_text(self.service.store, name, today)
        return await self.reload(guard=False)  # an admin's /reload is meant

    async def reload(self, *, guard: bool = True) -> str:
        """Load the catalogue off the event loop, then swap it in between two messages."""
        dialogue, problems = await asyncio.to_thread(self.service.prepare_reload, guard=guard)
        if dialogue:
            self.service.swap(dialogue)
            log.info("catalogue reloaded")
        else:
            log.warning("catalogue refused: %d errors; the last good one stays", len(problems))
        return reload_text(problems, reloaded=dialogue is not None)

    async def _watch_catalogue(self, bot) -> None:
        """Reload on every change of a catalogue file; tell the admins when it is refused.

        Supervised: a failed reload (a file gone between listing and reading) is logged and
        watching goes on; live reload must never stop silently."""
        pause, last_error = 1.0, ""
        while True:
            try:
                async for changes in awatch(
                    self.config.catalogue_dir, debounce=300, step=50, recursive=True
                ):
                    pause, last_error = 1.0, ""
                    if any(path.endswith((".yaml", ".yml")) for _, path in changes):
                        await self._until_stable()
                        await self._reload_and_tell(bot)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if repr(error) != last_error:  # a lasting failure is logged once, not each try
                    log.exception("catalogue watcher failed; watching again")
                    last_error = repr(error)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 300.0)

    async def _until_stable(self) -> None:
        """Wait until no catalogue file has changed for STABLE_SECONDS: an editor that
        truncates then writes is read once it has finished, not half way."""

        def snapshot() -> list[tuple[str, int, int]]:
            found = []
            for path in self.config.catalogue_dir.rglob("*.y*ml"):
                with contextlib.suppress(OSError):
                    info = path.stat()
                    found.append((str(path), info.st_size, info.st_mtime_ns))
            return sorted(found)

        before = await asyncio.to_thread(snapshot)
        for _ in range(20):
            await asyncio.sleep(STABLE_SECONDS)
            now = await asyncio.to_thread(snapshot)
            if now == before:
                return
            before = now

    async def _reload_and_tell(self, bot) -> None:
        try:
            report = await self.reload()
        except Exception:
            log.exception("catalogue reload failed; the last good catalogue stays")
            return
        await self._tell_admins(bot, report)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed (never the message text) and tell the person, with the menu."""
        error = context.error
        log.error("update failed: %s", type(error).__name__, exc_info=error)
        if isinstance(update, Update) and update.effective_chat and update.effective_user:
            person = self.service.store.person(update.effective_user.id)
            sorry = self.service.dialogue.sorry(self.service.store.load(person).lang)
            with contextlib.suppress(TelegramError):
                await send(context.bot, update.effective_chat.id, (sorry,))

    async def post_init(self, application: Application) -> None:
        """Commands and descriptions in every language, and the daily clean-up."""
        bot = application.bot
        for lang in self.service.dialogue.languages:
            s = self.service.i18n[lang]
            descriptions = {
                "start": s._("Start"),
                "menu": s._("Topics"),
                "language": s._("Change language"),
                "status": s._("Change your answer about your status"),
                "help": s._("How to use the bot"),
                "emergency": s._("Emergency numbers"),
                "privacy": s._("What the bot keeps about you"),
                "forget": s._("Delete what the bot keeps about you"),
                HUMAN_COMMAND: s._("Talk to a person from the team"),
            }
            names = (*COMMANDS, HUMAN_COMMAND) if self.desk else COMMANDS
            commands = [BotCommand(c, descriptions[c][:256]) for c in names]
            code = (
                None if lang == self.service.dialogue.catalogue.territory.default_language else lang
            )
            await bot.set_my_commands(commands, language_code=code)
            await bot.set_my_description(
                s._(
                    "I help refugees and newcomers find the right local service: French classes, housing, health, work, papers. Write in your language."
                ),
                language_code=code,
            )
            await bot.set_my_short_description(
                s._("Find local help for refugees and newcomers."), language_code=code
            )
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._purge_daily()),
            loop.create_task(self._watch_catalogue(bot)),
            loop.create_task(self._watch_store(bot)),
            loop.create_task(self._warm_up()),
        ]
        if self.desk:
            self._tasks.append(loop.create_task(self.desk.watch_overdue(bot)))
            self._tasks.append(loop.create_task(self.desk.deliver(bot)))

    async def _warm_up(self) -> None:
        """The language and embedding models are read on first use (about 0.4 s): read
        them at start, so that the first person to write does not wait for them."""
        try:
            await asyncio.to_thread(self.service.dialogue.engine.match, "bonjour")
        except Exception:
            log.exception("warming up the matching failed; the models load on first use")

    async def post_shutdown(self, application: Application) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.long_texts.shutdown(wait=False, cancel_futures=True)

    async def _watch_store(self, bot) -> None:
        """A database file deleted under the running bot is noticed, said, and started
        again: writing on into a deleted file would lose everything silently."""
        store = self.service.store
        while True:
            await asyncio.sleep(STORE_CHECK_SECONDS)
            try:
                if store.still_there():
                    continue
                log.error("the database file was deleted or replaced; starting a new one")
                await asyncio.to_thread(store.reopen)
                await self._tell_admins(
                    bot,
                    "⚠️ Le fichier de données (ctai-bot.sqlite3) a été supprimé pendant que le "
                    "bot tournait : un nouveau est commencé. Les réponses enregistrées avant "
                    "sont perdues ; restaurez une sauvegarde si vous en avez une.",
                )
            except Exception:
                log.exception("database check failed; checking again later")

    async def _tell_admins(self, bot, text: str) -> None:
        for admin_id in self.config.admin_ids:
            try:
                for piece in split_message(text):
                    await bot.send_message(admin_id, piece)
            except TelegramError as error:
                log.warning("notice not delivered to an admin: %s", type(error).__name__)

    async def _purge_daily(self) -> None:
        """Supervised like the watcher: a failed purge is logged and tried again tomorrow."""
        while True:
            try:
                today = dt.datetime.now(self.service.dialogue.zone).date()
                deleted = self.service.store.purge(
                    today,
                    inactive_days=self.config.inactive_days,
                    unmatched_days=self.config.unmatched_days,
                    ticket_days=self.config.ticket_days,
                )
                log.info("purge: %d inactive people deleted", deleted)
            except Exception:
                log.exception("daily purge failed; trying again at the next run")
            await asyncio.sleep(PURGE_EVERY.total_seconds())


def build_application(
    service: Service, config: Config, *, read_timeout: float | None = None
) -> Application:
    """The PTB application; ``read_timeout`` (seconds) overrides PTB's 5 s for sends."""
    adapter = TelegramAdapter(service, config)
    sends = AiohttpRequest() if read_timeout is None else AiohttpRequest(read_timeout=read_timeout)
    application = (
        ApplicationBuilder()
        .request(sends)
        .get_updates_request(AiohttpRequest(pool_size=1))
        .token(config.token)
        .base_url(config.api_url)
        .base_file_url(config.file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=None))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=config.overall_rate,
                # Telegram's 20 messages a minute in a group; 0 (tests, benches): no limits
                group_max_rate=20 if config.overall_rate else 0,
                max_retries=0,
            )
        )
        .post_init(adapter.post_init)
        .post_shutdown(adapter.post_shutdown)
        .build()
    )
    messages = filters.UpdateType.MESSAGE
    application.add_handler(CallbackQueryHandler(adapter.on_update))
    application.add_handler(MessageHandler(messages, adapter.on_update))
    application.add_error_handler(adapter.on_error)
    return application


def run(
    config: Config, *, webhook_url: str | None = None, listen: str = "127.0.0.1", port: int = 8080
) -> None:
    """Serve until stopped: long polling, or a webhook whose secret token is checked on every
    request (a random one when CTAI_WEBHOOK_SECRET is not set)."""
    lock = hold_data_dir(config.data_dir)  # noqa: F841 -- held until the process ends
    service = Service(config.settings, semantics=config.semantics())
    service.store.check()
    application = build_application(service, config)
    if webhook_url:
        secret = config.webhook_secret or secrets.token_urlsafe(32)
        asyncio.run(_serve(application, _webhook(application, webhook_url, secret, listen, port)))
    else:
        asyncio.run(_serve(application, poll(application)))


async def _webhook(application: Application, url: str, secret: str, listen: str, port: int):
    """Tell Telegram where to send updates, then serve them until cancelled."""
    server = WebhookServer(Dispatcher(application), secret=secret)
    await server.start(listen, port)
    await application.bot.set_webhook(
        url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, max_connections=40
    )
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
        await server.dispatcher.finish()


@contextlib.asynccontextmanager
async def started(
    application: Application, serving: Coroutine[Any, Any, None]
) -> AsyncIterator[asyncio.Task[None]]:
    """The application set up and started, ``serving`` (polling, a webhook) in a task; on
    leaving, the task is stopped and the application shut down in order, also when serving
    failed. The bot, the tests and the benches all start the bot this way."""
    async with application:
        await application.post_init(application)
        await application.start()
        task = asyncio.get_running_loop().create_task(serving)
        try:
            yield task
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await application.stop()
            await application.post_shutdown(application)


async def _serve(application: Application, serving: Coroutine[Any, Any, None]) -> None:
    """Serve until SIGINT or SIGTERM, then shut down cleanly; when serving fails (a port in
    use), its error is the one shown."""
    loop = asyncio.get_running_loop()
    async with started(application, serving) as task:
        for stop in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(stop, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
