"""The conversation itself, channel-agnostic: every screen, every language, every button."""

from __future__ import annotations

import datetime as dt
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.catalogue.loader import load_or_raise
from bot.catalogue.model import LANGUAGES, THEME_IDS
from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import FSI, PDI, I18n
from bot.dialogue.links import parse_payload, payload_for
from bot.dialogue.model import Press, Reply, Start, State, Text
from bot.limits import MAX_CALLBACK_BYTES, MAX_MESSAGE_CHARS
from tests.conftest import SHIPPED, TESTVILLE

ALLOWED_TAGS = {"b", "i"}
MONDAY_10 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # 10:00 in Poitiers


class StrictHTML(HTMLParser):
    """Telegram accepts only a few tags, properly nested; '<' and '&' must be escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> not allowed"
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing"

    def handle_entityref(self, name):
        assert name in {"lt", "gt", "amp", "quot"}, f"&{name}; is not a Telegram entity"


def assert_valid(reply: Reply) -> None:
    parser = StrictHTML()
    parser.feed(reply.text)
    parser.close()
    assert not parser.open, f"unclosed tags in {reply.text!r}"
    for row in reply.buttons:
        for button in row:
            assert button.data is None or len(button.data.encode()) <= MAX_CALLBACK_BYTES
            assert button.label.strip()


@pytest.fixture(scope="module")
def dialogue() -> Dialogue:
    catalogue = load_or_raise(SHIPPED)
    return Dialogue(catalogue, I18n(catalogue.territory.languages))


def crawl(dialogue: Dialogue, lang: str, audience: str | None) -> dict[str, tuple[Reply, ...]]:
    """Every screen reachable by pressing buttons, from the menu, for one person."""
    state = State(lang=lang, audience=audience)
    seen: dict[str, tuple[Reply, ...]] = {}
    todo = ["M"]
    while todo:
        data = todo.pop()
        if data in seen:
            continue
        turn = dialogue.handle(Press(data), state, now=MONDAY_10)
        seen[data] = turn.replies
        todo += [b.data for r in turn.replies for row in r.buttons for b in row if b.data]
    return seen


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_screen_is_valid_and_has_a_way_to_the_menu_and_emergency(dialogue, lang) -> None:
    for audience in (None, "bpi", "primo-arrivant", "unknown", "asylum"):
        screens = crawl(dialogue, lang, audience)
        assert len(screens) > 20
        for data, replies in screens.items():
            exits = {b.data for r in replies for row in r.buttons for b in row}
            if data != "E":
                assert "E" in exits, f"{data}: no emergency button"
            is_menu = {f"t:{theme}" for theme in THEME_IDS} <= exits
            assert "M" in exits or is_menu, f"{data}: no way to the menu"
            for reply in replies:
                assert_valid(reply)
                assert len(reply.text) <= MAX_MESSAGE_CHARS


def test_the_language_picker_shows_each_language_in_its_own_script(dialogue) -> None:
    turn = dialogue.handle(Start(), State())
    labels = [b.label for row in turn.replies[0].buttons for b in row]
    for name in ("العربية", "دری / فارسی", "پښتو", "ትግርኛ", "Soomaali", "Русский", "Українська",
                 "Türkçe", "English", "Français"):  # fmt: skip
        assert name in labels
    assert not any("\U0001f1e6" <= ch <= "\U0001f1ff" for label in labels for ch in label), (
        "no flags"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("theme", THEME_IDS)
def test_a_deep_link_opens_that_language_on_that_theme(dialogue, lang, theme) -> None:
    payload = payload_for(lang, theme)
    turn = dialogue.handle(Start(payload), State(), client_lang="en")
    assert turn.state.lang == lang and turn.state.theme == theme
    label = dialogue.catalogue.themes_by_id[theme].label[lang]
    shown = "\n".join(r.text for r in turn.replies) + str(turn.replies[-1].buttons)
    assert label in shown or any(
        b.data and b.data.startswith("q:") and b.data.endswith(theme)
        for row in turn.replies[-1].buttons
        for b in row
    )


def test_a_deep_link_to_an_action_opens_its_card(dialogue) -> None:
    turn = dialogue.handle(Start("uk_tdm-access-to-rights"), State())
    assert (
        dialogue.catalogue.actions_by_id["tdm-access-to-rights"].title["uk"]
        in turn.replies[-1].text
    )


@pytest.mark.parametrize(
    "payload", ["", "xx", "fa_nothing", "fa_housing_extra", "a" * 65, "fa housing", "fa_<b>", "ف"]
)
def test_an_unknown_or_malformed_payload_falls_back_to_the_normal_start(dialogue, payload) -> None:
    assert parse_payload(payload, dialogue.catalogue) is None
    turn = dialogue.handle(Start(payload), State())
    assert "l:fa" in str(turn.replies[0].buttons), "the language picker"


def test_numbers_and_latin_names_are_isolated_in_right_to_left_text(dialogue) -> None:
    for lang in ("ar", "fa", "ps"):
        card = dialogue.handle(Press("a:tdm-access-to-rights"), State(lang=lang), now=MONDAY_10)
        text = card.replies[0].text
        assert f"{FSI}Le Toit du Monde{PDI}" in text
        assert f"{FSI}31 rue des Trois-Rois, 86000 Poitiers{PDI}" in text
    french = dialogue.handle(Press("a:tdm-access-to-rights"), State(lang="fr"), now=MONDAY_10)
    assert FSI not in french.replies[0].text


def test_a_card_says_whether_the_place_is_open_now_in_local_time(dialogue) -> None:
    s = dialogue.i18n["en"]
    open_card = dialogue.handle(Press("a:tdm-access-to-rights"), State(lang="en"), now=MONDAY_10)
    assert s._("open now") in open_card.replies[0].text
    sunday = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
    closed = dialogue.handle(Press("a:tdm-access-to-rights"), State(lang="en"), now=sunday)
    assert s._("closed now") in closed.replies[0].text


def test_an_unverified_card_says_so(dialogue) -> None:
    card = dialogue.handle(Press("a:tdm-access-to-rights"), State(lang="en"), now=MONDAY_10)
    assert "⚠️" in card.replies[0].text


def test_catalogue_html_is_shown_as_text(tmp_path: Path) -> None:
    target = tmp_path / "catalogue"
    shutil.copytree(TESTVILLE, target)
    actions = target / "actions.yaml"
    actions.write_text(
        actions.read_text().replace("Colocations", "<script>Colocations</script> & *bold*")
    )
    catalogue = load_or_raise(target)
    dialogue = Dialogue(catalogue, I18n(catalogue.territory.languages))
    card = dialogue.handle(Press("a:shared-flats"), State(lang="fr"), now=MONDAY_10).replies[0]
    assert "&lt;script&gt;Colocations&lt;/script&gt; &amp; *bold*" in card.text
    assert_valid(card)


def test_free_text_in_another_language_offers_a_switch(dialogue) -> None:
    turn = dialogue.handle(Text("я ищу квартиру для семьи"), State(lang="fr"), now=MONDAY_10)
    offers = [b for r in turn.replies for row in r.buttons for b in row if b.data == "l:ru"]
    assert offers and "Русский" in offers[0].label


def test_the_audience_answer_is_asked_then_remembered(dialogue) -> None:
    first = dialogue.handle(Press("t:language"), State(lang="en"))
    assert any(b.data == "q:p:language" for row in first.replies[0].buttons for b in row)
    answered = dialogue.handle(Press("q:p:language"), first.state)
    assert answered.state.audience == "primo-arrivant"
    again = dialogue.handle(Press("t:language"), answered.state)
    assert not any((b.data or "").startswith("q:") for row in again.replies[0].buttons for b in row)
