"""The language of a message is told offline, script first."""

import pytest

from bot.matching.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("je cherche un appartement", "fr"),
        ("I am looking for a job", "en"),
        ("أبحث عن عمل في المدينة", "ar"),
        ("من دنبال کار هستم", "fa"),
        ("زه د کار په لټه کې یم", "ps"),
        ("ስራ ይደሊ ኣለኹ", "ti"),
        ("waxaan raadinayaa shaqo", "so"),
        ("я ищу работу", "ru"),
        ("я шукаю роботу", "uk"),
        ("iş arıyorum", "tr"),
    ],
)
def test_each_language_is_recognised(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "12345", "🙂🙂", "\u200b"])
def test_nothing_to_tell_gives_none(text: str) -> None:
    assert detect_language(text) is None
