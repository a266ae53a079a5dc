"""The coordinator's catalogue: it loads, and every mistake is pointed at exactly."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.catalogue.hours import check_hours, open_at, parse_hours
from bot.catalogue.loader import json_schema, load_catalogue
from bot.catalogue.model import LANGUAGES, THEME_IDS, pick
from bot.catalogue.phones import display_phone, normalise_phone
from bot.catalogue.yamlsource import MAX_FILE_BYTES
from bot.cli import main
from tests.conftest import FIXED_TODAY, ROOT, SHIPPED

BROKEN = ROOT / "tests" / "fixtures" / "broken"
EXPECT = re.compile(r"^# expect: (\d+):(\d+): (?:(warning): )?(.*)$")
CTAI_OPERATORS = {
    "coallia", "audacia", "indigo-formation", "astre-en-moi", "ufolep-86",
    "centre-animation-beaulieu", "toit-du-monde",
}  # fmt: skip


def test_shipped_catalogue_loads_with_no_error(poitiers) -> None:
    _, problems = load_catalogue(SHIPPED)
    assert [p for p in problems if p.severity == "error"] == []
    assert set(poitiers.operators) >= CTAI_OPERATORS
    assert [t.id for t in poitiers.themes] == list(THEME_IDS)
    assert poitiers.territory.languages == list(LANGUAGES)


def test_shipped_catalogue_encodes_the_press_release(poitiers) -> None:
    primo = [a for a in poitiers.actions if a.ctai and "primo-arrivant" in a.audience]
    bpi = [a for a in poitiers.actions if a.ctai and "bpi" in a.audience]
    assert len(primo) == 7 and all(a.operators == ["toit-du-monde"] for a in primo)
    assert len(bpi) == 5
    carried = {op for a in bpi for op in a.operators}
    assert carried == CTAI_OPERATORS - {"toit-du-monde"}
    assert {e.number for e in poitiers.territory.emergency} == {
        "15", "17", "18", "112", "114", "115", "119", "3919", "3114",
    }  # fmt: skip
    funding = poitiers.territory.contract.funding
    assert sum(f.amount_eur for f in funding) == 200_000


def test_every_action_says_why_when_it_is_unverified(poitiers) -> None:
    for action in poitiers.actions:
        assert action.verified or action.note, action.id
        assert action.sources, action.id


def test_every_shipped_text_exists_in_all_ten_languages(poitiers) -> None:
    for action in poitiers.actions:
        for field in (action.title, action.summary, action.keywords):
            assert set(field) == set(LANGUAGES), action.id
        assert action.translations["fr"] == "source"
        assert all(action.translations[lang] == "machine" for lang in LANGUAGES if lang != "fr")
    for theme in poitiers.themes:
        assert set(theme.label) == set(LANGUAGES) == set(theme.keywords), theme.id


def _expectations(path: Path) -> list[tuple[int, int, str, str]]:
    found = []
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        match = EXPECT.match(line)
        if match:
            found.append((int(match[1]), int(match[2]), match[3] or "error", match[4]))
    return found


@pytest.mark.parametrize("fixture", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_fixture_is_reported_at_its_exact_line(fixture: Path, testville_copy) -> None:
    shutil.copy(fixture, testville_copy / fixture.name)
    catalogue, problems = load_catalogue(testville_copy, today=FIXED_TODAY)
    expected = _expectations(fixture)
    assert expected, f"{fixture.name} has no '# expect:' line"
    in_file = [p for p in problems if p.path.endswith(fixture.name)]
    for line, column, severity, message in expected:
        assert any(
            (p.line, p.column, p.severity) == (line, column, severity) and message in p.message
            for p in in_file
        ), f"expected {line}:{column}: {severity}: {message}\ngot:\n" + "\n".join(map(str, in_file))
    if any(severity == "error" for *_, severity, _ in expected):
        assert catalogue is None
    else:
        assert catalogue is not None


def test_python_tag_is_refused_without_running_code(testville_copy) -> None:
    shutil.copy(BROKEN / "python-tag.yaml", testville_copy)
    marker = Path("/tmp/ctai-pwned")
    marker.unlink(missing_ok=True)
    load_catalogue(testville_copy)
    assert not marker.exists()


def test_a_huge_file_is_refused_before_parsing(testville_copy) -> None:
    huge = testville_copy / "huge.yaml"
    huge.write_text("actions:\n" + "  # padding\n" * (MAX_FILE_BYTES // 10))
    _, problems = load_catalogue(testville_copy)
    assert any(p.path.endswith("huge.yaml") and "file too large" in p.message for p in problems)


def test_every_problem_is_reported_not_just_the_first(testville_copy) -> None:
    for name in ("unknown-key.yaml", "bad-phone.yaml", "unknown-theme.yaml"):
        shutil.copy(BROKEN / name, testville_copy)
    _, problems = load_catalogue(testville_copy)
    files = {Path(p.path).name for p in problems if p.severity == "error"}
    assert files == {"unknown-key.yaml", "bad-phone.yaml", "unknown-theme.yaml"}


def test_text_falls_back_to_french_then_english_and_says_so() -> None:
    texts = {"fr": "Logement", "en": "Housing", "fa": "مسکن"}
    assert pick(texts, "fa").text == "مسکن" and not pick(texts, "fa").fell_back
    shown = pick(texts, "ps")
    assert (shown.text, shown.lang, shown.fell_back) == ("Logement", "fr", True)
    english = pick({"en": "Housing"}, "ti")
    assert (english.text, english.lang, english.fell_back) == ("Housing", "en", True)
    assert pick({}, "fr") is None


def test_phone_numbers_are_read_as_people_copy_them_and_shown_as_they_read_them() -> None:
    """libphonenumber: '+33 (0)5' as websites write it, short numbers, foreign numbers."""
    for written in ("05 49 41 00 00", "+33 (0)5 49 41 00 00", "05.49.41.00.00", "0033549410000"):
        assert normalise_phone(written) == "+33549410000", written
    assert display_phone("+33549410000") == "05 49 41 00 00"
    for short in ("115", "3949", "116 006", "34 00", "15"):
        assert normalise_phone(short) == short.replace(" ", "")
    assert display_phone(normalise_phone("+49 30 12345678")) == "+49 30 12345678"
    for wrong in ("49 41 00 00", "06 12 34", "05 49", "hello"):
        with pytest.raises(ValueError, match="05 49 00 00 00"):
            normalise_phone(wrong)


def test_day_and_night_lines_are_always_open() -> None:
    import datetime as dt

    for hours in ("24/7", "Mo-Su 00:00-24:00"):
        assert open_at(hours, dt.datetime(2026, 11, 29, 3, 30))
        assert open_at(hours, dt.datetime(2026, 11, 30, 23, 59))


def test_opening_hours_know_when_a_place_is_open() -> None:
    import datetime as dt

    hours = "Mo-Fr 09:00-12:30,14:00-17:00; Sa 10:00-12:00"
    monday = dt.datetime(2026, 11, 30, 10, 0)
    assert open_at(hours, monday)
    assert not open_at(hours, monday.replace(hour=13))
    assert open_at(hours, dt.datetime(2026, 12, 5, 11, 0))
    assert not open_at(hours, dt.datetime(2026, 12, 6, 11, 0))
    with pytest.raises(ValueError, match="at 'Xx 09:00-10:00'"):
        check_hours("Mo-Fr 09:00-12:00; Xx 09:00-10:00")
    for bad in ("Mo 25:00-26:00", "hello", "Mo-Fr 9h-12h"):
        with pytest.raises(ValueError, match="OpenStreetMap format"):
            check_hours(bad)


def test_committed_schema_is_current_and_referenced_by_every_file() -> None:
    committed = json.loads((SHIPPED / "schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: ctai-bot schema --out catalogue/schema.json"
    for path in SHIPPED.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        reference = first.removeprefix("# yaml-language-server: $schema=")
        assert reference != first, f"{path} does not reference the schema"
        assert (path.parent / reference).resolve() == SHIPPED / "schema.json"


def test_validate_exit_codes(testville_copy, capsys) -> None:
    assert main(["validate", "--catalogue", str(testville_copy)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("valid: 2 operators, 2 actions")
    (testville_copy / "operators.yaml").write_text(
        (testville_copy / "operators.yaml").read_text().replace("verified: true", "verified: false")
    )
    assert main(["validate", "--catalogue", str(testville_copy)]) == 0
    assert main(["validate", "--catalogue", str(testville_copy), "--strict"]) == 1
    assert "INVALID" in capsys.readouterr().out
    shutil.copy(BROKEN / "unknown-key.yaml", testville_copy)
    assert main(["validate", "--catalogue", str(testville_copy)]) == 1
    with pytest.raises(SystemExit) as usage:
        main(["validate", "--no-such-flag"])
    assert usage.value.code == 2


def test_a_later_opening_hours_rule_replaces_an_earlier_one() -> None:
    import datetime as dt

    hours = "Mo-Fr 09:00-18:00; We off; PH off"
    wednesday, thursday = dt.datetime(2026, 12, 2, 10, 0), dt.datetime(2026, 12, 3, 10, 0)
    assert not open_at(hours, wednesday)
    assert open_at(hours, thursday)
    assert not open_at(hours, dt.datetime(2026, 12, 25, 10, 0)), "Christmas, a public holiday"
    assert open_at("Mo-Fr 09:00-18:00", dt.datetime(2026, 12, 25, 10, 0))
    assert not open_at("Mo-Fr 09:00-18:00; Fr 09:00-12:00", dt.datetime(2026, 12, 4, 15, 0))
    assert [s.day for s in parse_hours(hours)] == [0, 1, 3, 4], "shown: Wednesday is off"
