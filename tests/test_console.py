"""The console chat runs the same conversation as Telegram."""

from __future__ import annotations

import io

from bot.console import chat, plain
from bot.service import Service, Settings
from tests.conftest import SHIPPED
from tests.harness import running_bot

USER = 808
# The same person's steps, typed in the console and done on Telegram.
CONSOLE_LINES = ["2", "I need a flat", "/menu", "3", "1", "/emergency", "/quit"]


def telegram_steps(api) -> list:
    return [
        lambda: api.press_button(USER, "l:en"),
        lambda: api.send_text(USER, "I need a flat"),
        lambda: api.send_text(USER, "/menu"),
        lambda: api.press_button(USER, "t:health"),
        lambda: api.press_button(USER, "q:b:health"),
        lambda: api.send_text(USER, "/emergency"),
    ]


def console_screens(tmp_path) -> list[str]:
    service = Service(Settings(catalogue_dir=SHIPPED, data_dir=tmp_path / "console"))
    out = io.StringIO()
    chat(service, None, stdin=io.StringIO("\n".join(CONSOLE_LINES) + "\n"), out=out)
    return [screen.strip() for screen in out.getvalue().split("> ")][:-1]


def without_button_lines(screen: str) -> str:
    return "\n".join(line for line in screen.splitlines() if not line.startswith("[")).strip()


async def test_console_and_telegram_show_the_same_conversation(tmp_path) -> None:
    console = console_screens(tmp_path)
    telegram: list[str] = []
    async with running_bot(SHIPPED, tmp_path / "telegram") as bot:
        bot.api.set_user(USER, language_code=None)
        bot.api.send_text(USER, "/start", language_code=None)
        sent = await bot.api.wait_sent(USER, count=1)
        telegram.append("\n".join(plain(m["text"]) for m in sent))
        for step in telegram_steps(bot.api):
            before = len(bot.api.sent(USER))
            step()
            await bot.api.wait_for(lambda before=before: len(bot.api.sent(USER)) > before)
            await bot.api.wait_for(lambda: not bot.api.pending_updates)
            screen = bot.api.sent(USER)[before:]
            telegram.append("\n".join(plain(m["text"]) for m in screen))
    assert len(console) == len(telegram) == 7
    for typed, shown in zip(console, telegram, strict=True):
        assert without_button_lines(typed) == shown.strip()


def run(service: Service, lines: list[str], **options) -> str:
    out = io.StringIO()
    chat(service, None, stdin=io.StringIO("\n".join(lines) + "\n"), out=out, **options)
    return out.getvalue()


def test_each_run_starts_as_a_new_person_unless_continued(tmp_path) -> None:
    service = Service(Settings(catalogue_dir=SHIPPED, data_dir=tmp_path / "console"))
    first = run(service, ["2", "/quit"])
    assert "Choose your language" in first
    fresh = run(service, ["/quit"])
    assert "Choose your language" in fresh, "a new run asks the language again"
    run(service, ["2", "/quit"])
    continued = run(service, ["/quit"], keep=True)
    assert "Choose your language" not in continued
    assert "What do you need?" in continued


def test_the_coordinators_commands_work_in_the_console_with_admin(tmp_path) -> None:
    service = Service(Settings(catalogue_dir=SHIPPED, data_dir=tmp_path / "console"))
    plain_person = run(service, ["2", "/stats", "/quit"])
    assert "I don't know this command" in plain_person
    admin = run(service, ["2", "xyzzy qwerty", "/stats", "/unmatched", "/quit"], admin=True)
    assert "7 derniers jours" in admin
    listed = admin[admin.index("Messages sans réponse") :]
    assert "xyzzy qwerty" in listed
