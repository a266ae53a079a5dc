"""Every card gives a true next step: a number to call, a place to go, a site to open, or
whom to ask; and a question about a service is answered first."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.catalogue.loader import load_catalogue, load_or_raise
from bot.catalogue.model import LANGUAGES, THEME_IDS, Catalogue
from bot.catalogue.phones import display_phone, normalise_phone
from bot.catalogue.reach import actionable, figures_table
from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import I18n
from bot.dialogue.model import Press, Reply, State, Text
from bot.matching.engine import MatchingEngine
from bot.matching.questions import asks
from tests.conftest import FIXED_TODAY, ROOT, SHIPPED

MONDAY_10 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
NEEDS = ROOT / "tests" / "data" / "needs.jsonl"
ACCEPT = json.loads((ROOT / "tests" / "data" / "needs.json").read_text(encoding="utf-8"))
WAY_IN = re.compile("📞 \u2068?[0-9]|🌐 \u2068?https?://|💻 .*https?://|✉️ \u2068?\\S+@|📍 \\S")
"""A number to dial, a site to open, an address to write to, a place to go."""


@pytest.fixture(scope="module")
def dialogue(hybrid: MatchingEngine) -> Dialogue:
    catalogue = hybrid.catalogue
    return Dialogue(catalogue, I18n(catalogue.territory.languages), hybrid)


def card(dialogue: Dialogue, action_id: str, lang: str = "en") -> str:
    return dialogue.handle(Press(f"a:{action_id}"), State(lang=lang), now=MONDAY_10).replies[0].text


def say(dialogue: Dialogue, text: str, lang: str = "en") -> tuple[Reply, ...]:
    return dialogue.handle(Text(text), State(lang=lang, audience="bpi"), now=MONDAY_10).replies


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("3949", "3949", "3949"),
        ("34 00", "3400", "3400"),
        ("116 006", "116006", "116006"),
        ("05 49 44 44 44", "+33549444444", "05 49 44 44 44"),
    ],
)
def test_national_short_numbers_are_kept_as_dialled(typed: str, stored: str, shown: str) -> None:
    assert normalise_phone(typed) == stored
    assert display_phone(stored) == shown


def test_no_card_sends_anyone_nowhere(dialogue: Dialogue) -> None:
    """Every card, in every language, shows a way in or whom to ask, and never the old
    'call or go there' with no number and no place."""
    for action in dialogue.catalogue.actions:
        assert actionable(dialogue.catalogue, action), action.id
        for lang in LANGUAGES:
            text = card(dialogue, action.id, lang)
            assert WAY_IN.search(text), (action.id, lang, text)
            assert "call or go there and ask" not in text


def test_a_card_without_contact_shows_its_themes_where_to_ask(dialogue: Dialogue) -> None:
    s = dialogue.i18n["en"]
    text = card(dialogue, "mission-locale-youth")
    ask = dialogue.catalogue.actions_by_id[
        dialogue.catalogue.themes_by_id["employment"].where_to_ask
    ]
    title = ask.title["en"]
    assert s._("❓ <b>No phone or address here yet. You can ask:</b> {title}", title=title) in text
    target = dialogue.catalogue.themes_by_id["employment"].where_to_ask
    assert target
    operator = dialogue.catalogue.operators[dialogue.catalogue.actions_by_id[target].operators[0]]
    assert operator.name in text
    assert "📞" in text


def test_a_service_without_an_office_says_so_and_gives_its_number_and_cost(dialogue) -> None:
    text = card(dialogue, "emergency-shelter-115")
    assert "No office to visit" in text
    assert "📞 115 (free call)" in text
    caf = card(dialogue, "caf-benefits")
    assert "📞 3230 (free service, you pay only the call)" in caf
    assert "💻 Online:" in caf and "https://caf.fr" in caf


@pytest.mark.parametrize(
    ("text", "lang", "first"),
    [
        ("accueil de jour du Secours Catholique, c'est où ?", "fr", "📍 13 rue de la Marne"),
        ("la CAF, c'est quoi les horaires ?", "fr", "📞 lun.–ven. 09:00–16:30"),
        ("how much does the travel document cost?", "en", "💶"),
        ("do I need an appointment at the préfecture?", "en", "🚪"),
        ("где находится 115, куда идти спать", "ru", "📵"),
        ("Коаллиа адрес", "ru", "📍"),
    ],
)
def test_a_practical_question_is_answered_first(dialogue, text: str, lang: str, first: str) -> None:
    """The answer is the line right under the title, and is not repeated below."""
    replies = say(dialogue, text, lang)
    lines = replies[-1].text.split("\n")
    assert lines[1].startswith(first), lines[:4]
    assert lines.count(lines[1]) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Où est la CAF ?", ("where",)),
        ("horaires Infolang", ("when",)),
        ("c combien le psy", ("cost",)),
        ("CAF rdv", ("appointment",)),
        ("je veux apprendre le français ou l'anglais", ()),
        ("I want to open a bank account", ()),
        ("Que faire quand mon titre de séjour expire ?", ()),
        ("Je dois appeler ou aller sur place pour la CAF ?", ()),
        ("أريد الاتصال بكم من أجل السكن", ()),
        ("چقدر خسته ام، کار میخواهم", ()),
        ("когда я приехал, у меня не было документов", ()),
        ("коли я приїхав, мене не зареєстрували", ()),
        ("immisa carruur ah ayaan leeyahay, caawimaad", ()),
        ("où est la CAF ?", ("where",)),
    ],
)
def test_practical_questions_are_recognised(text: str, expected: tuple[str, ...]) -> None:
    assert asks(text) == expected


@pytest.mark.parametrize("name", ["Coallia", "Toit du Monde", "Коаллиа", "كواليا"])
def test_naming_an_operator_shows_its_card_and_its_actions(dialogue, name: str) -> None:
    reply = dialogue.handle(Text(name), State(lang="en"), now=MONDAY_10).replies[-1]
    operator = next(
        o for o in dialogue.catalogue.operators.values() if name in (o.name, *o.aliases)
    )
    assert operator.name in reply.text
    own = [a.id for a in dialogue.catalogue.actions if operator.id in a.operators]
    shown = [b.data for row in reply.buttons for b in row]
    assert all(f"a:{a}" in shown for a in own)
    assert WAY_IN.search(reply.text)


def test_an_operators_card_offers_only_what_fits_the_persons_status(dialogue) -> None:
    state = State(lang="en", audience="asylum")
    reply = dialogue.handle(Text("Coallia"), state, now=MONDAY_10).replies[-1]
    assert "Coallia" in reply.text
    assert "a:bpi-shared-housing-employment" not in [b.data for row in reply.buttons for b in row]


def test_naming_an_operator_with_a_need_shows_that_action(dialogue) -> None:
    reply = say(dialogue, "Toit du Monde cours de français", "fr")[-1]
    best = dialogue.engine.match("Toit du Monde cours de français").results[0].action
    assert "toit-du-monde" in best.operators and "language" in best.themes
    assert reply.text.startswith("<b>")


def _needs() -> list[dict[str, str]]:
    return [json.loads(line) for line in NEEDS.read_text(encoding="utf-8").splitlines()]


def test_the_needs_table_covers_30_needs_in_every_language() -> None:
    rows = _needs()
    assert {(r["need"], r["lang"]) for r in rows} == {
        (n, lang) for n in ACCEPT for lang in LANGUAGES
    }
    assert len(ACCEPT) == 30


def test_the_commonest_needs_get_an_acceptable_card_a_person_can_act_on(dialogue) -> None:
    """≥ 95 % of the 300 messages get an acceptable first card; every first card shown
    gives a way in (phone, place, site) or whom to ask."""
    misses: dict[str, list[str]] = defaultdict(list)
    for row in _needs():
        match = dialogue.engine.match(row["text"], lang=row["lang"], audience="bpi")
        first = match.results[0].action if match.confident and match.results else None
        if first is None or first.id not in ACCEPT[row["need"]]["accept"]:
            misses[row["need"]].append(f"{row['lang']}: {first.id if first else '-'}")
            continue
        text = card(dialogue, first.id, row["lang"])
        assert WAY_IN.search(text), (row, text)
    missed = sum(map(len, misses.values()))
    assert missed <= 15, dict(misses)


def test_validate_lists_what_is_missing_and_the_actionable_share() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "validate"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "To do: what a person misses on each card" in result.stdout
    total = len(load_or_raise(SHIPPED).actions)
    assert f"actionable: {total}/{total} cards (100%)" in result.stdout


def _write(directory: Path, name: str, data: dict) -> None:
    (directory / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_notice_is_shown_while_valid_and_flagged_once_expired(testville_copy: Path) -> None:
    notice = {"until": "2026-12-24", "text": {"en": "Closed 21-24 December", "fr": "Fermé"}}
    old = {"until": "2026-01-10", "text": {"en": "Moved in January", "fr": "Déménagé"}}
    path = testville_copy / "operators.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["operators"][0]["notices"] = [notice, old]
    _write(testville_copy, "operators.yaml", data)
    catalogue, problems = load_catalogue(testville_copy, today=FIXED_TODAY)
    assert catalogue is not None
    expired = [p for p in problems if "expired on 2026-01-10" in p.message]
    assert expired and expired[0].severity == "warning" and expired[0].line > 0
    shown = Dialogue(catalogue, I18n(catalogue.territory.languages)).handle(
        Press("a:french-for-work"), State(lang="en"), now=MONDAY_10
    )
    assert "📢 <b>Closed 21-24 December</b>" in shown.replies[0].text
    assert "Moved in January" not in shown.replies[0].text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"place": False}, "has 'place: false' (no office to visit) but an address"),
        (
            {"place": False, "address": None, "coordinates": None, "phones": [], "website": None},
            "no phone, website or email",
        ),
    ],
)
def test_a_service_without_an_office_must_be_reachable(testville_copy, change, message) -> None:
    path = testville_copy / "operators.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = data["operators"][0]
    for key, value in change.items():
        if value is None or value == []:
            entry.pop(key, None)
        else:
            entry[key] = value
    _write(testville_copy, "operators.yaml", data)
    catalogue, problems = load_catalogue(testville_copy, today=FIXED_TODAY)
    assert catalogue is None
    assert any(message in p.message and p.severity == "error" for p in problems)


def test_a_where_to_ask_must_name_an_existing_action(testville_copy: Path) -> None:
    path = testville_copy / "themes.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["themes"][0]["where_to_ask"] = "french-for-wrok"
    _write(testville_copy, "themes.yaml", data)
    catalogue, problems = load_catalogue(testville_copy, today=FIXED_TODAY)
    assert catalogue is None
    assert any("did you mean 'french-for-work'" in p.message for p in problems)


def _with_then(directory: Path, then: str) -> tuple[str, Catalogue | None, list]:
    """Testville with ``then: [<then>]`` on its 15: the territory's text before, and the load."""
    path = directory / "territory.yaml"
    text = path.read_text(encoding="utf-8")
    number = '      number: "15"\n'
    path.write_text(text.replace(number, f"{number}      then: [{then}]\n"), encoding="utf-8")
    return (text, *load_catalogue(directory, today=FIXED_TODAY))


def test_a_dangers_then_must_name_an_existing_action(testville_copy: Path) -> None:
    text, catalogue, problems = _with_then(testville_copy, "french-for-wrok")
    assert catalogue is None
    wrong = [p for p in problems if "'then' names unknown action" in p.message]
    assert wrong and "did you mean 'french-for-work'" in wrong[0].message
    assert wrong[0].line == text.splitlines().index('      number: "15"') + 2


def test_a_then_closed_to_some_status_is_flagged(testville_copy: Path) -> None:
    """Found in review: 3114's two psychologist services were closed to asylum seekers, who
    were offered nothing after the number; the coordinator is now told."""
    _, catalogue, problems = _with_then(testville_copy, "shared-flats")
    assert catalogue is not None
    [closed] = [p for p in problems if "no 'then' service is open to" in p.message]
    assert closed.severity == "warning" and "asylum" in closed.message
    assert "primo-arrivant" not in closed.message


@pytest.mark.parametrize(
    ("text", "lang"),
    [("تعبت من كل شي، صرت حس انو اهلي رح يرتاحو اذا رحت. امبارح كتبت رسالة لامي وخبيتها", "ar"),
     ("aidez moi je veux me suicider je tiens plus", "fr")],
)  # fmt: skip
def test_after_the_numbers_a_suicidal_message_is_offered_someone_to_talk_to(
    dialogue: Dialogue, text: str, lang: str
) -> None:
    """Development-split messages: before, a confident card about local heritage came under
    the 3114 for the first, and nothing at all for the second; now the services the 3114
    names for afterwards are one tap away."""
    numbers, calm = say(dialogue, text, lang)
    assert "3114" in numbers.text
    offered = [b.data for row in calm.buttons for b in row]
    then = next(c.then for c in dialogue.catalogue.territory.emergency if c.id == "3114")
    assert offered[: len(then)] == [f"a:{a}" for a in then]
    assert "E" in offered, "the numbers stay one tap away"


@pytest.mark.parametrize(
    ("text", "theme"),
    [("je veux mourir, et je cherche un travail", "employment"),
     ("i want to die, i need a doctor for my baby", "health"),
     ("mara2ti 7amel w bdna tabib nisa2i", "health")],  # Arabizi: faint alarms, if any
)  # fmt: skip
def test_a_danger_beside_a_clear_request_keeps_the_card_asked_for(
    dialogue: Dialogue, text: str, theme: str
) -> None:
    """The services a danger names come right after the card asked for, never instead of it
    (from a review: the doctor for the baby was replaced by a psychologist)."""
    match = dialogue.engine.match(text, audience="bpi")
    assert match.confident, match.as_json()
    first, *others = (r.action.id for r in match.results)
    assert theme in dialogue.catalogue.actions_by_id[first].themes and first not in match.then
    if match.emergency:
        assert others[: len(match.then)] == list(match.then)[: len(others)], match.as_json()


@pytest.mark.parametrize(
    "text", ["я собрала все таблетки, думаю выпить их все сразу", "je veux me suicider"]
)
def test_a_crisis_with_no_other_ask_opens_the_dangers_own_service(
    dialogue: Dialogue, text: str
) -> None:
    """From a review: a card the meaning picked (health insurance) was kept before the
    services the 3114 names, for a message about taking all one's pills."""
    match = dialogue.engine.match(text, audience="bpi")
    assert "3114" in match.emergency, match.as_json()
    assert match.results[0].action.id in match.then, match.as_json()


def test_a_family_sleeping_in_the_car_tonight_gets_the_bed_first(dialogue: Dialogue) -> None:
    """From a review: "kids" and "room" counted as asking for a service, so the shared-housing
    card (for refugees, on referral) came before "Call 115 for a bed tonight"."""
    *_, card = say(dialogue, "no room anywhere, me and the kids are in the car tonight")
    shelter = dialogue.catalogue.actions_by_id["emergency-shelter-115"].title["en"]
    assert card.text.startswith(f"<b>{shelter}</b>"), card.text


def test_nowhere_to_sleep_tonight_is_offered_the_bed_and_the_day_centre(
    dialogue: Dialogue,
) -> None:
    """From a review: when the first result was already one of the 115's services, no
    service was offered under "💙 I am here"."""
    *_, last = say(dialogue, "i have nowhere to sleep tonight")
    offered = [b.data for row in last.buttons for b in row]
    assert {"a:emergency-shelter-115", "a:day-centre-secours-catholique"} & set(offered)


def test_every_theme_has_a_menu_button(dialogue: Dialogue) -> None:
    menu = dialogue.handle(Press("M"), State(lang="en"), now=MONDAY_10).replies[0]
    shown = {b.data for row in menu.buttons for b in row}
    assert {f"t:{t}" for t in THEME_IDS} <= shown


def test_the_readme_shows_the_catalogues_real_figures() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert figures_table(load_or_raise(SHIPPED)) in readme


def test_a_person_asking_for_asylum_sees_the_services_open_to_them_from_every_theme(
    dialogue,
) -> None:
    state = State(lang="en", audience="asylum")
    for theme in THEME_IDS:
        reply = dialogue.handle(Press(f"t:{theme}"), state, now=MONDAY_10).replies[0]
        shown = [b.data for row in reply.buttons for b in row]
        for data in shown:
            if data and data.startswith("a:"):
                assert "asylum" in dialogue.catalogue.actions_by_id[data[2:]].audience, data
        assert "A" in shown, f"{theme}: no way to the services open to everyone"
    health = dialogue.handle(Press("t:health"), state, now=MONDAY_10).replies[0]
    assert "a:pass-free-health-care" in [b.data for row in health.buttons for b in row]
    everyone = dialogue.handle(Press("A"), state, now=MONDAY_10).replies[0]
    opened = {b.data for row in everyone.buttons for b in row}
    for action in (
        "emergency-shelter-115",
        "restos-du-coeur",
        "domiciliation",
        "free-legal-advice",
    ):
        assert f"a:{action}" in opened
