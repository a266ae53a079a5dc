"""Every UI message exists in every language, with the source's placeholders and tags."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.catalogue.model import LANGUAGES
from bot.coordinator.translations import ui_status
from bot.dialogue.i18n import LOCALES_DIR, I18n
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z]+>")


def catalog(lang: str):
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def shape(text: str) -> tuple[list[str], list[str]]:
    return sorted(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    problems = []
    for message in catalog(lang):
        if not message.id:
            continue
        sources = message.id if message.pluralizable else (message.id,)
        targets = message.string if message.pluralizable else (message.string,)
        for i, target in enumerate(targets):
            source = sources[min(i, len(sources) - 1)]
            if not target:
                problems.append(f"untranslated: {sources[0]!r}")
            elif shape(target) != shape(source) and shape(target) != shape(sources[-1]):
                problems.append(f"placeholders or tags differ: {source!r} -> {target!r}")
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_are_cldr_s(lang: str) -> None:
    po = catalog(lang)
    expected = get_plural(lang)
    assert po.num_plurals == expected.num_plurals
    assert po.plural_expr.replace(" ", "") == expected.plural_expr.replace(" ", "")


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_machine_drafted_translations_say_so(lang: str) -> None:
    header = catalog(lang).header_comment
    assert "MACHINE-DRAFTED" in header or "Translation status: reviewed" in header


def test_every_message_in_the_code_is_in_every_catalogue() -> None:
    found = extract_from_dir(
        ROOT / "bot", method_map=[("**.py", "python")], keywords={"_": None, "n_": (1, 2)}
    )
    in_code = {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}
    for lang in LANGUAGES:
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(lang) if m.id}
        assert in_code <= translated, f"{lang}: run pybabel extract and update (README)"


def test_plurals_follow_the_language() -> None:
    ui = I18n(list(LANGUAGES))
    singular = "({count} other action is for another situation.)"
    plural = "({count} other actions are for another situation.)"
    english = [ui["en"].n_(singular, plural, n) for n in (1, 2)]
    assert english == [singular.format(count=1), plural.format(count=2)]
    russian = {ui["ru"].n_(singular, plural, n) for n in (1, 3, 5)}
    assert len(russian) == 3, "Russian has three plural forms"


def test_a_machine_drafted_file_is_not_counted_as_reviewed(tmp_path) -> None:
    """The reviewer's instructions quote 'Translation status: reviewed'; only the line
    itself, once a reviewer writes it, makes the file reviewed."""
    source = (LOCALES_DIR / "fa" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    target = tmp_path / "fa" / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    target.write_text(source, encoding="utf-8")
    drafted = ui_status("fa", tmp_path)
    assert drafted["reviewed"] == 0 and drafted["machine"] > 0
    target.write_text("# Translation status: reviewed\n" + source, encoding="utf-8")
    assert ui_status("fa", tmp_path)["reviewed"] == drafted["machine"]
