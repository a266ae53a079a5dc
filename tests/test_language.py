"""The language of a message is told offline, script first."""

import pytest

from bot.matching.language import detect_language, romanised
from bot.matching.transliterate import to_cyrillic


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


@pytest.mark.parametrize(
    ("text", "lang"),
    [("مكتب دخترم كجاست", "fa"), ("مكتب دخترم كجاست؟", "fa"), ("كلاس زبان فرانسه كجاست", "fa"),
     ("من دنبال كار هستم", "fa"), ("دكتر ميخوام", "fa"),
     ("وين المكتب", "ar"), ("كيف اسجل ابني بالمدرسة", "ar"), ("بدي شغل", "ar"),
     ("بدي اتعلم لغه فرانسه", "ar"), ("عندي موعد هست بالبلدية", "ar")],
)  # fmt: skip
def test_persian_typed_on_an_arabic_keyboard_is_persian(text: str, lang: str) -> None:
    """Without پ چ ژ گ ی (an Arabic keyboard types ي and ك), "where is my daughter's
    school" was Arabic, and "مكتب" read as an Arabic office: its Persian words tell it,
    unless an everyday Arabic word says they are borrowed ("بدي اتعلم لغه فرانسه")."""
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "12345", "🙂🙂", "\u200b"])
def test_nothing_to_tell_gives_none(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("abghi ta3allam faransi", "ar"),
        ("wach kayn chi 5dma f poitiers", "ar"),
        ("man donbale kar hastam", "fa"),
        ("hakim delye", "ti"),
        ("kak poluchit vid na zhitelstvo", "ru"),
        ("de mozhna vyvchyty frantsuzku", "uk"),
        ("Hoy ma haysto caawa", "so"),
        ("yardim lazim is ariyorum", "tr"),
    ],
)
def test_latin_script_writing_is_told_by_its_words(text: str, lang: str) -> None:
    """Arabizi is never taken for Turkish, nor romanised Russian for English."""
    assert detect_language(text) == lang


def test_romanised_russian_is_read_back_in_cyrillic() -> None:
    assert to_cyrillic("mne nuzhen vrach", "ru") == "мне нужен врач"
    assert to_cyrillic("yak otrymaty", "uk") == "як отримати"
    assert to_cyrillic("у меня встреча в Coallia", "ru") is None, "names in Cyrillic text stay"
    assert to_cyrillic("abghi ta3allam", "ar") is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [("bghit nt3alem lfransawiya", "ar", True), ("salam man donbale khoone hastam", "fa", True),
     ("franseyna kimhar delye", "ti", True), ("بدي اتعلم فرنساوي", "ar", False),
     ("ፈረንሳይኛ ክመሃር ደልየ", "ti", False), ("mne nuzhen vrach", "ru", False),
     ("I need a doctor", "en", False)],
)  # fmt: skip
def test_romanised_writing_is_known_for_the_stricter_meaning(text, lang, expected) -> None:
    """Arabizi and Finglish read close to every Latin-letter text: the engine asks more of the
    meaning before routing them (romanised Russian is read back in Cyrillic instead)."""
    assert romanised(text, lang) is expected
