"""The coordinator edits the catalogue under the running bot, and reads the figures."""

from __future__ import annotations

import asyncio
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


async def test_live_reload_survives_vanishing_files_links_and_half_saved_files(
    testville_copy, tmp_path
) -> None:
    """Hot reload never stops: a removed file, the folder removed and put back, a link to a
    file elsewhere, a file emptied by an editor that truncates before writing."""
    actions = testville_copy / "actions.yaml"
    good = actions.read_text()
    outside = tmp_path / "secret.yaml"
    outside.write_text("password: hunter2\n")
    async with running_bot(testville_copy, tmp_path / "data", admin_ids=frozenset({ADMIN})) as bot:

        async def notice(count: int) -> str:
            return (await bot.api.wait_sent(ADMIN, count=count, timeout=15))[-1]["text"]

        bot.api.send_text(ADMIN, "/start", language_code="fr")  # the watcher is running by now
        await bot.api.wait_sent(ADMIN, count=2)
        actions.unlink()  # gone: refused (half the catalogue lost), never a crash
        assert (await notice(3)).startswith("❌")
        actions.write_text(good)
        assert (await notice(4)).startswith("✅")

        moved = tmp_path / "moved"
        testville_copy.rename(moved)
        await asyncio.sleep(1.5)
        moved.rename(testville_copy)
        actions.write_text(good.replace("Colocations", "Colocations solidaires"))
        await bot.api.wait_for(
            lambda: any(m["text"].startswith("✅") for m in bot.api.sent(ADMIN)[4:]), timeout=20
        )
        sent = len(bot.api.sent(ADMIN))

        (testville_copy / "link.yaml").symlink_to(outside)
        refused = await notice(sent + 1)
        assert "link.yaml:1:1: error: a link to a file outside the catalogue" in refused
        assert "hunter2" not in refused and "password" not in refused
        (testville_copy / "link.yaml").unlink()
        assert (await notice(sent + 2)).startswith("✅")

        actions.write_text("")  # truncated, and the editor never wrote the rest
        refused = await notice(sent + 3)
        assert "actions would go from 2 to 0: did you mean to empty" in refused
        assert "actions.yaml" in refused
        [card] = await bot.replies_to(PERSON, lambda: bot.api.send_text(PERSON, "colocation"))
        assert "Colocations solidaires" in card["text"], "the last good catalogue is served"

        [accepted] = await bot.replies_to(ADMIN, lambda: bot.api.send_text(ADMIN, "/reload"))
        assert accepted["text"].startswith("✅"), "an admin's /reload takes it as meant"


def test_a_file_nested_600_levels_is_an_error_at_its_line(testville_copy) -> None:
    from bot.catalogue.loader import load_catalogue

    (testville_copy / "deep.yaml").write_text(
        "operators:\n  - id: x\n    notes: " + "[" * 600 + "]" * 600
    )
    catalogue, problems = load_catalogue(testville_copy)
    assert catalogue is None
    [deep] = [str(p) for p in problems if "deep.yaml" in p.path]
    assert deep.endswith(
        "deep.yaml:3:59: error: nested more than 50 levels deep: a catalogue never is"
    )
