"""What is removed from a message before it is kept for the coordinator: the words stay,
the ways to reach or identify someone go."""

from __future__ import annotations

import re

MAX_KEPT_CHARS = 300
"""Enough for the words that were not understood; a life story is not archived."""
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d .\-/()]{6,}\d")
"""Eight or more digits, with the spaces, dots and dashes people put in phone numbers."""
NUMBER = re.compile(r"\d{5,}")
"""A file number, a card number, an account: five digits or more."""


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub("[phone]", text)
    text = NUMBER.sub("[number]", text)
    return text if len(text) <= MAX_KEPT_CHARS else text[: MAX_KEPT_CHARS - 1] + "…"
