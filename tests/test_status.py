"""A conversation that fits the person: the status question, for typed text too, once; what
a newcomer, a refugee and a person asking for asylum see; the language of a first message."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import I18n
from bot.dialogue.model import Command, Press, Reply, State, Text
from bot.matching.engine import MatchingEngine

MONDAY_10 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)

SHARED_FLAT = {
    "fr": "je cherche une colocation",
    "en": "a shared flat with help towards work, like the CPH",
    "ar": "ابحث عن سكن مشترك",
    "ru": "хочу жить в общей квартире с другими беженцами",
    "tr": "paylaşımlı ev arıyorum",
}


@pytest.fixture(scope="module")
def dialogue(hybrid: MatchingEngine) -> Dialogue:
    catalogue = hybrid.catalogue
    return Dialogue(catalogue, I18n(catalogue.territory.languages), hybrid)


def pressable(reply: Reply) -> list[str]:
    return [b.data for row in reply.buttons for b in row if b.data]


def audience_of(dialogue: Dialogue, data: str) -> list[str]:
    return dialogue.catalogue.actions_by_id[data.split(":")[-1]].audience


@pytest.mark.parametrize("lang", sorted(SHARED_FLAT))
def test_typed_text_asks_the_status_once_and_each_answer_opens_a_service_for_it(
    dialogue: Dialogue, lang: str
) -> None:
    s = dialogue.i18n[lang]
    turn = dialogue.handle(Text(SHARED_FLAT[lang]), State(lang=lang), now=MONDAY_10)
    question = turn.replies[-1]
    assert question.text.startswith(
        s._("One question, so I show what fits you:\nWhat is your situation in France?")
    )
    answers = {d.split(":")[1]: d for d in pressable(question) if d.startswith("Q:")}
    assert set(answers) == {"b", "p", "s", "u"}
    assert "bpi" in audience_of(dialogue, answers["b"])
    assert "primo-arrivant" in audience_of(dialogue, answers["p"])
    assert "asylum" in audience_of(dialogue, answers["s"])
    card = dialogue.handle(Press(answers["p"]), turn.state, now=MONDAY_10)
    assert card.state.audience == "primo-arrivant"
    assert "🏢" in card.replies[0].text
    again = dialogue.handle(Text(SHARED_FLAT[lang]), card.state, now=MONDAY_10)
    assert not any(d.startswith("Q:") for r in again.replies for d in pressable(r))


def test_no_status_question_when_the_same_service_fits_everyone(dialogue) -> None:
    turn = dialogue.handle(
        Text("aide alimentaire restos du coeur"), State(lang="fr"), now=MONDAY_10
    )
    assert turn.replies[-1].text.startswith("<b>")
    assert turn.state.audience is None


def test_each_status_choice_shows_the_french_words_of_the_persons_letters(dialogue) -> None:
    """The buttons are short enough for a phone; the French words of the letters are in the
    question, beside the same emoji as the button they match."""
    question = dialogue.handle(Press("S:housing"), State(lang="ar"), now=MONDAY_10).replies[0]
    for emoji, word in (
        ("🛡", "protection subsidiaire"),
        ("🪪", "titre de séjour"),
        ("📄", "demande d'asile"),
    ):
        assert any(line.startswith(emoji) and word in line for line in question.text.split("\n"))
    labels = [b.label for row in question.buttons for b in row]
    assert all(len(label) <= 48 for label in labels), labels


def test_a_newcomer_in_housing_sees_what_fits_and_can_see_the_rest(dialogue) -> None:
    state = State(lang="fr", audience="primo-arrivant")
    reply = dialogue.handle(Press("t:housing"), state, now=MONDAY_10).replies[0]
    shown = pressable(reply)
    for data in shown:
        if data.startswith("a:"):
            assert "primo-arrivant" in audience_of(dialogue, data)
    assert "a:bpi-shared-housing-employment" not in shown
    assert "T:housing" in shown and "S:housing" in shown
    everything = dialogue.handle(Press("T:housing"), state, now=MONDAY_10).replies[0]
    assert "a:bpi-shared-housing-employment" in pressable(everything)
    s = dialogue.i18n["fr"]
    assert s._("For refugees and people with subsidiary protection:") in everything.text


def test_a_person_can_change_their_answer(dialogue) -> None:
    state = State(lang="so", audience="primo-arrivant")
    question = dialogue.handle(Press("S:housing"), state, now=MONDAY_10).replies[0]
    assert "q:b:housing" in pressable(question)
    turn = dialogue.handle(Press("q:b:housing"), state, now=MONDAY_10)
    assert turn.state.audience == "bpi"
    assert "a:bpi-shared-housing-employment" in pressable(turn.replies[0])
    help_text = dialogue.handle(Command("help"), state, now=MONDAY_10).replies[0].text
    assert "/status" in help_text, "the answer can be changed from /help too"
    assert "q:p:" in pressable(dialogue.handle(Command("status"), state, now=MONDAY_10).replies[0])


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("أبحث عن دروس فرنسية", "ar"),
        ("کورس زبان فرانسوی میخواهم", "fa"),
        ("ፈረንሳይኛ ክመሃር እደሊ", "ti"),
        ("د فرانسوي ژبې کورس غواړم", "ps"),
    ],
)
def test_a_first_message_is_answered_in_its_own_language(dialogue, text: str, lang: str) -> None:
    turn = dialogue.handle(Text(text), State(), client_lang="fr", now=MONDAY_10)
    assert turn.state.lang == lang
    s = dialogue.i18n[lang]
    assert any(s._("📋 Menu") == b.label for r in turn.replies for row in r.buttons for b in row)


def test_latin_script_from_a_phone_in_another_language_gets_a_one_tap_offer(dialogue) -> None:
    """Somali has no Telegram interface: a Somali writer's phone is often in French. Latin
    letters are less sure than a script, so the bot offers Somali rather than switching."""
    text = "Waxaan rabaa inaan barto luqadda Faransiiska"
    turn = dialogue.handle(Text(text), State(), client_lang="fr", now=MONDAY_10)
    assert "l:so" in pressable(turn.replies[-1])
    alone = dialogue.handle(Text(text), State(), now=MONDAY_10)
    assert alone.state.lang == "so", "with no phone language at all, it answers in Somali"


def test_after_the_crisis_numbers_a_warm_line_not_a_question(dialogue) -> None:
    s = dialogue.i18n["fr"]
    turn = dialogue.handle(
        Text("j'en peux plus, ma famille serait plus tranquille si je n'étais plus là"),
        State(lang="fr"),
        now=MONDAY_10,
    )
    texts = [r.text for r in turn.replies]
    assert "3114" in texts[0]
    assert s._("I am not sure I understood. Is it about:") not in texts


@pytest.mark.parametrize("text", ["où est la CAF", "la préfecture", "ok merci"])
def test_a_latin_message_from_a_french_phone_stays_in_french(dialogue, text: str) -> None:
    turn = dialogue.handle(Text(text), State(), client_lang="fr", now=MONDAY_10)
    assert turn.state.lang in (None, "fr")


def test_a_person_asking_for_asylum_is_asked_when_their_service_differs(dialogue) -> None:
    """'médecin' opens a GP for refugees and newcomers, but the PASS for asylum seekers."""
    turn = dialogue.handle(Text("je cherche un médecin"), State(lang="fr"), now=MONDAY_10)
    answers = [d for r in turn.replies for d in pressable(r) if d.startswith("Q:s:")]
    if answers:
        assert "asylum" in audience_of(dialogue, answers[0].split(":")[2])
    else:
        first = [d for r in turn.replies for d in pressable(r)]
        card = turn.replies[-1].text
        assert "PASS" in card or any("pass" in d for d in first)
