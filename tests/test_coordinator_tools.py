"""Links, posters, the evaluation report and the translation status, on two territories."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.catalogue.loader import load_or_raise
from bot.cli import main
from bot.coordinator.browser import FLAGS, chromium, render
from bot.coordinator.sharing import deep_link
from bot.dialogue.conversation import Dialogue
from bot.dialogue.i18n import I18n
from bot.dialogue.model import Start, State, Text
from bot.service import Service, Settings
from tests.conftest import SHIPPED, TESTVILLE
from tests.fakebotapi import FakeBotAPI
from tests.harness import TOKEN

needs_chromium = pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")


@pytest.fixture(autouse=True)
def username(monkeypatch) -> None:
    monkeypatch.setenv("CTAI_BOT_USERNAME", "ctai_test_bot")


@pytest.mark.parametrize("directory", [SHIPPED, TESTVILLE], ids=["poitiers", "testville"])
def test_every_link_opens_exactly_its_screen(directory: Path, capsys) -> None:
    catalogue = load_or_raise(directory)
    dialogue = Dialogue(catalogue, I18n(catalogue.territory.languages))
    targets = [("--theme", t.id) for t in catalogue.themes] + [
        ("--action", a.id) for a in catalogue.actions
    ]
    for lang in catalogue.territory.languages:
        # The command itself for one theme and one action (it loads the whole catalogue
        # each time); the same function it calls for every other screen.
        for flag, target in targets:
            if (flag, target) in (targets[0], targets[-1]):
                args = ["link", "--lang", lang, flag, target, "--catalogue", str(directory)]
                assert main(args) == 0
                link = capsys.readouterr().out.strip()
            else:
                link = deep_link(catalogue, "ctai_test_bot", lang, target)
            assert link.startswith("https://t.me/ctai_test_bot?start=")
            payload = parse_qs(urlparse(link).query)["start"][0]
            assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
            turn = dialogue.handle(Start(payload), State(), client_lang="en")
            assert turn.state.lang == lang
            shown = " ".join(r.text + str(r.buttons) for r in turn.replies)
            if flag == "--theme":
                assert turn.state.theme == target
            else:
                title = catalogue.actions_by_id[target].title
                assert (title.get(lang) or title["fr"]).split("<")[0][:20] in shown


def test_the_username_comes_from_the_bot_api_when_not_configured(monkeypatch, capsys) -> None:
    with FakeBotAPI(token=TOKEN, username="poitiers_ctai_bot") as api:
        monkeypatch.delenv("CTAI_BOT_USERNAME")
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("TELEGRAM_API_URL", api.base_url)
        assert main(["link", "--lang", "so", "--theme", "rights"]) == 0
    assert capsys.readouterr().out.strip() == "https://t.me/poitiers_ctai_bot?start=so_rights"


def test_a_qr_code_is_written_as_png_or_svg(tmp_path: Path, capsys) -> None:
    assert main(["link", "--lang", "ti", "--theme", "health", "--qr", str(tmp_path / "q.png")]) == 0
    assert (tmp_path / "q.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["link", "--lang", "ar", "--qr", str(tmp_path / "q.svg")]) == 0
    assert "<svg" in (tmp_path / "q.svg").read_text()
    assert main(["link", "--lang", "ar", "--theme", "nowhere"]) == 1
    assert "neither a theme nor an action" in capsys.readouterr().err
    assert main(["link", "--lang", "fr", "--theme", "logement"]) == 1
    assert "(did you mean 'housing'?)" in capsys.readouterr().err
    assert main(["link", "--lang", "fr", "--action", "emergency-shelter-11"]) == 1
    assert "(did you mean 'emergency-shelter-115'?)" in capsys.readouterr().err


def dump_dom(page: Path) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    return done.stdout


@needs_chromium
@pytest.mark.parametrize("lang", ["fa", "ti", "fr"])
def test_a_poster_renders_in_its_direction(tmp_path: Path, lang: str) -> None:
    page = tmp_path / "poster.html"
    assert main(["poster", "--lang", lang, "--theme", "housing", "--out", str(page)]) == 0
    html = page.read_text()
    assert f'dir="{"rtl" if lang == "fa" else "ltr"}"' in html
    assert "ctai_test_bot?start=" + lang + "_housing" in html
    assert "3114" in html and "<svg" in html
    dom = dump_dom(page)
    assert "<svg" in dom and "3919" in dom
    assert main(["poster", "--lang", lang, "--out", str(tmp_path / "poster.pdf")]) == 0
    assert (tmp_path / "poster.pdf").read_bytes()[:5] == b"%PDF-"
    render(page, tmp_path / "poster.png")
    screenshot = (tmp_path / "poster.png").read_bytes()
    assert screenshot[:8] == b"\x89PNG\r\n\x1a\n" and len(screenshot) > 20_000, "not a blank page"


@pytest.fixture
def used_bot(tmp_path: Path) -> Path:
    """A data directory after a few days of use by a handful of people."""
    data = tmp_path / "data"
    service = Service(Settings(catalogue_dir=SHIPPED, data_dir=data))
    day = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)
    for person in range(12):
        when = day + dt.timedelta(days=person % 3)
        service.handle(person, Start("fr" if person % 2 else "ar_housing"), now=when)
        service.handle(person, Text("cours de français"), now=when)
        service.handle(person, Text("zorglub blabla"), now=when)
    service.handle(99, Text("je veux mourir"), now=day)
    service.store.close()
    return data


@needs_chromium
def test_the_report_is_one_offline_page_with_charts_and_tables(used_bot, tmp_path, monkeypatch):
    monkeypatch.setenv("CTAI_DATA_DIR", str(used_bot))
    out, csv_dir = tmp_path / "report.html", tmp_path / "csv"
    args = ["report", "--since", "2026-11-01", "--until", "2026-11-30", "--out", str(out)]
    assert main([*args, "--csv", str(csv_dir)]) == 0
    html = out.read_text()
    assert "http" not in html.split("<body>")[1], "nothing fetched from the network"
    dom = dump_dom(out)
    sections = dom.count("<section")
    assert sections == 12  # 9, and three about "talk to a person"
    assert dom.count('<svg class="chart"') + dom.count("Pas de données") == sections
    assert dom.count("<table>") == sections
    assert "&lt; 5" in dom, "small counts are hidden"
    assert len(list(csv_dir.glob("*.csv"))) == 12
    themes = (csv_dir / "themes.csv").read_text()
    assert "Apprendre le français" in themes
    people = (csv_dir / "people-per-day.csv").read_text().splitlines()
    assert all(
        line.split(",")[1] in ("< 5", "personnes") or int(line.split(",")[1]) >= 5
        for line in people
    )


def test_translation_status_lists_every_language(capsys) -> None:
    assert main(["translations"]) == 0
    table = capsys.readouterr().out
    for lang in ("fr", "en", "ar", "fa", "ps", "ti", "so", "ru", "uk", "tr"):
        assert re.search(rf"^{lang}\s+ui\s", table, re.M)
        assert re.search(rf"^{lang}\s+keywords\s", table, re.M)
    assert main(["translations", "--catalogue", str(TESTVILLE)]) == 0
    assert "ar " not in capsys.readouterr().out


@needs_chromium
def test_report_and_poster_work_for_another_territory(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    service = Service(Settings(catalogue_dir=TESTVILLE, data_dir=data))
    for person in range(6):
        service.handle(person, Start("en_housing"), now=dt.datetime(2026, 11, 3, tzinfo=dt.UTC))
    service.store.close()
    monkeypatch.setenv("CTAI_DATA_DIR", str(data))
    out = tmp_path / "report.html"
    args = [
        "report",
        "--catalogue",
        str(TESTVILLE),
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
    ]
    assert main([*args, "--out", str(out)]) == 0
    dom = dump_dom(out)
    assert "CTAI de Testville" in dom and dom.count("<table>") == 12
    assert ">6<" in dom, "six people on that day: shown, not hidden"
    poster = tmp_path / "poster.html"
    assert (
        main(["poster", "--lang", "en", "--catalogue", str(TESTVILLE), "--out", str(poster)]) == 0
    )
    dom = dump_dom(poster)
    assert "3114" in dom and "🏠 Housing" in dom, "Testville's own numbers and themes"
    assert "15</b>" in dom and "3919" not in dom, "only the numbers of Testville's catalogue"
