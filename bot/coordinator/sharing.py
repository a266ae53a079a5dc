"""Deep links and QR codes that open the bot in a person's language, on the right screen."""

from __future__ import annotations

import asyncio
import difflib
from pathlib import Path

import segno
from telegram import Bot

from bot.catalogue.model import Catalogue
from bot.config import Config, ConfigError
from bot.dialogue.links import parse_payload, payload_for


def bot_username(config: Config) -> str:
    """From CTAI_BOT_USERNAME, or asked of the Bot API with the token."""
    if config.bot_username:
        return config.bot_username.lstrip("@")
    if not config.token:
        raise ConfigError("set CTAI_BOT_USERNAME (the bot's @username) or TELEGRAM_BOT_TOKEN")

    async def ask() -> str:
        async with Bot(config.token, base_url=config.api_url) as bot:
            return bot.username

    return asyncio.run(ask())


def deep_link(catalogue: Catalogue, username: str, lang: str, target: str | None = None) -> str:
    """``https://t.me/<bot>?start=<payload>``, checked to open exactly that screen."""
    payload = payload_for(lang, target)
    opened = parse_payload(payload, catalogue)
    if opened is None or (target and target not in (opened.theme, opened.action)):
        hint = suggest(catalogue, target or "")
        raise ValueError(
            f"{target!r} is neither a theme nor an action of this catalogue"
            + (f" (did you mean {hint!r}?)" if hint else "")
        )
    return f"https://t.me/{username}?start={payload}"


def suggest(catalogue: Catalogue, typed: str) -> str | None:
    """The theme or action meant: by id, or by a theme's label in any language
    ("logement" → housing)."""
    names: dict[str, str] = {t.id: t.id for t in catalogue.themes}
    names.update({a.id: a.id for a in catalogue.actions})
    for theme in catalogue.themes:
        for label in theme.label.values():
            names.setdefault(label.lower(), theme.id)
            for word in label.lower().replace(",", " ").split():
                names.setdefault(word, theme.id)
    found = difflib.get_close_matches(typed.lower(), list(names), n=1, cutoff=0.75)
    return names[found[0]] if found else None


def write_qr(link: str, path: Path) -> None:
    """A QR code as PNG or SVG, large enough to scan from a printed page."""
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError("the QR code file must end in .png or .svg")
    segno.make(link, error="m").save(str(path), scale=10, border=4)


def qr_svg(link: str) -> str:
    """An inline SVG of the QR code, for a self-contained page."""
    return segno.make(link, error="m").svg_inline(scale=8, border=2)
