"""'Talk to a person' (issue 13): a person's question reaches the staff group as a numbered
ticket, the team's replies come back, and nobody's identity crosses over."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import time

import pytest

import bot.staff
from bot.dialogue import handoff
from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import I18n, language_name
from tests.conftest import SHIPPED, TESTVILLE
from tests.fakebotapi import FakeBotAPI
from tests.harness import TOKEN, RunningBot, running_bot, serving

STAFF, MARIE, OUTSIDER_GROUP = -1001234567890, 800, -1009999
TEAM_FR = "👤 Équipe CTAI\u00a0:"
LANGUAGES = ("fr", "en", "ar", "fa", "ps", "ti", "so", "ru", "uk", "tr")


def staff_texts(bot: RunningBot) -> list[str]:
    return [m["text"] for m in bot.api.sent(STAFF) if m.get("text")]


async def join_staff(bot: RunningBot) -> None:
    """Marie, of the team, asks for the open tickets: the group is known from then on."""
    bot.api.send_text(MARIE, "/tickets", chat_type="supergroup", chat_id=STAFF)
    await bot.api.wait_sent(STAFF, count=1)


async def open_ticket(bot: RunningBot, person: int, lang: str = "fr") -> None:
    bot.api.send_text(person, "/start", language_code=lang)
    await bot.api.wait_sent(person, count=2)
    staff_before = len(bot.api.sent(STAFF))
    [consent] = await bot.replies_to(person, lambda: bot.api.press_button(person, "H"))
    assert consent["text"].startswith("👤")
    await bot.replies_to(person, lambda: bot.api.press_button(person, "H:yes"))
    await bot.api.wait_sent(STAFF, count=staff_before + 1)


async def staff_reply(
    bot: RunningBot, to: dict, text: str, *, chat: int = STAFF, is_bot=False
) -> None:
    """Marie answers with Telegram's Reply on a message of the staff group, once the bot has
    recorded which ticket that message belongs to (a person takes longer than a test)."""
    await bot.api.wait_for(lambda: bot.service.store.next_for_staff() is None, 10)
    staff_reply.next_id += 1
    bot.api.send_raw(
        {
            "message": {
                "message_id": staff_reply.next_id,
                "date": int(time.time()),
                "chat": {"id": chat, "type": "supergroup", "title": "Équipe CTAI"},
                "from": {"id": MARIE, "is_bot": is_bot, "first_name": "Marie"},
                "text": text,
                "reply_to_message": to["message"],
            }
        }
    )


staff_reply.next_id = 50_000


async def test_a_question_reaches_the_team_and_the_answers_come_back_in_order(tmp_path) -> None:
    person = 5001
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        assert staff_texts(bot)[0] == "Aucune demande ouverte."
        bot.api.send_text(person, "/start", language_code="fr")
        [_, menu] = await bot.api.wait_sent(person, count=2)
        assert ("👤 Parler à une personne", "H") in bot.buttons(menu)
        [consent] = await bot.replies_to(person, lambda: bot.api.press_button(person, "H"))
        assert "pas votre nom" in consent["text"].lower(), (
            "what the team sees, before anything is sent"
        )
        assert len(bot.api.sent(STAFF)) == 1, "nothing is sent before the person says yes"
        await bot.replies_to(person, lambda: bot.api.press_button(person, "H:yes"))
        header = (await bot.api.wait_sent(STAFF, count=2))[-1]
        assert header["text"].startswith("🆕 #1 · Français")

        [ack] = await bot.replies_to(
            person, lambda: bot.api.send_text(person, "Bonjour, je cherche une colocation")
        )
        assert ack["text"].startswith("✉️")
        relayed = (await bot.api.wait_sent(STAFF, count=3))[-1]
        assert "Bonjour, je cherche une colocation" in relayed["text"]
        assert "🤖" in relayed["text"] and "colocation" in relayed["text"]

        await staff_reply(bot, relayed, "Bonjour ! Venez mardi à 10 h.")
        await staff_reply(bot, relayed, "Apportez votre titre de séjour.")
        answers = (await bot.api.wait_sent(person, count=7))[-2:]
        assert answers[0]["text"] == f"{TEAM_FR}\nBonjour ! Venez mardi à 10 h."
        assert answers[1]["text"].endswith("Apportez votre titre de séjour."), "in order"

        await bot.replies_to(person, lambda: bot.api.press_button(person, "H:end"))
        closed = (await bot.api.wait_sent(STAFF, count=4))[-1]
        assert "clos par la personne" in closed["text"]
        [after] = await bot.replies_to(person, lambda: bot.api.send_text(person, "colocation"))
        assert "Colocations" in after["text"], "after the end, the bot answers again"
        for message in bot.api.sent(STAFF):
            for secret in (str(person), "Test", f"User{person}", f"user{person}"):
                assert secret not in message["text"], "staff never see who the person is"


async def test_only_the_staff_group_can_answer(tmp_path) -> None:
    person = 5002
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        await open_ticket(bot, person)
        header = bot.api.sent(STAFF)[-1]
        await staff_reply(bot, header, "I am not staff", chat=OUTSIDER_GROUP)
        await staff_reply(bot, header, "I am a bot", is_bot=True)
        bot.api.send_text(person, "/help")  # a marker: everything before it was handled
        await bot.api.wait_sent(person, count=5)
        await asyncio.sleep(0.3)
        assert not [t for t in bot.texts(person) if "not staff" in t or "a bot" in t]
        await staff_reply(bot, header, "Je suis de l'équipe")
        answer = (await bot.api.wait_sent(person, count=6))[-1]
        assert answer["text"].endswith("Je suis de l'équipe")


async def test_the_team_closes_and_lists_open_tickets_oldest_first(tmp_path) -> None:
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        for person in (5010, 5011):
            await open_ticket(bot, person)
        bot.api.send_text(MARIE, "/tickets", chat_type="supergroup", chat_id=STAFF)
        listing = (await bot.api.wait_sent(STAFF, count=4))[-1]["text"]
        assert listing.index("#1 ") < listing.index("#2 ") and "sans réponse" in listing
        header = next(m for m in bot.api.sent(STAFF) if m["text"].startswith("🆕 #1"))
        bot.api.press_button(MARIE, "K:close:1", chat_id=STAFF, message_id=header["message_id"])
        told = (await bot.api.wait_sent(5010, count=5))[-1]
        assert "L'équipe a terminé la conversation" in told["text"]
        await bot.api.wait_for(lambda: any("clos par" in t for t in staff_texts(bot)))
        await staff_reply(bot, header, "encore un mot")
        await bot.api.wait_for(lambda: any("est clos" in t for t in staff_texts(bot)))
        assert len(bot.api.sent(5010)) == 5, "nothing reaches a closed ticket's person"


async def test_a_restart_mid_conversation_loses_nothing(tmp_path) -> None:
    person, data = 5020, tmp_path / "data"
    with FakeBotAPI(token=TOKEN) as api:
        async with serving(api, TESTVILLE, data, staff_chat_id=STAFF) as bot:
            await join_staff(bot)
            await open_ticket(bot, person)
            await bot.replies_to(person, lambda: api.send_text(person, "ma question"))
            relayed = (await api.wait_sent(STAFF, count=3))[-1]
        async with serving(api, TESTVILLE, data, staff_chat_id=STAFF) as bot:
            await staff_reply(bot, relayed, "la réponse après le redémarrage")
            answer = (await api.wait_sent(person, count=6))[-1]
            assert answer["text"].endswith("la réponse après le redémarrage")
            [ack] = await bot.replies_to(person, lambda: api.send_text(person, "merci"))
            assert ack["text"].startswith("✉️"), "still talking to the team"
            await api.wait_sent(STAFF, count=4)
        assert len([t for t in [m["text"] for m in api.sent(person)] if "redémarrage" in t]) == 1


async def test_forget_deletes_every_ticket_row_and_tells_the_team(tmp_path) -> None:
    person = 5030
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        await open_ticket(bot, person)
        await bot.replies_to(person, lambda: bot.api.send_text(person, "zorglub question"))
        await bot.api.wait_sent(STAFF, count=3)
        code = bot.service.store.person(person)
        await bot.replies_to(person, lambda: bot.api.send_text(person, "/forget"))
        withdrawn = (await bot.api.wait_sent(STAFF, count=4))[-1]
        assert withdrawn["text"].startswith("🗑 #1 retiré")
        with sqlite3.connect(tmp_path / "data" / "ctai-bot.sqlite3") as db:
            assert db.execute("SELECT COUNT(*) FROM tickets").fetchone() == (0,)
            assert db.execute("SELECT COUNT(*) FROM ticket_messages").fetchone() == (0,)
            dump = "\n".join(db.iterdump())
        assert code not in dump and "zorglub question" not in dump


async def test_fifty_people_get_their_own_answers(tmp_path) -> None:
    people = range(6000, 6050)
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        for person in people:
            bot.api.send_text(person, "/start", language_code="fr")
        await bot.api.wait_for(lambda: all(len(bot.api.sent(p)) >= 2 for p in people), 30)
        for person in people:
            bot.api.press_button(person, "H")
        await bot.api.wait_for(lambda: all(len(bot.api.sent(p)) >= 3 for p in people), 30)
        for person in people:
            bot.api.press_button(person, "H:yes")
        await bot.api.wait_for(lambda: all(len(bot.api.sent(p)) >= 4 for p in people), 30)
        for person in people:
            bot.api.send_text(person, f"question de la personne {person - 6000}")
        await bot.api.wait_for(lambda: len(bot.api.sent(STAFF)) >= 1 + 100, 60)
        headers = [m for m in bot.api.sent(STAFF) if m["text"].startswith("🆕")]
        assert len(headers) == 50
        for message in [m for m in bot.api.sent(STAFF) if m["text"].startswith("💬")]:
            n = int(message["text"].split("question de la personne ")[1].split()[0])
            await staff_reply(bot, message, f"réponse pour {n}")
        await bot.api.wait_for(lambda: all(len(bot.api.sent(p)) >= 6 for p in people), 60)
        for person in people:
            answers = [t for t in bot.texts(person) if "réponse pour" in t]
            assert answers == [f"{TEAM_FR}\nréponse pour {person - 6000}"]


async def test_nobody_answering_in_time_is_told_kindly(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(bot.staff, "CHECK_EVERY", 0.2)
    person = 5040
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as running:
        await join_staff(running)
        await open_ticket(running, person)
        long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=49)).isoformat()
        with running.service.store.lock:
            running.service.store.db.execute("UPDATE tickets SET opened = ?", (long_ago,))
        told = (await running.api.wait_sent(person, count=5, timeout=10))[-1]
        assert told["text"].startswith("😔")
        assert "⏰ #1" in (await running.api.wait_sent(STAFF, count=3))[-1]["text"]
        await asyncio.sleep(0.5)
        assert len(running.api.sent(person)) == 5, "told once"


@pytest.mark.parametrize("lang", ["ar", "fa", "ru", "so", "en"])
async def test_journeys_in_other_languages(tmp_path, lang) -> None:
    person = 7000
    async with running_bot(SHIPPED, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        await open_ticket(bot, person, lang)
        header = (await bot.api.wait_sent(STAFF, count=2))[-1]
        assert language_name(lang) in header["text"]
        await staff_reply(bot, header, "OK")
        answer = (await bot.api.wait_sent(person, count=5))[-1]
        expected = I18n(list(LANGUAGES))[lang]._("👤 CTAI team:")
        assert answer["text"] == f"{expected}\nOK"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_consent_screen_and_the_team_prefix_are_in_every_language(testville, lang) -> None:
    i18n = I18n(list(LANGUAGES))
    dialogue = Dialogue(testville, i18n, handoff=True)
    s = i18n[lang]
    consent = handoff.consent(s, testville.territory).text
    prefix = dialogue.team_answer(lang, "x").text
    english = handoff.consent(i18n["en"], testville.territory).text
    if lang != "en":
        assert consent != english and "👤 CTAI team:" not in prefix
    assert "CTAI" in consent and prefix.endswith("\nx")


async def test_a_crisis_in_a_relayed_message_shows_the_numbers_at_once(tmp_path) -> None:
    person = 5050
    async with running_bot(SHIPPED, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        await open_ticket(bot, person)
        replies = await bot.replies_to(
            person, lambda: bot.api.send_text(person, "je veux mourir"), count=2
        )
        assert "3114" in replies[0]["text"] and replies[1]["text"].startswith("✉️")
        relayed = (await bot.api.wait_sent(STAFF, count=3))[-1]
        assert "🆘" in relayed["text"], "the team sees that the numbers were shown"


async def test_two_misunderstood_messages_in_a_row_offer_a_person(tmp_path) -> None:
    person = 5060
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        bot.api.send_text(person, "/start", language_code="fr")
        await bot.api.wait_sent(person, count=2)
        [first] = await bot.replies_to(person, lambda: bot.api.send_text(person, "zorglub"))
        [second] = await bot.replies_to(person, lambda: bot.api.send_text(person, "blorp"))
        offer = "Vous pouvez aussi écrire à une personne"
        assert offer not in first["text"] and offer in second["text"]
        assert ("👤 Parler à une personne", "H") in bot.buttons(second)
        [consent] = await bot.replies_to(person, lambda: bot.api.send_text(person, "/human"))
        assert consent["text"].startswith("👤")
        [typed] = await bot.replies_to(person, lambda: bot.api.send_text(person, "un humain"))
        assert typed["text"] == consent["text"], "the word typed does the same"


async def test_without_a_staff_group_there_is_no_button(tmp_path) -> None:
    async with running_bot(TESTVILLE, tmp_path / "data") as bot:
        bot.api.send_text(5070, "/start", language_code="fr")
        [_, menu] = await bot.api.wait_sent(5070, count=2)
        assert all(data != "H" for _, data in bot.buttons(menu))


async def test_a_forum_group_gets_one_topic_per_ticket_and_answers_in_it(tmp_path) -> None:
    person = 5080
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        bot.api.make_forum(STAFF)
        await open_ticket(bot, person)
        [topic] = bot.api.topics
        assert topic["name"] == "#1 · Français · sans thème"
        header = bot.api.sent(STAFF)[-1]
        assert header["message"]["message_thread_id"] == topic["message_thread_id"]
        await bot.replies_to(person, lambda: bot.api.send_text(person, "ma question"))
        relayed = (await bot.api.wait_sent(STAFF, count=3))[-1]
        assert bot.service.store.ticket(1).thread == topic["message_thread_id"]
        assert relayed["params"].get("message_thread_id") == topic["message_thread_id"]
        staff_reply.next_id += 1
        bot.api.send_raw(  # written in the topic, without Telegram's Reply
            {
                "message": {
                    "message_id": staff_reply.next_id,
                    "date": int(time.time()),
                    "chat": {"id": STAFF, "type": "supergroup", "title": "Équipe CTAI",
                             "is_forum": True},
                    "from": {"id": MARIE, "is_bot": False, "first_name": "Marie"},
                    "text": "réponse dans le sujet",
                    "message_thread_id": topic["message_thread_id"],
                    "is_topic_message": True,
                }
            }
        )  # fmt: skip
        answer = (await bot.api.wait_sent(person, count=6))[-1]
        assert answer["text"] == f"{TEAM_FR}\nréponse dans le sujet"


def test_asking_for_a_person_does_not_hide_an_understood_question(testville) -> None:
    """'un conseiller CAF' is a question with a card; 'un humain' asks for a person."""
    i18n = I18n(["fr", "en"])
    dialogue = Dialogue(testville, i18n, handoff=True)
    from bot.dialogue.model import State, Text

    def first(text: str) -> str:
        return dialogue.handle(Text(text), State(lang="fr")).replies[0].text

    assert first("un humain").startswith("👤")
    assert first("parler à quelqu'un").startswith("👤")
    assert "Colocations" in first("colocation avec une personne")
    assert not first("cours de français pour un conseiller").startswith("👤")


async def test_a_long_message_reaches_the_team_cut_and_says_so(tmp_path) -> None:
    person = 5090
    async with running_bot(TESTVILLE, tmp_path / "data", staff_chat_id=STAFF) as bot:
        await join_staff(bot)
        await open_ticket(bot, person)
        await bot.replies_to(person, lambda: bot.api.send_text(person, "mot " * 1000))
        relayed = (await bot.api.wait_sent(STAFF, count=3))[-1]["text"]
        assert len(relayed) <= 4096 and "caractères coupés" in relayed


def test_an_open_ticket_goes_with_its_person_when_the_person_is_deleted_for_silence(
    tmp_path,
) -> None:
    from bot.dialogue.model import State
    from bot.storage import Store

    store = Store(tmp_path / "ctai-bot.sqlite3")
    long_ago = dt.date(2026, 1, 1)
    store.save(store.person(1), State("fr"), long_ago, ())
    store.open_ticket(store.person(1), 1, "fr", None, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    store.purge(dt.date(2026, 12, 1), inactive_days=180, unmatched_days=30)
    assert store.open_tickets() == [] and store.ticket_chat(1) is None
