"""A third territory, for real (issue 12): no French and no English (Somali first, then
Tigrinya), two themes fewer, another time zone. Every command works on it, and nothing about
Poitiers or France is assumed: themes and languages come from its catalogue, the fallback
language from its territory."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from bot.catalogue.loader import load_catalogue, load_or_raise
from bot.cli import main
from bot.console import chat
from bot.dialogue.i18n import I18n, MissingTranslations
from bot.service import Service, Settings
from tests.conftest import ROOT

THIRDTOWN = ROOT / "tests" / "fixtures" / "thirdtown"


@pytest.fixture(autouse=True)
def username(monkeypatch) -> None:
    monkeypatch.setenv("CTAI_BOT_USERNAME", "ctai_test_bot")


def test_the_third_territory_is_valid_with_fewer_themes() -> None:
    catalogue, problems = load_catalogue(THIRDTOWN)
    assert catalogue is not None, [str(p) for p in problems if p.severity == "error"]
    assert [t.id for t in catalogue.themes][:2] == ["language", "housing"]
    assert {"sport", "culture"}.isdisjoint(t.id for t in catalogue.themes)


def test_an_action_in_a_theme_the_territory_lacks_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "thirdtown"
    shutil.copytree(THIRDTOWN, copy)
    services = copy / "services.yaml"
    services.write_text(services.read_text().replace("themes: [language]", "themes: [sport]"))
    _, problems = load_catalogue(copy)
    [error] = [str(p) for p in problems if p.severity == "error"]
    assert error.endswith("error: theme 'sport' is not in this catalogue's themes (defined: "
                          "language, housing, health, employment, rights, digital, parenting, "
                          "food, money)")  # fmt: skip
    assert "services.yaml:14:14:" in error, "at the theme itself"


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["figures"],
        ["translations"],
        ["link", "--lang", "ti", "--theme", "housing"],
        ["poster", "--lang", "ti", "--out", "{tmp}/poster.html"],
        ["ask", "fasal luqadeed", "--engine", "keyword"],
        ["report", "--out", "{tmp}/report.html"],
    ],
)
def test_every_command_works_on_it(command, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CTAI_DATA_DIR", str(tmp_path / "data"))
    argv = [part.format(tmp=tmp_path) for part in command] + ["--catalogue", str(THIRDTOWN)]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err


def test_a_conversation_in_the_territory_s_own_languages(tmp_path) -> None:
    service = Service(Settings(catalogue_dir=THIRDTOWN, data_dir=tmp_path / "data"))
    out = io.StringIO()
    chat(service, None, io.StringIO("/start\n/emergency\nfasal luqadeed\n/quit\n"), out)
    screen = out.getvalue()
    assert "Soomaali" in screen and "ትግርኛ" in screen, "the picker offers its two languages"
    assert "English" not in screen and "Français" not in screen
    assert "112" in screen, "its own emergency number"
    assert "Fasallo luqadeed" in screen, "the service, found in Somali"
    assert service.dialogue.catalogue.territory.default_language == "so"


def test_a_territory_language_without_translations_is_refused_at_start(tmp_path) -> None:
    with pytest.raises(MissingTranslations, match="'so'"):
        I18n(["so", "ti"], locales_dir=tmp_path)
    assert I18n(["en"], locales_dir=tmp_path)["en"]._("📋 Menu") == "📋 Menu", (
        "English is the source"
    )
    load_or_raise(THIRDTOWN)
