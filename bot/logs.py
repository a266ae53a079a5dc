"""Logging that cannot leak a person or the token.

Libraries log what they hold: python-telegram-bot writes a whole update it cannot parse, or a
truncated response body, with names, ids and message text; HTTP clients write request URLs,
which carry the token. So every line goes through one filter: a library's line keeps its template
(the constant text the library wrote, e.g. 'Can not load invalid JSON data: "%s"') without
the values; our own lines are kept; in every line the token is replaced and long runs of
digits (Telegram ids, phone numbers) are masked; an exception keeps its type and traceback
frames, never its message.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback

OURS = "bot"
DIGITS = re.compile(r"(?<![#\d])\d{6,}")
"""Telegram ids are 6 to 13 digits; dates and durations in our lines are shorter, and an
update's number, which says nothing about anyone, is written #123456789."""
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redact(logging.Filter):
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return DIGITS.sub("<number>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == OURS or record.name.startswith(OURS + ".")
        template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
        template = template.split("\n")[0]  # asyncio builds reprs (with values) into its lines
        message = record.getMessage() if ours else f"{template} (values withheld)"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            frames = "".join(traceback.format_tb(error.__traceback__))
            message += f"\n{frames}{type(error).__module__}.{type(error).__qualname__}"
            message += " (message withheld)"
        record.msg, record.args = self.scrub(str(message)), ()
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def configure(level: int = logging.INFO, secrets: tuple[str, ...] = ()) -> None:
    """One handler on stderr, every record from every logger redacted. ``secrets``: the
    token, and its part after ':' (the part that is secret)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    parts = tuple(p for s in secrets for p in (s, s.partition(":")[2]) if p)
    handler.addFilter(Redact(parts))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
