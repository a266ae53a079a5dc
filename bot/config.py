"""Configuration from the environment, checked once at start with clear errors."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.matching.semantic import Semantics, default_cache_dir, default_semantics
from bot.service import Settings

DEFAULT_API_URL = "https://api.telegram.org/bot"
REPOSITORY = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _int(name: str, default: int, *, minimum: int = 1, maximum: int = 36500) -> int:
    """A whole-number setting; a value below ``minimum`` is refused, not used: a negative
    CTAI_INACTIVE_DAYS would make the daily purge delete everyone."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


def _rate(name: str, default: float) -> float:
    """Messages per second: a decimal is fine (0.5); 0 means no limit; negative is refused."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must be at least 0, got {raw}")
    return value


def _staff_chat(raw: str) -> int | None:
    """The staff group's id: negative, as every group's (-100... for a supergroup)."""
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            f"CTAI_STAFF_CHAT_ID must be a group's id (-100...), got {raw!r}"
        ) from None
    if value >= 0:
        raise ConfigError(
            f"CTAI_STAFF_CHAT_ID must be a group's id, which is negative (-100...), got {value}"
        )
    return value


def _api_url(raw: str) -> str:
    """TELEGRAM_API_URL: http(s)://host/..., ending before the token (``.../bot``)."""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"TELEGRAM_API_URL must look like {DEFAULT_API_URL} (http or https, then a host), "
            f"got {raw!r}"
        )
    return raw


def _catalogue_dir(raw: str | None) -> Path:
    path = Path(raw) if raw else REPOSITORY / "catalogue"
    if not path.is_dir():
        raise ConfigError(f"CTAI_CATALOGUE_DIR: {path} is not a folder (set it to the catalogue's)")
    return path


def _data_dir(raw: str | None) -> Path:
    """The folder for the database: it must be (or become) a folder the bot can write."""
    path = Path(raw or "data")
    existing = next(p for p in (path, *path.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise ConfigError(f"CTAI_DATA_DIR: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"CTAI_DATA_DIR: the bot cannot write in {existing}")
    return path


@dataclass(frozen=True)
class Config:
    token: str
    api_url: str
    catalogue_dir: Path
    data_dir: Path
    admin_ids: frozenset[int]
    webhook_secret: str | None
    bot_username: str | None
    inactive_days: int
    unmatched_days: int
    overall_rate: float
    staff_chat_id: int | None = None
    ticket_days: int = 30
    cache_dir: Path = field(default_factory=default_cache_dir)
    semantic: bool = True

    def semantics(self) -> Semantics | None:
        """The embedding model and its vector cache, unless turned off (CTAI_SEMANTIC=0)."""
        return default_semantics(self.cache_dir) if self.semantic else None

    @property
    def settings(self) -> Settings:
        return Settings(
            catalogue_dir=self.catalogue_dir,
            data_dir=self.data_dir,
            inactive_days=self.inactive_days,
            unmatched_days=self.unmatched_days,
            handoff=self.staff_chat_id is not None,
            ticket_days=self.ticket_days,
        )

    @property
    def file_url(self) -> str:
        """Telegram's file URL sits beside the API URL: ``.../bot`` → ``.../file/bot``."""
        base, _, tail = self.api_url.rstrip("/").rpartition("/")
        return f"{base}/file/{tail}"

    @classmethod
    def from_env(cls, *, need_token: bool = True) -> Config:
        token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        if need_token and not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather on Telegram, then: "
                "export TELEGRAM_BOT_TOKEN='123456:ABC...' (see README, 'Run the bot')."
            )
        admins = os.environ.get("CTAI_ADMIN_IDS", "")
        try:
            admin_ids = frozenset(int(x) for x in admins.replace(",", " ").split())
        except ValueError:
            raise ConfigError(f"CTAI_ADMIN_IDS must be Telegram user ids, got {admins!r}") from None
        return cls(
            token=token,
            api_url=_api_url(os.environ.get("TELEGRAM_API_URL", DEFAULT_API_URL).strip()),
            catalogue_dir=_catalogue_dir(os.environ.get("CTAI_CATALOGUE_DIR")),
            data_dir=_data_dir(os.environ.get("CTAI_DATA_DIR")),
            admin_ids=admin_ids,
            webhook_secret=os.environ.get("CTAI_WEBHOOK_SECRET") or None,
            bot_username=os.environ.get("CTAI_BOT_USERNAME") or None,
            inactive_days=_int("CTAI_INACTIVE_DAYS", 180),
            unmatched_days=_int("CTAI_UNMATCHED_DAYS", 30, minimum=0),
            overall_rate=_rate("CTAI_OVERALL_RATE", 30.0),
            staff_chat_id=_staff_chat(os.environ.get("CTAI_STAFF_CHAT_ID", "").strip()),
            ticket_days=_int("CTAI_TICKET_DAYS", 30),
            cache_dir=default_cache_dir(),
            semantic=os.environ.get("CTAI_SEMANTIC", "1").strip().lower()
            not in ("0", "off", "no", "false"),
        )
