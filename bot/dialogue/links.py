"""Button data and deep-link payloads: short, checked, and never trusted.

Callback data comes back from the person's phone and may be stale (an old catalogue) or
forged; a start payload comes from a link anyone can write. Both are parsed strictly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.catalogue.model import Catalogue
from bot.limits import MAX_CALLBACK_BYTES, MAX_START_PAYLOAD

PAYLOAD = re.compile(rf"^[A-Za-z0-9_-]{{1,{MAX_START_PAYLOAD}}}$")
AUDIENCE_CODES = {"b": "bpi", "p": "primo-arrivant", "u": "unknown", "s": "asylum"}


@dataclass(frozen=True)
class Target:
    """What a link or a button opens: a language, and maybe a theme or an action."""

    lang: str | None = None
    theme: str | None = None
    action: str | None = None


def payload_for(lang: str, target: str | None = None) -> str:
    """``fa``, ``fa_housing``, ``fa_tdm-access-to-rights``: what a social worker's link carries."""
    payload = f"{lang}_{target}" if target else lang
    if not PAYLOAD.match(payload):
        raise ValueError(f"{payload!r} is not a valid start payload (64 characters A-Za-z0-9_-)")
    return payload


def parse_payload(payload: str, catalogue: Catalogue) -> Target | None:
    """The screen a start payload asks for, or None when it is unknown or malformed."""
    if not PAYLOAD.match(payload):
        return None
    lang, _, rest = payload.partition("_")
    if lang not in catalogue.territory.languages:
        return None
    if not rest:
        return Target(lang=lang)
    if rest in catalogue.themes_by_id:
        return Target(lang=lang, theme=rest)
    if rest in catalogue.actions_by_id:
        return Target(lang=lang, action=rest)
    return None


def data(*parts: str) -> str:
    """Callback data for a button; refuses anything Telegram would reject."""
    encoded = ":".join(parts)
    if len(encoded.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {encoded!r}")
    return encoded
