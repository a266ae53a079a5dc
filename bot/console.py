"""``ctai-bot chat``: the same conversation in a terminal, buttons numbered, no network."""

from __future__ import annotations

import datetime as dt
import html
import re
import sys
from typing import TextIO

from bot.admin import ADMIN_COMMANDS, figures_text, reload_text
from bot.dialogue.model import Button, Command, Event, Press, Reply, Start, Text
from bot.service import Service

CONSOLE_USER = 0
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML as terminal text."""
    return html.unescape(_TAG.sub("", text))


def render(reply: Reply, numbered: list[Button], out: TextIO) -> None:
    if reply.place:
        p = reply.place
        out.write(f"[map] {p.title} — {p.address} ({p.lat:.5f}, {p.lon:.5f})\n")
    if reply.text:
        out.write(plain(reply.text) + "\n")
    for row in reply.buttons:
        cells = []
        for button in row:
            numbered.append(button)
            cells.append(f"[{len(numbered)}] {button.label}")
        out.write("  ".join(cells) + "\n")


def parse(line: str, numbered: list[Button]) -> Event:
    """A number presses that button; ``/word`` is a command; anything else is text."""
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(numbered):
        button = numbered[int(stripped) - 1]
        if button.data:
            return Press(button.data)
    if stripped.startswith("/start"):
        return Start(stripped[len("/start") :].strip())
    if stripped.startswith("/") and len(stripped) > 1:
        return Command(stripped[1:].split()[0].lower())
    return Text(line.rstrip("\n"))


def _admin(service: Service, name: str) -> str:
    """The coordinator's commands, as the Telegram bot answers them to its admins."""
    if name != "reload":
        return figures_text(service.store, name, dt.datetime.now(service.dialogue.zone).date())
    dialogue, problems = service.prepare_reload(guard=False)  # an admin's /reload is meant
    if dialogue:
        service.swap(dialogue)
    return reload_text(problems, reloaded=dialogue is not None)


def chat(
    service: Service,
    lang: str | None,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    *,
    keep: bool = False,
    admin: bool = False,
) -> None:
    """Run a conversation until end of input (Ctrl-D) or ``/quit``.

    A fresh person each time unless ``keep`` (the console person's answers are stored in the
    data directory like anyone's); ``admin`` adds /stats, /unmatched and /reload."""
    if not keep:
        service.store.forget(service.store.person(CONSOLE_USER))
    payload = lang or ""
    event: Event = Start(payload)
    while True:
        numbered: list[Button] = []
        if admin and isinstance(event, Command) and event.name in ADMIN_COMMANDS:
            out.write(plain(_admin(service, event.name)) + "\n")
        else:
            for reply in service.handle(CONSOLE_USER, event, client_lang=lang).replies:
                render(reply, numbered, out)
        out.write("> ")
        out.flush()
        line = stdin.readline()
        if not line or line.strip() == "/quit":
            out.write("\n")
            return
        event = parse(line, numbered)
