"""Deep links and QR codes that open the bot in a person's language, on the right screen."""

from __future__ import annotations

import asyncio
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
        raise ValueError(f"{target!r} is neither a theme nor an action of this catalogue")
    return f"https://t.me/{username}?start={payload}"


def write_qr(link: str, path: Path) -> None:
    """A QR code as PNG or SVG, large enough to scan from a printed page."""
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValueError("the QR code file must end in .png or .svg")
    segno.make(link, error="m").save(str(path), scale=10, border=4)


def qr_svg(link: str) -> str:
    """An inline SVG of the QR code, for a self-contained page."""
    return segno.make(link, error="m").svg_inline(scale=8, border=2)
