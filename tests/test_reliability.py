"""Faults, floods and crashes: every message gets exactly one answer, none lost or doubled."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.polling import WORKERS
from tests.conftest import TESTVILLE
from tests.fakebotapi import FakeBotAPI
from tests.harness import TOKEN, running_bot

FAULTS = [
    ("429", {"retry_after": 1}),
    ("500", {}),
    ("502", {}),
    ("malformed", {}),
]
MAYBE_DELIVERED = [
    ("timeout", {"delay": 3}, 0),
    ("timeout", {"delay": 3, "deliver": True}, 1),
    ("drop", {}, 0),
]


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=[k for k, _ in FAULTS])
async def test_a_failed_send_is_retried_and_the_answer_arrives_once(tmp_path, kind, options):
    async with running_bot(TESTVILLE, tmp_path / "data", read_timeout=1) as bot:
        user = 3000
        bot.api.send_text(user, "/start", language_code="fr")
        await bot.api.wait_sent(user, count=2)
        bot.api.fail_next("sendMessage", kind, **options)
        bot.api.send_text(user, "colocation")
        await bot.api.wait_sent(user, count=3, timeout=15)
        await bot.api.wait_for(lambda: not bot.api.pending_updates, timeout=5)
        cards = [m for m in bot.api.sent(user) if "Colocations" in (m["text"] or "")]
        assert len(cards) == 1, "exactly one answer"
        assert [f[1] for f in bot.api.faults] == [kind]


@pytest.mark.parametrize(
    ("kind", "options", "delivered"),
    MAYBE_DELIVERED,
    ids=["timeout-lost", "timeout-after-delivery", "dropped"],
)
async def test_a_send_that_may_have_arrived_is_not_sent_twice_and_the_person_is_told(
    tmp_path, kind, options, delivered
) -> None:
    """At most once: the card is never doubled; when it may be lost, a short note says to
    send the message again (issue 14, row 4)."""
    async with running_bot(TESTVILLE, tmp_path / "data", read_timeout=1) as bot:
        user = 3050
        bot.api.send_text(user, "/start", language_code="fr")
        await bot.api.wait_sent(user, count=2)
        bot.api.fail_next("sendMessage", kind, **options)
        bot.api.send_text(user, "colocation")
        await bot.api.wait_sent(user, count=3 + delivered, timeout=15)
        await bot.api.wait_for(lambda: not bot.api.pending_updates, timeout=5)
        texts = bot.texts(user)[2:]
        assert len([t for t in texts if "Colocations" in t]) == delivered
        assert texts[-1].startswith("📶") and "envoyez" in texts[-1].lower()
        assert len(texts) == delivered + 1


async def test_emergency_numbers_are_sent_again_after_a_time_out(tmp_path) -> None:
    """Emergency numbers are the exception: twice is better than never."""
    async with running_bot(TESTVILLE, tmp_path / "data", read_timeout=1) as bot:
        user = 3060
        bot.api.send_text(user, "/start", language_code="fr")
        await bot.api.wait_sent(user, count=2)
        bot.api.fail_next("sendMessage", "timeout", delay=3)
        bot.api.send_text(user, "/emergency")
        await bot.api.wait_sent(user, count=3, timeout=15)
        assert "15" in bot.texts(user)[2]


@pytest.mark.parametrize("kind", ["500", "drop", "malformed", "429"])
async def test_a_failing_get_updates_does_not_stop_the_bot(tmp_path, kind) -> None:
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        bot.api.fail_next("getUpdates", kind, times=2, retry_after=1)
        bot.api.send_text(3100, "/start", language_code="fr")
        sent = await bot.api.wait_sent(3100, count=2, timeout=20)
        assert sent[0]["text"].startswith("👋")
        assert len(bot.api.sent(3100)) == 2


async def test_someone_flooding_is_slowed_down_without_delaying_others(tmp_path) -> None:
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        flooder, other = 3200, 3201
        for someone in (flooder, other):
            bot.api.send_text(someone, "/start", language_code="fr")
            await bot.api.wait_sent(someone, count=2)
        for i in range(100):
            bot.api.send_text(flooder, f"colocation {i}")
        started = time.monotonic()
        bot.api.send_text(other, "colocation")
        await bot.api.wait_sent(other, count=3, timeout=10)
        assert time.monotonic() - started < 3, "the other person is answered promptly"
        await bot.api.wait_for(lambda: not bot.api.pending_updates, timeout=10)
        answers = [m["text"] for m in bot.api.sent(flooder)][2:]
        assert [a for a in answers if a.startswith("⏳")] and len(answers) <= 12
        assert len([a for a in answers if a.startswith("⏳")]) == 1, "told once, politely"


def start_bot_process(api: FakeBotAPI, data: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "CTAI_CATALOGUE_DIR": str(TESTVILLE),
        "CTAI_DATA_DIR": str(data),
        "CTAI_OVERALL_RATE": "0",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
    )


def test_kill_9_mid_burst_loses_nothing(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "bot.log"
    with FakeBotAPI(token=TOKEN) as api:
        process = start_bot_process(api, data, log)
        try:
            users = list(range(5000, 5200))
            for user in users:
                api.send_text(user, "colocation", language_code="fr")
            api.wait_until(lambda: len(api.sent()) >= 40, timeout=30)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            answered_before = {m["chat_id"] for m in api.sent()}
            assert len(answered_before) < len(users), "killed in the middle of the burst"
            with sqlite3.connect(data / "ctai-bot.sqlite3") as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            process = start_bot_process(api, data, log)
            api.wait_until(lambda: {m["chat_id"] for m in api.sent()} >= set(users), timeout=60)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        per_user = [len(api.sent(u)) for u in users]
        assert min(per_user) >= 1, "every update answered"
        doubled = sum(n > 1 for n in per_user)
        assert doubled <= WORKERS, "at most the updates being handled at the kill are doubled"
    text = log.read_text()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert "colocation" not in text and "5000" not in text.replace("2026", "")


def test_logs_never_show_the_token_a_message_or_a_user_id(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "bot.log"
    with FakeBotAPI(token=TOKEN) as api:
        api.fail_next("sendMessage", "400", description="Bad Request: can't parse entities")
        api.fail_next("getUpdates", "500")
        process = start_bot_process(api, data, log)
        try:
            api.send_text(987654321, "my secret story about my papers", language_code="en")
            api.wait_until(lambda: len(api.sent(987654321)) >= 1, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
    text = log.read_text()
    assert "update failed" in text or "BadRequest" in text, "the failure itself is logged"
    for secret in (TOKEN, TOKEN.split(":")[1], "my secret story", "987654321"):
        assert secret not in text, secret
