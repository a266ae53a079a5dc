"""Limits that come from Telegram, in one place (https://core.telegram.org/bots/api)."""

MAX_MESSAGE_CHARS = 4096
"""sendMessage: "Text of the message to be sent, 1-4096 characters after entities parsing"."""
MAX_CALLBACK_BYTES = 64
"""InlineKeyboardButton.callback_data: "Data to be sent in a callback query, 1-64 bytes"."""
MAX_START_PAYLOAD = 64
"""Deep linking: "up to 64 characters ... A-Z, a-z, 0-9, _ and -" (features#deep-linking)."""
