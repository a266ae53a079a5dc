"""The coordinator edits the catalogue under the running bot, and reads the figures."""

from __future__ import annotations

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
