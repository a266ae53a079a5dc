"""The words people read: right-to-left lines that do not scramble, emergency lines without
repetition, status buttons that fit a woman as well as a man, no emoji with two meanings."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.catalogue.loader import load_or_raise
from bot.catalogue.model import LANGUAGES
from bot.dialogue.cards import emergency_card
from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import FSI, LOCALES_DIR, PDI, I18n
from bot.dialogue.model import Press, State
from tests.conftest import SHIPPED

CATALOGUE = load_or_raise(SHIPPED)
UI = I18n(LANGUAGES)
RTL = [lang for lang in LANGUAGES if UI[lang].rtl]
COMMAND = re.compile(r"(?<![\w/<])/[a-z]+\b")

MASCULINE_ONLY = {
    "ps": ["غوښتونکی یم", "کډوال یم", "پناه غوښتونکی"],
    "ti": ["ሓታቲ ዑቕባ እየ", "ስደተኛ እየ"],
}
"""Status answers said as a man ("I am an asylum seeker", masculine noun): a woman presses
the same button, so the buttons use first-person verbs instead."""


def messages(lang: str) -> list[str]:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id]


@pytest.mark.parametrize("lang", RTL)
def test_commands_are_isolated_in_right_to_left_text(lang: str) -> None:
    s = UI[lang]
    for message in messages(lang):
        if "{" in message:
            continue
        shown = s._(message)
        for found in COMMAND.finditer(shown):
            before, after = shown[: found.start()], shown[found.end() :]
            assert before.endswith(FSI) and after.startswith(PDI), (lang, shown)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_emergency_line_says_its_number_and_purpose_once(lang: str) -> None:
    card = emergency_card(UI[lang], tuple(CATALOGUE.territory.emergency))
    lines = [line for line in card.split("\n") if line.startswith("📞")]
    assert len(lines) == len(CATALOGUE.territory.emergency)
    for line in lines:
        text = re.sub(r"<[^>]+>|[\u2068\u2069]", "", line)
        number, _, purpose = text.partition(" — ")
        assert purpose and number.split()[1] not in purpose.split(":")[0], line
        parts = [p.strip() for p in re.split(r"[:(]", purpose) if p.strip()]
        assert len(parts) == len(set(parts)), f"repeated: {line}"


@pytest.mark.parametrize("lang", sorted(MASCULINE_ONLY))
def test_status_buttons_fit_women_and_men(lang: str) -> None:
    dialogue = Dialogue(CATALOGUE, UI)
    question = dialogue.handle(Press("S:housing"), State(lang=lang)).replies[0]
    labels = " ".join(b.label for row in question.buttons for b in row)
    for masculine in MASCULINE_ONLY[lang]:
        assert masculine not in labels


def test_the_menu_button_does_not_share_an_emoji_with_a_theme() -> None:
    dialogue = Dialogue(CATALOGUE, UI)
    for lang in LANGUAGES:
        menu = dialogue.handle(Press("M"), State(lang=lang)).replies[0]
        back = dialogue.handle(Press("t:health"), State(lang=lang, audience="bpi")).replies[0]
        menu_label = next(b.label for row in back.buttons for b in row if b.data == "M")
        theme_emoji = {b.label.split()[0] for row in menu.buttons for b in row if b.data[0] == "t"}
        assert menu_label.split()[0] not in theme_emoji
        assert all(len(b.label.split()) > 1 for row in back.buttons for b in row), "words"


@pytest.mark.parametrize("lang", ["ar", "fa", "ps"])
def test_lists_use_the_arabic_comma_in_arabic_script(lang: str) -> None:
    dialogue = Dialogue(CATALOGUE, UI)
    card = dialogue.handle(Press("a:emergency-shelter-115"), State(lang=lang)).replies[0].text
    how = next(line for line in card.split("\n") if line.startswith("🚪"))
    assert "، " in how and ", " not in how


@pytest.mark.parametrize(("lang", "town"), [("ar", "بواتييه"), ("ru", "Пуатье"), ("fr", None)])
def test_the_town_is_written_in_the_readers_script_with_its_name(lang, town) -> None:
    dialogue = Dialogue(CATALOGUE, UI)
    welcome = dialogue.handle(Press(f"l:{lang}"), State()).replies[0].text
    if town:
        assert f"{town} (Poitiers)" in welcome
    else:
        assert "Poitiers" in welcome and "(Poitiers)" not in welcome
