"""The eight mistakes people make in YAML, each reported at the line where it is, in words
a coordinator understands, and without errors that only follow from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalogue.loader import load_catalogue
from bot.catalogue.reference import EXAMPLE, reference_markdown, undocumented
from tests.conftest import FIXED_TODAY, ROOT


def edit(directory: Path, name: str, line: int | None, new: str) -> None:
    """Replace line ``line`` (1-based) of a file, or append ``new`` when ``line`` is None."""
    path = directory / name
    lines = path.read_text(encoding="utf-8").split("\n")
    if line is None:
        lines.insert(len(lines) - 1, new)
    else:
        lines[line - 1] = new
    path.write_text("\n".join(lines), encoding="utf-8")


MISTAKES = [
    (
        "operators.yaml",
        4,
        '    name: "Maison des Langues de Testville',
        4,
        'this quote (") is never closed',
    ),
    (
        "operators.yaml",
        6,
        '    address: {street: "1 rue de l\'Exemple, postcode: "38000", city: Testville}',
        6,
        'this quote (") is never closed',
    ),
    ("operators.yaml", None, "broken: [unclosed, list", None, "this '[' is never closed"),
    (
        "operators.yaml",
        9,
        "    hours Mo-Fr 09:00-12:00,14:00-17:00",
        9,
        "a ':' is missing after 'hours'",
    ),
    ("operators.yaml", 5, "   aliases: [MDL]", 5, "not lined up with the lines above"),
    (
        "operators.yaml",
        6,
        '    adress: {street: 1 rue de l\'Exemple, postcode: "38000", city: Testville}',
        6,
        "unknown key 'adress' (did you mean 'address'?)",
    ),
    (
        "operators.yaml",
        8,
        "    phones: 05 49 00 00 00",
        8,
        "phones must be a list, even of one item: write `phones: [05 49 00 00 00]`",
    ),
    (
        "actions.yaml",
        6,
        "    audience: [bpi, primo-arrivants]",
        6,
        "unknown value 'primo-arrivants' (did you mean 'primo-arrivant'?)",
    ),
]


@pytest.mark.parametrize(("name", "line", "new", "reported", "message"), MISTAKES)
def test_each_common_mistake_is_reported_where_it_is_in_plain_words(
    testville_copy: Path, name: str, line: int | None, new: str, reported: int | None, message: str
) -> None:
    edit(testville_copy, name, line, new)
    if reported is None:  # the appended line
        reported = (testville_copy / name).read_text(encoding="utf-8").split("\n").index(new) + 1
    catalogue, problems = load_catalogue(testville_copy, today=FIXED_TODAY)
    errors = [p for p in problems if p.severity == "error"]
    assert catalogue is None
    assert len(errors) == 1, "\n".join(map(str, errors))  # nothing that only follows from it
    assert errors[0].path.endswith(name) and errors[0].line == reported, str(errors[0])
    assert message in errors[0].message


def test_validate_lists_errors_first_by_file_and_can_hide_warnings(testville_copy: Path) -> None:
    edit(testville_copy, "operators.yaml", 8, "    phones: 05 49 00 00 00")
    edit(testville_copy, "actions.yaml", 6, "    audience: [bpi, primo-arrivants]")
    command = [sys.executable, "-m", "bot.cli", "validate", "--catalogue", str(testville_copy)]
    full = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert full.returncode == 1
    lines = [
        line for line in full.stdout.splitlines() if ": error: " in line or ": warning: " in line
    ]
    severities = [": error: " in line for line in lines]
    assert severities == sorted(severities, reverse=True), "errors come before warnings"
    assert lines[0].split(":")[0].endswith("actions.yaml")
    quiet = subprocess.run([*command, "--errors-only"], capture_output=True, text=True, cwd=ROOT)
    assert ": warning: " not in quiet.stdout and quiet.stdout.count(": error: ") == 2
    summary = quiet.stdout.strip().splitlines()[-1]
    assert summary.startswith("INVALID: 2 operators, 2 actions read, 2 errors")


def test_catalogue_md_is_generated_from_the_model_and_current() -> None:
    assert undocumented() == [], "every field needs a meaning for the coordinator"
    written = (ROOT / "CATALOGUE.md").read_text(encoding="utf-8")
    assert written == reference_markdown() + "\n", "run: ctai-bot reference --out CATALOGUE.md"


def test_the_references_example_action_is_valid(testville_copy: Path) -> None:
    example = EXAMPLE.replace("toit-du-monde", "maison-des-langues")
    (testville_copy / "example.yaml").write_text(example, encoding="utf-8")
    catalogue, problems = load_catalogue(testville_copy, today=FIXED_TODAY)
    assert catalogue is not None, "\n".join(map(str, problems))
    assert "example-french-class" in catalogue.actions_by_id


# --- no command prints a traceback ----------------------------------------------------------

SETTINGS_MISTAKES = [
    ("CTAI_INACTIVE_DAYS", "-5", "CTAI_INACTIVE_DAYS must be at least 1, got -5"),
    ("CTAI_INACTIVE_DAYS", "six months", "CTAI_INACTIVE_DAYS must be a whole number"),
    ("CTAI_OVERALL_RATE", "-1", "CTAI_OVERALL_RATE must be at least 0"),
    ("CTAI_ADMIN_IDS", "@marie", "CTAI_ADMIN_IDS must be Telegram user ids"),
    ("CTAI_CATALOGUE_DIR", "/nowhere/catalogue", "CTAI_CATALOGUE_DIR: /nowhere/catalogue is not"),
    ("CTAI_DATA_DIR", "{file}", "is a file, not a folder"),
    ("TELEGRAM_API_URL", "localhost:8081/bot", "TELEGRAM_API_URL must look like"),
]


@pytest.mark.parametrize("command", [["chat"], ["report", "--out", "{tmp}/r.html"], ["run"]])
@pytest.mark.parametrize(("name", "value", "said"), SETTINGS_MISTAKES)
def test_a_bad_setting_is_one_clear_line_and_exit_2(
    command, name, value, said, tmp_path, monkeypatch, capsys
) -> None:
    from bot.cli import main

    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("CTAI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv(name, value.format(file=a_file))
    argv = [part.format(tmp=tmp_path) for part in command]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert err.startswith(f"ctai-bot {argv[0]}: ") and said in err


@pytest.mark.parametrize(
    "command",
    [
        ["chat"],
        ["run"],
        ["link", "--catalogue", "{cat}"],
        ["poster", "--lang", "fr", "--out", "{tmp}/p.html", "--catalogue", "{cat}"],
        ["report", "--out", "{tmp}/r.html", "--catalogue", "{cat}"],
        ["translations", "--catalogue", "{cat}"],
        ["ask", "un médecin", "--engine", "keyword", "--catalogue", "{cat}"],
        ["figures", "--catalogue", "{cat}"],
    ],
)
def test_every_command_on_a_broken_catalogue_prints_file_line_errors_and_exits_1(
    command, testville_copy: Path, tmp_path, monkeypatch, capsys
) -> None:
    from bot.cli import main

    edit(testville_copy, "operators.yaml", 4, '    name: "Maison des langues')
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("CTAI_BOT_USERNAME", "ctai_test_bot")
    monkeypatch.setenv("CTAI_CATALOGUE_DIR", str(testville_copy))
    monkeypatch.setenv("CTAI_DATA_DIR", str(tmp_path / "data"))
    argv = [part.format(cat=testville_copy, tmp=tmp_path) for part in command]
    assert main(argv) == 1
    lines = capsys.readouterr().err.strip().split("\n")
    assert lines[0].startswith(f"{testville_copy / 'operators.yaml'}:4:"), lines
    assert "never closed" in lines[0]
    assert lines[-1].startswith(f"ctai-bot {argv[0]}: the catalogue cannot be used")
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "p.html").exists()


def test_run_in_a_real_process_with_a_bad_setting_prints_no_traceback(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "CTAI_INACTIVE_DAYS": "-5",
        "CTAI_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "ctai-bot run: CTAI_INACTIVE_DAYS must be at least 1, got -5"


def test_every_option_has_a_help_line_and_commands_name_their_environment() -> None:
    from bot.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    silent = [
        f"{name} {action.dest}"
        for name, parser in commands.items()
        for action in parser._actions
        if action.help is None
    ]
    assert silent == []
    assert "CTAI_BOT_USERNAME" in commands["link"].format_help()
    assert "TELEGRAM_BOT_TOKEN" in commands["run"].format_help()
    assert "CTAI_DATA_DIR" in commands["report"].format_help()
