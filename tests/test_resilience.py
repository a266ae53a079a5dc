"""Nobody can take the bot down for everyone (issue 14): each row of the issue's table, as it
was done to the bot, and what a person notices now."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bot.telegram_app
from bot.dialogue.model import State
from bot.storage import Store, StoreError
from tests.conftest import ROOT, TESTVILLE
from tests.fakebotapi import FakeBotAPI
from tests.harness import TOKEN, running_bot
from tests.test_reliability import start_bot_process

CATALOGUE_WORDS = "logement colocation cours français médecin travail papiers "


async def test_long_messages_from_two_people_do_not_hold_up_a_third(tmp_path) -> None:
    """Row 1: two accounts each send a 4,096-character message a second; another person's
    /start is answered at once, and the flood guard counts the cost of long messages."""
    long_text = (CATALOGUE_WORDS * 80)[:4096]
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        flooders, other = (4100, 4101), 4102
        waits = []
        for second in range(6):
            for flooder in flooders:
                bot.api.send_text(flooder, long_text, language_code="fr")
            started = time.monotonic()
            bot.api.send_text(other, "/start", language_code="fr")
            await bot.api.wait_sent(other, count=2 * (second + 1), timeout=10)
            waits.append(time.monotonic() - started)
            await asyncio.sleep(max(0.0, 1 - waits[-1]))
        assert max(waits) < 1.5, waits
        await bot.api.wait_for(lambda: not bot.api.pending_updates, timeout=20)
        for flooder in flooders:
            texts = bot.texts(flooder)
            told = [t for t in texts if t.startswith("⏳")]
            assert 1 <= len(told) <= 2, "the flood guard fired, and did not nag"
            assert len(texts) - len(told) < 6, "not every long message was read"


async def test_long_texts_from_many_accounts_at_once_do_not_take_every_worker(tmp_path) -> None:
    """Sixty accounts send a 4,096-character message at the same moment: the long texts wait
    for their own lane without holding the workers, and a short typed question is answered
    at once."""
    long_text = (CATALOGUE_WORDS * 80)[:4096]
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        other = 4150
        bot.api.send_text(other, "/start", language_code="fr")
        await bot.api.wait_sent(other, count=2)
        for account in range(60):
            bot.api.send_text(4300 + account, long_text, language_code="fr")
        await asyncio.sleep(0.2)  # fetched and started
        started = time.monotonic()
        bot.api.send_text(other, "colocation")
        await bot.api.wait_sent(other, count=3, timeout=20)
        assert time.monotonic() - started < 1.5
        await bot.api.wait_for(lambda: not bot.api.pending_updates, timeout=60)
        assert all(bot.texts(4300 + account) for account in range(60)), "every one answered"


async def test_a_person_told_to_wait_by_telegram_delays_only_themselves(tmp_path) -> None:
    """Row 3: Telegram asks one send to wait 5 s; another person is answered meanwhile."""
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        slow, other = 4200, 4201
        bot.api.send_text(slow, "/start", language_code="fr")
        await bot.api.wait_sent(slow, count=2)
        bot.api.fail_next("sendMessage", "429", retry_after=5)
        bot.api.send_text(slow, "colocation")
        await bot.api.wait_for(lambda: bool(bot.api.faults), timeout=5)
        started = time.monotonic()
        bot.api.send_text(other, "/start", language_code="fr")
        await bot.api.wait_sent(other, count=2, timeout=10)
        assert time.monotonic() - started < 1.5
        await bot.api.wait_sent(slow, count=3, timeout=15)
        assert "Colocations" in bot.texts(slow)[2], "their answer comes, not a 😕"


async def test_one_person_s_messages_are_answered_in_order(tmp_path) -> None:
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        user = 4300
        bot.api.send_text(user, "/start", language_code="fr")
        await bot.api.wait_sent(user, count=2)
        for text in ("colocation", "/emergency", "cours de français", "/help"):
            bot.api.send_text(user, text)
        await bot.api.wait_sent(user, count=6, timeout=15)
        texts = bot.texts(user)[2:]
        assert "Colocations" in texts[0] and "15" in texts[1]
        assert "/language" in texts[3]


POISON = {
    "message": {
        "message_id": 1,
        "date": "yesterday",
        "chat": {"id": 4400, "type": "private", "first_name": "Amina"},
        "from": {"id": 4400, "is_bot": False, "first_name": "Amina", "username": "amina_k"},
        "text": "my secret story about my papers",
    }
}


def test_an_unreadable_update_is_set_aside_and_never_crashes_the_bot(tmp_path: Path) -> None:
    """Row 2: an update the library cannot read, pending at start, does not stop the bot
    (before: the process exited, and every restart crashed on it); row 5: a truncated
    answer from the API leaves no name, id or text in the log."""
    data, log = tmp_path / "data", tmp_path / "bot.log"
    with FakeBotAPI(token=TOKEN) as api:
        poison = api.send_raw(POISON)
        api.send_text(4401, "colocation", language_code="fr")
        process = start_bot_process(api, data, log)
        try:
            api.wait_until(lambda: len(api.sent(4401)) >= 1, timeout=30)
            api.wait_until(lambda: api.confirmed_offset > poison, timeout=30)
            api.fail_next(
                "getUpdates",
                "malformed",
                body=b'{"ok": true, "result": [{"update_id": 9, "message": {"text": "my secret '
                b'story about my papers", "from": {"id": 4400, "first_name": "Amina", '
                b'"username": "amina_k"',
            )
            api.wait_until(lambda: bool(api.faults), timeout=30)
            api.send_text(4402, "/start", language_code="fr")
            api.wait_until(lambda: len(api.sent(4402)) >= 2, timeout=30)
            assert process.poll() is None, "still running"
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
    text = log.read_text()
    assert f"update #{poison} set aside" in text
    assert "Can not load invalid JSON data" in text, "the library's own line, without values"
    for secret in ("secret story", "Amina", "amina_k", "4400", "4401", TOKEN.split(":")[1]):
        assert secret not in text, secret


def run_env(api: FakeBotAPI, data: Path) -> dict[str, str]:
    """What `ctai-bot run` needs to serve the test territory against the fake server."""
    return {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "CTAI_CATALOGUE_DIR": str(TESTVILLE),
        "CTAI_DATA_DIR": str(data),
    }


def test_a_refused_token_is_one_line_without_the_token(tmp_path: Path) -> None:
    """Row 6: getMe answers 401 or 404 at start."""
    for status in ("401", "404"):
        with FakeBotAPI(token=TOKEN) as api:
            api.fail_next("getMe", status, description="Unauthorized")
            done = subprocess.run(
                [sys.executable, "-m", "bot.cli", "run"],
                env={**run_env(api, tmp_path / "data"), "CTAI_SEMANTIC": "0"},
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=60,
            )
        assert done.returncode == 2
        output = done.stdout + done.stderr
        assert TOKEN.split(":")[1] not in output and "Traceback" not in output
        assert "Telegram refused TELEGRAM_BOT_TOKEN" in output


def test_memory_stays_flat_over_200000_people() -> None:
    """Row 15: what the bot remembers per update or per person is a window, not a set."""
    from bot.flood import REMEMBERED, FloodGuard
    from bot.recent import Recent

    answered, flood = Recent(), FloodGuard()
    for n in range(200_000):
        answered.add(10_000_000 + n)
        flood.check(f"person{n}", now=float(n))
    assert len(answered) == answered.size == 10_000
    assert 10_000_000 + 199_999 in answered and 10_000_000 not in answered
    assert len(flood._buckets) == REMEMBERED


def test_a_second_bot_on_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    """Row 8: before, two `ctai-bot run` on one data folder answered every person twice."""
    data, log = tmp_path / "data", tmp_path / "bot.log"
    with FakeBotAPI(token=TOKEN) as api:
        first = start_bot_process(api, data, log)
        try:
            api.send_text(4500, "/start", language_code="fr")
            api.wait_until(lambda: len(api.sent(4500)) >= 2, timeout=60)
            second = subprocess.run(
                [sys.executable, "-m", "bot.cli", "run"],
                env=run_env(api, data),
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=60,
            )
            api.send_text(4500, "/help")
            api.wait_until(lambda: len(api.sent(4500)) >= 3, timeout=30)
            time.sleep(0.5)
        finally:
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=20)
    assert second.returncode == 2
    assert f"another ctai-bot (pid {first.pid}) is already serving" in second.stderr
    assert len(api.sent(4500)) == 3, "answered once"


def test_a_damaged_or_unwritable_database_is_refused_at_start(tmp_path: Path) -> None:
    """Row 9: before, the bot started and then said 😕 to everyone."""
    data = tmp_path / "data"
    store = Store(data / "ctai-bot.sqlite3")
    store.save(store.person(1), State("fr"), dt.date(2026, 12, 1), ())
    store.close()
    path = data / "ctai-bot.sqlite3"
    raw = bytearray(path.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # the first page's content, overwritten
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match="move it away and restore your last backup"):
        Store(path).check()


def test_a_lost_key_with_people_stored_is_an_error_not_a_silent_reset(tmp_path: Path) -> None:
    """Row 10: before, a deleted or empty key file gave a new key: everyone forgotten."""
    path = tmp_path / "ctai-bot.sqlite3"
    store = Store(path)
    store.save(store.person(1), State("fr"), dt.date(2026, 12, 1), ())
    store.close()
    key = path.with_suffix(".key")
    assert key.name == "ctai-bot.key"
    kept = key.read_bytes()
    for broken in (b"", None):
        if broken is None:
            key.unlink()
        else:
            key.write_bytes(broken)
        with pytest.raises(StoreError, match="restore the key from your backup"):
            Store(path)
    key.write_bytes(kept)
    assert Store(path).load(Store(path).person(1)).lang == "fr", "the right key finds people"


async def test_a_database_deleted_while_running_is_noticed_and_started_again(
    tmp_path, monkeypatch
) -> None:
    """Row 9: before, the bot went on writing into a deleted file: silent loss."""
    monkeypatch.setattr(bot.telegram_app, "STORE_CHECK_SECONDS", 0.2)
    admin, person = 4600, 4601
    async with running_bot(TESTVILLE, tmp_path / "data", admin_ids=frozenset({admin})) as run:
        for someone in (admin, person):
            run.api.send_text(someone, "/start", language_code="fr")
            await run.api.wait_sent(someone, count=2)
        (tmp_path / "data" / "ctai-bot.sqlite3").unlink()
        notice = (await run.api.wait_sent(admin, count=3, timeout=10))[-1]
        assert notice["text"].startswith("⚠️") and "supprimé" in notice["text"]
        run.api.send_text(person, "/language")
        await run.api.wait_sent(person, count=3)
        assert (tmp_path / "data" / "ctai-bot.sqlite3").exists()
        assert run.service.store.still_there()


def test_the_webhook_mode_answers_telegram_and_refuses_others(tmp_path: Path) -> None:
    """`ctai-bot run --webhook-url`: the bot registers its webhook with the secret, answers
    an update before its 200, and refuses a request without the secret."""
    import json
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeBotAPI(token=TOKEN) as api:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--webhook-url",
             "https://bot.example.org/telegram", "--port", str(port)],
            env={**run_env(api, tmp_path / "data"), "CTAI_SEMANTIC": "0",
                 "CTAI_WEBHOOK_SECRET": "s3cret"},
            stderr=subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        try:
            api.wait_until(lambda: api.calls_to("setWebhook"), timeout=60)
            assert api.calls_to("setWebhook")[0]["secret_token"] == "s3cret"
            api.set_user(4700)
            update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/help",
                      "chat": {"id": 4700, "type": "private"},
                      "from": {"id": 4700, "is_bot": False, "first_name": "x"}}}  # fmt: skip
            api.send_raw(update)  # known to the fake, so the bot may answer in this chat

            def post(secret: str) -> int:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/telegram",
                    data=json.dumps(update).encode(),
                    headers={"X-Telegram-Bot-Api-Secret-Token": secret},
                )
                try:
                    return urllib.request.urlopen(request, timeout=30).status
                except urllib.error.HTTPError as error:
                    return error.code

            assert post("wrong") == 403
            assert post("s3cret") == 200
            assert len(api.sent(4700)) == 1, "answered before the 200"
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr.decode()[-2000:]
