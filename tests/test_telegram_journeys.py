"""People's journeys through the real Telegram bot, over HTTP, against a fake Bot API.

Each test reads like the person's story and asserts on what they see.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.catalogue.loader import load_or_raise
from bot.dialogue.i18n import I18n
from bot.sending import split_message
from tests.conftest import SHIPPED, TESTVILLE
from tests.harness import running_bot

DARI, PASHTO, ARAB, RUSSIAN, TURK, SOMALI, FRENCH = 101, 102, 103, 104, 105, 106, 107
POITIERS = load_or_raise(SHIPPED)
UI = I18n(POITIERS.territory.languages)


def ui(lang: str, message: str, **values) -> str:
    """What the bot says in that language, as plain text (no HTML)."""
    return UI[lang]._(message, **values).replace("<b>", "").replace("</b>", "")


@pytest.fixture
def poitiers_with_map(tmp_path: Path) -> Path:
    """The shipped catalogue, with coordinates given to Coallia for the map journey."""
    target = tmp_path / "catalogue"
    shutil.copytree(SHIPPED, target)
    operators = target / "operators.yaml"
    operators.write_text(
        operators.read_text(encoding="utf-8").replace(
            "  - id: coallia\n",
            "  - id: coallia\n    coordinates: {lat: 46.58, lon: 0.34}\n"
            "    address: {street: 1 rue du Test, postcode: '86000', city: Poitiers}\n",
        ),
        encoding="utf-8",
    )
    return target


async def test_a_dari_speaker_asks_for_a_shared_flat_and_reaches_the_map(
    poitiers_with_map, tmp_path
) -> None:
    async with running_bot(poitiers_with_map, tmp_path / "data") as bot:
        bot.api.send_text(DARI, "/start", language_code="fa")
        await bot.api.wait_sent(DARI, count=2)
        [question] = await bot.replies_to(
            DARI, lambda: bot.api.send_text(DARI, "دنبال خانه مشترک هستم")
        )
        assert question["text"].startswith(
            ui("fa", "One question, so I show what fits you:\nWhat is your situation in France?")
        )
        [answer] = await bot.press(DARI, "🛡", question)  # refugee status: the CPH's flats
        title = POITIERS.actions_by_id["bpi-shared-housing-employment"].title["fa"]
        assert title in answer["text"]
        assert "Coallia" in answer["text"]
        places = await bot.press(DARI, "📍", answer)
        assert places[0]["venue"]["title"] == "Coallia"
        assert places[0]["venue"]["location"]["latitude"] == pytest.approx(46.58)


async def test_a_deep_link_opens_pashto_on_the_language_theme(tmp_path) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        sent = await bot.replies_to(
            PASHTO, lambda: bot.api.send_text(PASHTO, "/start ps_language", language_code="en"), 2
        )
        welcome = bot.service.dialogue.welcome(UI["ps"]).text
        assert sent[0]["text"].split("\n")[0] == welcome.split("\n")[0]
        question = sent[1]
        assert ui("ps", "🤷 I don't know") in [label for label, _ in bot.buttons(question)]
        listing = await bot.press(PASHTO, ui("ps", "🤷 I don't know"), question)
        assert POITIERS.themes_by_id["language"].label["ps"] in listing[0]["text"]
        assert (
            POITIERS.actions_by_id["tdm-language-employment-women"].title["ps"]
            in listing[0]["text"]
        )


async def test_an_arabic_speaker_in_danger_sees_the_emergency_numbers_first(tmp_path) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(ARAB, "/start", language_code="ar")
        await bot.api.wait_sent(ARAB, count=2)
        [first, *_] = await bot.replies_to(ARAB, lambda: bot.api.send_text(ARAB, "أريد أن أنتحر"))
        assert "3114" in first["text"].split("\n")[1]
        assert "\u2068" in first["text"], "numbers are isolated inside right-to-left text"


async def test_a_voice_message_gets_a_kind_answer_and_the_menu(tmp_path) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(RUSSIAN, "/start", language_code="ru")
        await bot.api.wait_sent(RUSSIAN, count=2)
        [answer] = await bot.replies_to(RUSSIAN, lambda: bot.api.send_voice(RUSSIAN))
        assert answer["text"] == ui(
            "ru",
            "🎤 I can't listen to voice messages yet. Please tap a button or write a few words.",
        )
        labels = [label for label, _ in bot.buttons(answer)]
        assert any(POITIERS.themes_by_id["housing"].label["ru"] in label for label in labels)


async def test_in_a_group_the_bot_only_invites_to_a_private_chat(tmp_path) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        group = -5001
        bot.api.send_text(TURK, "merhaba ev arıyorum", chat_type="group", chat_id=group)
        bot.api.send_text(TURK, "/start", chat_type="group", chat_id=group)
        await bot.api.wait_sent(group, count=2)
        assert all("🔒" in m["text"] for m in bot.api.sent(group))
        assert bot.api.sent(TURK) == []


async def test_forget_deletes_everything_stored_about_the_person(tmp_path) -> None:
    data = tmp_path / "data"
    async with running_bot(SHIPPED, data) as bot:
        bot.api.send_text(FRENCH, "/start", language_code="fr")
        await bot.api.wait_sent(FRENCH, count=2)
        person = bot.service.store.person(FRENCH)
        database = data / "ctai-bot.sqlite3"
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT lang FROM people WHERE person = ?", (person,)).fetchall() == [
                ("fr",)
            ]
        [answer] = await bot.replies_to(FRENCH, lambda: bot.api.send_text(FRENCH, "/forget"))
        assert answer["text"].startswith("🗑")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT * FROM people").fetchall() == []


@pytest.mark.parametrize(
    "forged", ["a:no-such-action", "t:../../etc", "q:x:housing", "l:xx", "<b>", "a:" + "x" * 62]
)
async def test_a_forged_or_stale_button_is_refused_with_the_menu(tmp_path, forged) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(SOMALI, "/start", language_code="so")
        await bot.api.wait_sent(SOMALI, count=2)
        [answer] = await bot.replies_to(
            SOMALI, lambda: bot.api.press_button(SOMALI, forged, strict=False)
        )
        assert answer["text"].startswith("⌛")
        assert len(bot.buttons(answer)) >= 9


async def test_a_russian_speaker_answers_the_status_question_once(tmp_path) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(RUSSIAN, "/start", language_code="ru")
        _, menu = await bot.api.wait_sent(RUSSIAN, count=2)
        question = (await bot.press(RUSSIAN, POITIERS.themes_by_id["language"].label["ru"], menu))[
            0
        ]
        listing = (await bot.press(RUSSIAN, "🪪", question))[0]
        assert POITIERS.actions_by_id["tdm-sociolinguistic-qpv"].title["ru"] in listing["text"]
        assert (
            POITIERS.actions_by_id["bpi-language-employment-workshops"].title["ru"]
            not in listing["text"]
        )
        [again] = await bot.replies_to(RUSSIAN, lambda: bot.api.send_text(RUSSIAN, "/menu"))
        second = (await bot.press(RUSSIAN, POITIERS.themes_by_id["housing"].label["ru"], again))[0]
        assert "🪪" not in " ".join(label for label, _ in bot.buttons(second)), "asked only once"


async def test_a_turkish_typo_reaches_a_card_with_back_menu_and_emergency(tmp_path) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(TURK, "/start", language_code="tr")
        await bot.api.wait_sent(TURK, count=2)
        [card] = await bot.replies_to(
            TURK, lambda: bot.api.send_text(TURK, "fransizca kursu ariyorum")
        )
        assert "🏢" in card["text"]
        labels = [label for label, _ in bot.buttons(card)]
        assert any(label.startswith("⬅️") for label in labels)
        assert any(label.startswith("📋") for label in labels)
        assert any(label.startswith("🆘") for label in labels)


async def test_a_shared_location_lists_the_nearest_places_with_distance(tmp_path) -> None:
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        bot.api.send_text(FRENCH, "/start", language_code="fr")
        await bot.api.wait_sent(FRENCH, count=2)
        [answer] = await bot.replies_to(FRENCH, lambda: bot.api.send_location(FRENCH, 45.19, 4.73))
        assert "Maison des Langues de Testville" in answer["text"]
        assert "km" in answer["text"]
        first = answer["text"].index("Maison des Langues")
        assert first < answer["text"].index("Toit Commun"), "nearest first"


async def test_the_bot_sets_its_commands_and_descriptions_in_every_language(tmp_path) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        for lang in POITIERS.territory.languages:
            code = "" if lang == "fr" else lang
            commands = [c["command"] for c in bot.api.my_commands(code)]
            assert commands == [
                "start",
                "menu",
                "language",
                "status",
                "help",
                "emergency",
                "privacy",
                "forget",
            ]
            assert bot.api.description(code)
            assert bot.api.description(code, short=True)


def test_a_long_message_is_split_at_line_ends_under_telegrams_limit() -> None:
    text = "\n".join(f"ligne {i} " + "x" * 90 for i in range(120))
    pieces = split_message(text)
    assert len(pieces) > 1 and all(len(piece) <= 4096 for piece in pieces)
    assert "\n".join(pieces) == text
    assert all(piece.startswith("ligne") for piece in pieces)


async def test_a_family_in_a_car_tonight_sees_115_then_a_bed_tonight_then_housing(
    tmp_path,
) -> None:
    """The 115 names the shelter service for afterwards ("then"): its card follows the
    numbers, and the longer-term housing service is one tap away."""
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(FRENCH, "/start", language_code="en")
        await bot.api.wait_sent(FRENCH, count=2)
        text = "no room anywhere, me and the kids are in the car tonight"
        first, card = await bot.replies_to(FRENCH, lambda: bot.api.send_text(FRENCH, text), count=2)
        assert "115" in first["text"].split("\n")[1], "the shelter number comes first"
        shelter = POITIERS.actions_by_id["emergency-shelter-115"].title["en"]
        assert card["text"].startswith(f"<b>{shelter}</b>"), card["text"]
        buttons = [data for _, data in bot.buttons(card)]
        assert "a:bpi-shared-housing-employment" in buttons, "housing is one tap away"


async def test_a_russian_speaker_asks_where_coallia_is_and_gets_a_place_to_ask(tmp_path) -> None:
    """Coallia has no known address: the bot says so first, and gives a real next step."""
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(RUSSIAN, "/start", language_code="ru")
        await bot.api.wait_sent(RUSSIAN, count=2)
        [card] = await bot.replies_to(RUSSIAN, lambda: bot.api.send_text(RUSSIAN, "Коаллиа адрес"))
        lines = card["text"].split("\n")
        assert "Coallia" in lines[0]
        assert lines[1] == ui("ru", "📍 The address is not known yet.")
        ask = POITIERS.themes_by_id["housing"].where_to_ask
        street = POITIERS.operators[POITIERS.actions_by_id[ask].operators[0]].address.street
        assert f"📍 {street}" in card["text"], "a real place to ask, not 'call' without a number"
        buttons = [data for _, data in bot.buttons(card)]
        assert "a:bpi-shared-housing-employment" in buttons


async def test_a_french_speaker_asks_the_price_of_a_travel_document_and_sees_it_first(
    tmp_path,
) -> None:
    async with running_bot(SHIPPED, tmp_path / "data") as bot:
        bot.api.send_text(FRENCH, "/start", language_code="fr")
        await bot.api.wait_sent(FRENCH, count=2)
        text = "combien coute le titre de voyage pour refugié ?"
        [question] = await bot.replies_to(FRENCH, lambda: bot.api.send_text(FRENCH, text))
        [card] = await bot.press(FRENCH, "🛡", question)  # the answer still comes first
        lines = card["text"].split("\n")
        assert lines[1].startswith("💶") and "45" in lines[1]
