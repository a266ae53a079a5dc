"""Hostile and broken input: random events, forged webhooks, HTML in messages."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Bot, Update

from bot.catalogue.loader import load_or_raise
from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import I18n
from bot.dialogue.model import Command, Location, Press, Start, State, Text, Unsupported
from bot.limits import MAX_CALLBACK_BYTES, MAX_MESSAGE_CHARS
from bot.polling import Dispatcher
from bot.telegram_app import event_of
from bot.webhook import WebhookServer
from tests.conftest import SHIPPED, TESTVILLE
from tests.harness import TOKEN, running_bot
from tests.test_dialogue import assert_valid

CATALOGUE = load_or_raise(SHIPPED)
DIALOGUE = Dialogue(CATALOGUE, I18n(CATALOGUE.territory.languages))

callback_data = st.binary(max_size=MAX_CALLBACK_BYTES).map(lambda b: b.decode("utf-8", "ignore"))
known_data = st.sampled_from(
    ["M", "E", "L", "l:fa", "t:housing", "q:b:housing", "q:s:rights", "a:tdm-access-to-rights",
     "p:tdm-access-to-rights", "t:other-territory-theme", "a:../../x", "q:b:nope"]
)  # fmt: skip
events = st.one_of(
    st.text(max_size=MAX_MESSAGE_CHARS).map(Text),
    st.one_of(callback_data, known_data).map(Press),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), max_size=80).map(Start),
    st.text(min_size=1, max_size=30).map(Command),
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)).map(lambda c: Location(*c)),
    st.sampled_from(["voice", "photo", "sticker", "document", "video", "other"]).map(Unsupported),
)
states = st.builds(
    State,
    lang=st.sampled_from([None, *CATALOGUE.territory.languages]),
    audience=st.sampled_from([None, "bpi", "primo-arrivant", "unknown", "asylum"]),
    theme=st.sampled_from([None, "housing", "language"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, min_size=1, max_size=6), states, st.booleans())
def test_any_sequence_of_events_gives_valid_replies(sequence, state, private) -> None:
    for event in sequence:
        turn = DIALOGUE.handle(event, state, private=private)
        assert turn.replies, "never silent"
        for reply in turn.replies:
            assert_valid(reply)
            assert len(reply.text) <= MAX_MESSAGE_CHARS
        state = turn.state


BOT = Bot(TOKEN)
update_kinds = st.sampled_from(
    ["message", "edited_message", "channel_post", "edited_channel_post", "callback_query"]
)
message_extras = st.sampled_from(
    [{"text": "hi"}, {"text": "/start fa_housing"}, {"text": "/"}, {"text": "/@bot"},
     {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
     {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
     {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False, "is_video": False, "type": "regular"}},
     {"document": {"file_id": "d", "file_unique_id": "d"}}, {"location": {"latitude": 1.0, "longitude": 2.0}},
     {"contact": {"phone_number": "1", "first_name": "x"}}, {"dice": {"emoji": "🎲", "value": 3}}, {}]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(update_kinds, message_extras, st.text(max_size=100))
def test_any_update_becomes_an_event_or_is_ignored(kind, extra, data) -> None:
    user = {"id": 7, "is_bot": False, "first_name": "x"}
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 7, "type": "private"},
        "from": user,
        **extra,
    }
    if kind == "callback_query":
        payload = {"id": "1", "from": user, "chat_instance": "c", "data": data, "message": message}
    else:
        payload = message
    update = Update.de_json({"update_id": 1, kind: payload}, BOT)
    event = event_of(update)
    if kind in ("edited_message", "channel_post", "edited_channel_post"):
        assert event is None, "edits and channel posts are not answered"
    else:
        assert event is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


WEBHOOK_UPDATE = {
    "update_id": 77,
    "message": {"message_id": 1, "date": 0, "text": "/start",
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "x"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}]},
}  # fmt: skip


@asynccontextmanager
async def webhook_server(bot) -> AsyncIterator[str]:
    server = WebhookServer(Dispatcher(bot.application), secret="right-secret")
    port = free_port()
    await server.start("127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}/telegram"
    finally:
        await server.stop()
        await server.dispatcher.finish()


async def test_the_webhook_refuses_requests_without_the_secret_token(tmp_path) -> None:
    async with running_bot(TESTVILLE, tmp_path / "data") as bot, webhook_server(bot) as url:
        bot.api.send_text(42, "/start", language_code="fr")
        await bot.api.wait_sent(42, count=2)
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=WEBHOOK_UPDATE)
            wrong = await client.post(
                url, json=WEBHOOK_UPDATE, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            secret = {"X-Telegram-Bot-Api-Secret-Token": "right-secret"}
            kind = {**secret, "Content-Type": "application/json"}
            garbage = await client.post(url, content=b"{not json", headers=kind)
            not_update = await client.post(url, content=b'{"hello": 1}', headers=kind)
            elsewhere = await client.post(
                url + "x", content=json.dumps(WEBHOOK_UPDATE), headers=kind
            )
            good = await client.post(url, content=json.dumps(WEBHOOK_UPDATE), headers=kind)
        assert (missing.status_code, wrong.status_code) == (403, 403)
        assert (garbage.status_code, not_update.status_code, elsewhere.status_code) == (
            400,
            400,
            404,
        )
        assert good.status_code == 200
        sent = bot.api.sent(42)
        assert sent[2]["text"].startswith("👋"), "answered before the 200"
        assert len(sent) == 4, "and nothing else"


async def test_the_webhook_checks_the_secret_before_reading_a_body_and_caps_everything(
    tmp_path,
) -> None:
    """Issue 14, row 14: a 99 MB body with a wrong secret, a 2 MB body, 300 slow
    connections: Telegram's real update is still answered, nothing is read that need not be."""
    async with running_bot(TESTVILLE, tmp_path / "data") as bot, webhook_server(bot) as url:
        host, port = "127.0.0.1", int(url.split(":")[2].split("/")[0])
        bot.api.send_text(42, "/start", language_code="fr")
        await bot.api.wait_sent(42, count=2)

        async def head_only(secret: str, length: int) -> bytes:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(
                f"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
                f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\n\r\n".encode()
            )
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 5)  # no body was sent at all
            writer.close()
            return answer

        assert (await head_only("nope", 99_000_000)).startswith(b"HTTP/1.1 403")
        assert (await head_only("right-secret", 2_000_000)).startswith(b"HTTP/1.1 413")

        slow = [await asyncio.open_connection(host, port) for _ in range(300)]
        for _, writer in slow:
            writer.write(b"POST /telegram HTTP/1.1\r\n")  # and then nothing
        async with httpx.AsyncClient() as client:
            good = await client.post(
                url,
                content=json.dumps(WEBHOOK_UPDATE),
                headers={"X-Telegram-Bot-Api-Secret-Token": "right-secret"},
                timeout=10,
            )
        assert good.status_code == 200 and len(bot.api.sent(42)) == 4, "answered"

        async def cut_off(reader: asyncio.StreamReader) -> bool:
            try:
                return await asyncio.wait_for(reader.read(), 10) == b""
            except ConnectionResetError:
                return True

        assert all([await cut_off(reader) for reader, _ in slow]), "cut off, unanswered"
        for _, writer in slow:
            writer.close()


async def test_html_in_a_message_is_shown_to_the_coordinator_as_text(testville_copy, tmp_path):
    async with running_bot(testville_copy, tmp_path / "data", admin_ids=frozenset({900})) as bot:
        bot.api.send_text(901, "<b>zorglub</b> *bold* [x](http://evil)", language_code="fr")
        await bot.api.wait_sent(901, count=1)
        bot.api.send_text(900, "/unmatched", language_code="fr")
        [listing] = await bot.api.wait_sent(900, count=1)
        assert "&lt;b&gt;zorglub&lt;/b&gt; *bold* [x](http://evil)" in listing["text"]
        assert listing["message"]["text"].count("<b>zorglub</b>") == 1


@pytest.mark.parametrize("lang", CATALOGUE.territory.languages)
def test_privacy_is_explained_in_every_language(lang) -> None:
    turn = DIALOGUE.handle(Command("privacy"), State(lang=lang))
    text = turn.replies[0].text
    assert "180" in text and "/forget" in text
    if lang != "en":
        assert text != DIALOGUE.handle(Command("privacy"), State(lang="en")).replies[0].text


async def test_bursts_of_slow_connections_cannot_exceed_the_webhook_cap(
    tmp_path, monkeypatch
) -> None:
    """Connections accepted in the same turn of the loop each evict a different slow one."""
    import bot.webhook

    monkeypatch.setattr(bot.webhook, "MAX_CONNECTIONS", 10)
    async with running_bot(TESTVILLE, tmp_path / "data") as running:
        server = WebhookServer(Dispatcher(running.application), secret="right-secret")
        port = free_port()
        await server.start("127.0.0.1", port)
        try:
            slow = []
            for _ in range(5):
                slow += await asyncio.gather(
                    *(asyncio.open_connection("127.0.0.1", port) for _ in range(20))
                )
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)
            assert server.open <= 10
            for _, writer in slow:
                writer.close()
        finally:
            await server.stop()
