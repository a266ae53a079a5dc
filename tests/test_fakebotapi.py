"""The fake Bot API server behaves like Telegram for a real PTB ``Application``.

A tiny echo bot (defined here, not the real one) proves the round trip: updates injected into
the fake reach PTB's handlers through long polling, and what the handlers send is recorded.
Fault injection is checked with raw HTTP calls, since retrying belongs to the bot under test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakebotapi import FakeBotAPI

TOKEN = "123456:TEST-token"
USER = 4242


@pytest.fixture
def api() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN) as fake:
        yield fake


def build_app(api: FakeBotAPI, token: str = TOKEN) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )


async def reverse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo the text reversed, with a button to press."""
    assert update.effective_message is not None and update.effective_message.text is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data="again")]])
    await update.effective_message.reply_text(
        update.effective_message.text[::-1], reply_markup=keyboard
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("done")
    await query.edit_message_text(f"pressed {query.data}")


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_user is not None
    await update.effective_message.reply_text(f"welcome {update.effective_user.language_code}")


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.location is not None
    await message.reply_venue(
        latitude=message.location.latitude,
        longitude=message.location.longitude,
        title="CTAI",
        address="1 place du Maréchal Leclerc, Poitiers",
    )


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    kind = next(k for k in ("voice", "photo", "sticker", "document") if getattr(message, k))
    extra = ""
    if message.voice:
        data = await (await message.voice.get_file()).download_as_bytearray()
        extra = f" {bytes(data).decode()}"
    await message.reply_text(f"{kind}{extra}")


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text("edited")


@asynccontextmanager
async def running_bot(api: FakeBotAPI) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the echo bot with long polling against the fake, then stop it cleanly."""
    app = build_app(api)
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, reverse))
    app.add_handler(MessageHandler(filters.LOCATION, on_location))
    app.add_handler(
        MessageHandler(
            filters.VOICE | filters.PHOTO | filters.Sticker.ALL | filters.Document.ALL, on_media
        )
    )
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edited))
    app.add_handler(CallbackQueryHandler(on_button))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_text_round_trip_and_offset_confirmation(api: FakeBotAPI) -> None:
    async with running_bot(api):
        update_id = api.send_text(USER, "bonjour")
        [reply] = await api.wait_sent(USER)
        second = api.send_text(USER, "salut")
        await api.wait_sent(USER, 2)
    assert reply["method"] == "sendMessage"
    assert reply["text"] == "ruojnob"
    assert reply["reply_markup"] == {
        "inline_keyboard": [[{"text": "again", "callback_data": "again"}]]
    }
    assert reply["message"]["from"]["username"] == "ctai_test_bot"
    assert reply["message"]["message_id"] == 2  # ids are shared by both sides of a chat
    assert "reply_parameters" not in reply["params"]  # PTB 22 quotes only in groups
    # PTB's shutdown confirms what it fetched, so nothing is left for a next run.
    assert api.confirmed_offset == second + 1 > update_id
    assert api.pending_updates == []
    methods = [name for name, _ in api.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]


async def test_button_press_answers_and_edits(api: FakeBotAPI) -> None:
    async with running_bot(api):
        api.send_text(USER, "abc")
        [reply] = await api.wait_sent(USER)
        api.press_button(USER, "again")
        records = await api.wait_sent(USER, 2)
        await api.wait_for(lambda: api.calls_to("answerCallbackQuery"))
    edit = records[1]
    assert edit["method"] == "editMessageText"
    assert edit["message_id"] == reply["message_id"]
    assert edit["text"] == "pressed again"
    [answer] = api.calls_to("answerCallbackQuery")
    assert answer["text"] == "done"
    # Editing without reply_markup removes the keyboard, as on Telegram.
    current = api.message(USER, reply["message_id"])
    assert current["text"] == "pressed again" and "reply_markup" not in current
    with pytest.raises(ValueError, match="no button"):
        api.press_button(USER, "forged")


async def test_commands_groups_locations_media_and_raw_updates(api: FakeBotAPI) -> None:
    group = -987
    async with running_bot(api):
        api.send_text(USER, "/start", language_code="ar")
        api.send_text(USER, "hello", chat_type="group", chat_id=group)
        api.send_location(USER, 46.58, 0.34)
        api.send_voice(USER)
        api.send_photo(USER, caption="scan")
        api.send_sticker(USER)
        api.send_document(USER)
        await api.wait_sent(USER, 6)
        start = api.message(USER, 1)  # the user's /start
        api.send_raw({"edited_message": {**start, "text": "/s", "edit_date": int(time.time())}})
        await api.wait_sent(USER, 7)
        await api.wait_sent(group)
    texts = [s["text"] for s in api.sent(USER, method="sendMessage")]
    assert texts == [
        "welcome ar",
        "voice OggS fake voice",
        "photo",
        "sticker",
        "document",
        "edited",
    ]
    [group_reply] = api.sent(group)
    assert group_reply["text"] == "olleh"
    assert group_reply["message"]["chat"]["type"] == "group"
    assert group_reply["message"]["reply_to_message"]["text"] == "hello"
    [venue] = api.sent(USER, method="sendVenue")
    assert venue["venue"]["title"] == "CTAI"
    assert venue["location"] == {"latitude": 46.58, "longitude": 0.34}


async def test_setup_methods_and_telegram_errors(api: FakeBotAPI) -> None:
    app = build_app(api)
    async with app:
        bot = app.bot
        assert bot.username == "ctai_test_bot"
        await bot.set_my_commands([("start", "Commencer")], language_code="fr")
        assert [c.command for c in await bot.get_my_commands(language_code="fr")] == ["start"]
        assert api.my_commands("fr") == [{"command": "start", "description": "Commencer"}]
        await bot.delete_my_commands(language_code="fr")
        assert api.my_commands("fr") == []
        await bot.set_my_description("Aide aux nouveaux arrivants", language_code="fr")
        await bot.set_my_short_description("CTAI Poitiers")
        assert api.description("fr") == "Aide aux nouveaux arrivants"
        assert api.description(short=True) == "CTAI Poitiers"
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([("Start!", "x")])

        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(USER, "hi")
        api.send_text(USER, "hi")  # now the chat exists
        sent = await bot.send_message(USER, "<b>Bus</b> &amp; tram", parse_mode="HTML")
        assert sent.text == "Bus & tram"
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(USER, "a <3 b", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)reserved"):
            await bot.send_message(USER, "Fin.", parse_mode="MarkdownV2")
        with pytest.raises(BadRequest, match=r"(?i)not modified"):
            await bot.edit_message_text("Bus & tram", chat_id=USER, message_id=sent.message_id)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("999")
        await bot.send_chat_action(USER, "typing")
        await bot.send_location(USER, 46.58, 0.34)
        await bot.set_webhook("https://example.org/hook")
        assert (await bot.get_webhook_info()).url == "https://example.org/hook"
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert api.pending_updates == []
        api.block_user(USER)
        with pytest.raises(Forbidden, match=r"(?i)blocked"):
            await bot.send_message(USER, "hi")
    assert [s["method"] for s in api.sent(USER)] == ["sendMessage", "sendLocation"]
    assert api.calls_to("sendChatAction") == [{"chat_id": USER, "action": "typing"}]

    # Through the Bot, not the Application: when Application.initialize() fails, PTB 22.8
    # skips shutting the bot down and leaks its HTTP connection (a ResourceWarning later).
    with pytest.raises(InvalidToken):
        async with build_app(api, token="999:WRONG").bot:
            pass


# PTB 22.2+ warns about RetryAfter.retry_after's type from inside its own __init__.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_sees_429_as_retry_after_and_nothing_is_delivered(api: FakeBotAPI) -> None:
    api.send_text(USER, "hi")
    api.fail_next("sendMessage", "429", retry_after=1)
    async with build_app(api) as app:
        with pytest.raises(RetryAfter) as caught:
            await app.bot.send_message(USER, "once")
        assert "Retry in 1 seconds" in str(caught.value)
        await app.bot.send_message(USER, "once")
    assert [s["text"] for s in api.sent(USER)] == ["once"]
    assert [(m, k) for m, k, _ in api.faults] == [("sendMessage", "429")]


def post(api: FakeBotAPI, method: str, timeout: float = 5, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{api.base_url}{TOKEN}/{method}", timeout=timeout, **kwargs)  # type: ignore[arg-type]


def test_faults_seen_by_a_raw_client(api: FakeBotAPI) -> None:
    api.send_text(USER, "hi")
    form = {"chat_id": str(USER), "text": "x"}
    api.fail_next("sendMessage", "429", retry_after=3)
    api.fail_next("sendMessage", "500")
    api.fail_next("sendMessage", "502")
    api.fail_next("sendMessage", "malformed")
    api.fail_next("sendMessage", "drop")

    r = post(api, "sendMessage", data=form)
    assert r.status_code == 429
    assert r.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    r = post(api, "sendMessage", data=form)
    assert (r.status_code, r.json()["error_code"]) == (500, 500)
    r = post(api, "sendMessage", data=form)
    assert r.status_code == 502 and b"Bad Gateway" in r.content
    r = post(api, "sendMessage", data=form)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    with pytest.raises(httpx.RemoteProtocolError):
        post(api, "sendMessage", data=form)
    assert api.sent() == []

    r = post(api, "sendMessage", data=form)
    assert r.json()["result"]["text"] == "x"
    assert len(api.sent()) == 1
    assert [k for _, k, _ in api.faults] == ["429", "500", "502", "malformed", "drop"]


def test_timeout_fault_holds_until_the_client_gives_up(api: FakeBotAPI) -> None:
    api.send_text(USER, "hi")
    form = {"chat_id": str(USER), "text": "lost"}
    api.fail_next("sendMessage", "timeout")
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        post(api, "sendMessage", timeout=0.3, data=form)
    assert time.monotonic() - started < 2
    assert api.sent() == []

    # deliver=True: Telegram sent it, only the answer was lost — a retry would duplicate.
    api.fail_next("sendMessage", "timeout", deliver=True)
    with pytest.raises(httpx.ReadTimeout):
        post(api, "sendMessage", timeout=0.3, data=form)
    assert [s["text"] for s in api.sent()] == ["lost"]


def test_http_surface(api: FakeBotAPI) -> None:
    r = httpx.post(f"{api.base_url}999:WRONG/getMe")
    assert r.status_code == 401
    assert r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    r = post(api, "sendTelepathy")
    assert (r.status_code, r.json()["error_code"]) == (404, 404)
    assert api.unknown_methods == ["sendTelepathy"]
    assert post(api, "getme").json()["result"]["username"] == "ctai_test_bot"

    api.send_text(USER, "hi")
    # JSON body (typed values) and multipart (as PTB sends when uploading files).
    r = post(api, "sendMessage", json={"chat_id": USER, "text": "123"})
    assert r.json()["result"]["text"] == "123"
    r = post(
        api,
        "sendMessage",
        data={"chat_id": str(USER), "text": "true", "reply_markup": '{"inline_keyboard": []}'},
        files={"thumbnail": ("a.jpg", b"jpeg", "image/jpeg")},
    )
    assert r.json()["ok"], r.text
    params = api.calls_to("sendMessage")[-1]
    assert params["text"] == "true" and params["chat_id"] == USER
    assert params["reply_markup"] == {"inline_keyboard": []}
    assert params["thumbnail"]["size"] == 4


def test_get_updates_long_polling(api: FakeBotAPI) -> None:
    first = api.send_text(USER, "a")
    second = api.send_text(USER, "b")
    third = api.send_text(USER, "c")
    body = post(api, "getUpdates", data={"limit": "2"}).json()
    assert [u["update_id"] for u in body["result"]] == [first, second]
    body = post(api, "getUpdates", data={"offset": str(second + 1)}).json()
    assert [u["update_id"] for u in body["result"]] == [third]
    assert api.confirmed_offset == second + 1

    # An empty queue holds the request up to `timeout`, but returns as soon as one arrives.
    post(api, "getUpdates", data={"offset": str(third + 1)})
    started = time.monotonic()
    assert post(api, "getUpdates", data={"timeout": "0.3"}).json()["result"] == []
    assert 0.25 < time.monotonic() - started < 2
    timer = threading.Timer(0.2, api.send_text, (USER, "late"))
    timer.start()
    started = time.monotonic()
    body = post(api, "getUpdates", data={"timeout": "5"}).json()
    timer.join()
    assert [u["message"]["text"] for u in body["result"]] == ["late"]
    assert time.monotonic() - started < 2


def test_second_poller_terminates_the_first(api: FakeBotAPI) -> None:
    results: list[httpx.Response] = []
    waiting = threading.Thread(
        target=lambda: results.append(post(api, "getUpdates", data={"timeout": "5"}))
    )
    waiting.start()
    api.wait_until(lambda: api.calls_to("getUpdates"))
    post(api, "getUpdates", data={"timeout": "0"})
    waiting.join(timeout=5)
    assert results[0].status_code == 409
    assert "terminated by other getUpdates" in results[0].json()["description"]


def test_wait_helpers_explain_timeouts(api: FakeBotAPI) -> None:
    with pytest.raises(AssertionError, match=r"condition not met within 0\.05s"):
        api.wait_until(lambda: api.sent(USER), timeout=0.05)
    assert api.wait_until(lambda: 42) == 42


async def test_async_wait_times_out(api: FakeBotAPI) -> None:
    with pytest.raises(AssertionError, match="pending updates"):
        await api.wait_for(lambda: False, timeout=0.05)


def long_poll(api: FakeBotAPI) -> object:
    try:
        return httpx.post(
            f"{api.base_url}{TOKEN}/getUpdates", data={"timeout": 30}, timeout=40
        ).json()
    except httpx.HTTPError as exc:  # reported, rather than dying in the thread
        return exc


def test_stop_is_clean_with_open_connections() -> None:
    before = set(threading.enumerate())
    with FakeBotAPI(token=TOKEN) as fake, httpx.Client() as client:
        # A keep-alive connection left open, and a long poll still waiting, at stop time.
        assert client.post(f"{fake.base_url}{TOKEN}/getMe").status_code == 200
        answers: list[object] = []
        poller = threading.Thread(target=lambda: answers.append(long_poll(fake)))
        poller.start()
        fake.wait_until(lambda: fake.calls_to("getUpdates"))
        started = time.monotonic()
        fake.stop()
        poller.join(timeout=5)
        assert time.monotonic() - started < 2
        # The waiting long poll got its (empty) answer before the server went away.
        assert answers == [{"ok": True, "result": []}]
    assert set(threading.enumerate()) <= before
