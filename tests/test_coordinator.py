"""The coordinator edits the catalogue under the running bot, and reads the figures."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import Config, ConfigError
from bot.storage import Store
from tests.harness import running_bot

ADMIN, PERSON = 900, 901


async def test_an_edit_is_live_and_a_broken_edit_keeps_the_old_catalogue(testville_copy, tmp_path):
    actions = testville_copy / "actions.yaml"
    async with running_bot(testville_copy, tmp_path / "data", admin_ids=frozenset({ADMIN})) as bot:
        for someone in (PERSON, ADMIN):
            bot.api.send_text(someone, "/start", language_code="fr")
            await bot.api.wait_sent(someone, count=2)
        [card] = await bot.replies_to(PERSON, lambda: bot.api.send_text(PERSON, "colocation"))
        assert "Colocations" in card["text"]

        actions.write_text(actions.read_text().replace("Colocations", "Colocations solidaires"))
        reports = await bot.api.wait_sent(ADMIN, count=3, timeout=10)
        assert reports[-1]["text"].startswith("✅")
        [card] = await bot.replies_to(PERSON, lambda: bot.api.send_text(PERSON, "colocation"))
        assert "Colocations solidaires" in card["text"]

        broken = actions.read_text().replace(
            "    title: {fr: Colocations", "    titel: {fr: Colocations"
        )
        actions.write_text(broken)
        reports = await bot.api.wait_sent(ADMIN, count=4, timeout=10)
        refused = reports[-1]["text"]
        line = broken.splitlines().index(next(x for x in broken.splitlines() if "titel" in x)) + 1
        assert refused.startswith("❌")
        assert (
            f"actions.yaml:{line}:5: error: unknown key 'titel' (did you mean 'title'?)" in refused
        )
        [card] = await bot.replies_to(PERSON, lambda: bot.api.send_text(PERSON, "colocation"))
        assert "Colocations solidaires" in card["text"], "the last good catalogue is still served"


async def test_admin_commands_answer_only_admins(testville_copy, tmp_path) -> None:
    async with running_bot(testville_copy, tmp_path / "data", admin_ids=frozenset({ADMIN})) as bot:
        bot.api.send_text(PERSON, "/start", language_code="fr")
        await bot.api.wait_sent(PERSON, count=2)
        for command in ("/stats", "/unmatched", "/reload"):
            [answer] = await bot.replies_to(PERSON, lambda c=command: bot.api.send_text(PERSON, c))
            [unknown] = await bot.replies_to(PERSON, lambda: bot.api.send_text(PERSON, "/nosuch"))
            assert answer["text"] == unknown["text"], "same answer as an unknown command"

        await bot.replies_to(PERSON, lambda: bot.api.send_text(PERSON, "blablabla zorglub"))
        [stats] = await bot.replies_to(ADMIN, lambda: bot.api.send_text(ADMIN, "/stats"))
        assert "7 derniers jours" in stats["text"] and "Personnes : 1" in stats["text"]
        [unmatched] = await bot.replies_to(ADMIN, lambda: bot.api.send_text(ADMIN, "/unmatched"))
        assert "blablabla zorglub" in unmatched["text"]
        assert str(PERSON) not in unmatched["text"]
        [reload] = await bot.replies_to(ADMIN, lambda: bot.api.send_text(ADMIN, "/reload"))
        assert reload["text"].startswith("✅")


async def test_a_long_unmatched_list_arrives_in_pieces(testville_copy, tmp_path) -> None:
    """30 long unmatched messages make more than one Telegram message: all of it arrives."""
    data = tmp_path / "data"
    data.mkdir()
    store = Store(data / "ctai-bot.sqlite3")
    for n in range(30):
        store.keep_unmatched(dt.date.today(), f"zorglub{n:02d} " + "blabla " * 28)
    store.close()
    async with running_bot(testville_copy, data, admin_ids=frozenset({ADMIN})) as bot:
        before = len(bot.api.sent(ADMIN))
        bot.api.send_text(ADMIN, "/unmatched")
        await bot.api.wait_for(lambda: len(bot.api.sent(ADMIN)) >= before + 2)
        await bot.api.wait_for(lambda: not bot.api.pending_updates)
        pieces = bot.api.sent(ADMIN)[before:]
        assert all(len(p["text"]) <= 4096 for p in pieces)
        shown = "\n".join(p["text"] for p in pieces)
        assert all(f"zorglub{n:02d}" in shown for n in range(30))


@pytest.mark.parametrize(
    ("name", "value"),
    [("CTAI_INACTIVE_DAYS", "-5"), ("CTAI_INACTIVE_DAYS", "0"), ("CTAI_OVERALL_RATE", "-1")],
)
def test_a_setting_that_would_do_harm_is_refused_with_one_clear_line(
    monkeypatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"{name} must be at least [01], got {value}"):
        Config.from_env(need_token=False)
