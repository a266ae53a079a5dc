"""UI strings in ten languages, from gettext ``.po`` files read at start with Babel.

Reading the ``.po`` files directly (compiled to ``.mo`` in memory) means a fresh clone has
no build step to forget. Placeholders are ``{name}``; every value put into a message is
HTML-escaped, and in right-to-left languages wrapped in Unicode isolates so that numbers
and Latin names do not scramble the line.
"""

from __future__ import annotations

import gettext
import html
import io
import re
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent.parent / "locales"
FSI, PDI = "\u2068", "\u2069"
COMMAND = re.compile(r"(?<![\w/<])/[a-z]+\b")
"""A bot command inside a message ("/privacy"), isolated in right-to-left text."""
"""First-strong isolate and pop-directional isolate (Unicode bidi algorithm, UAX #9)."""


class Markup(str):
    """HTML that is already safe: inserted as is, never escaped again."""


def escape(value: object) -> str:
    """Catalogue or user text made safe for Telegram's HTML parse mode."""
    return value if isinstance(value, Markup) else html.escape(str(value), quote=False)


class Strings:
    """The UI of one language: ``s._("Hello {name}", name=...)`` gives safe HTML."""

    def __init__(self, lang: str, translations: gettext.NullTranslations) -> None:
        self.lang = lang
        self.rtl = Locale.parse(lang).character_order == "right-to-left"
        self._translations = translations

    @property
    def comma(self) -> str:
        """The list separator: Arabic, Persian and Pashto use the Arabic comma."""
        return "، " if self.lang in ("ar", "fa", "ps") else ", "

    def isolate(self, text: str) -> str:
        """Wrap an embedded value so right-to-left text around it reads correctly."""
        return f"{FSI}{text}{PDI}" if self.rtl and text else text

    def _format(self, template: str, values: dict[str, object]) -> Markup:
        if self.rtl:  # "/start" would read "start/", and a line starting with it flips
            template = COMMAND.sub(lambda m: self.isolate(m.group(0)), template)
        safe = {
            key: value if isinstance(value, Markup) else self.isolate(escape(value))
            for key, value in values.items()
        }
        return Markup(template.format(**safe) if safe else template)

    def _(self, message: str, **values: object) -> Markup:
        return self._format(self._translations.gettext(message), values)

    def n_(self, singular: str, plural: str, count: int, **values: object) -> Markup:
        return self._format(
            self._translations.ngettext(singular, plural, count), {"count": count, **values}
        )


def _load(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


SOURCE_LANGUAGE = "en"
"""The language the bot's sentences are written in (the msgids): it needs no .po file."""


class MissingTranslations(RuntimeError):
    """A language of the territory has no .po file: refused at start rather than answering
    its speakers in English without a word."""


class I18n:
    """Every language's strings, loaded once at start."""

    def __init__(self, languages: list[str], locales_dir: Path = LOCALES_DIR) -> None:
        self.languages = languages
        self.strings: dict[str, Strings] = {}
        for lang in languages:
            path = locales_dir / lang / "LC_MESSAGES" / "messages.po"
            if path.exists():
                translations: gettext.NullTranslations = _load(path)
            elif lang == SOURCE_LANGUAGE:
                translations = gettext.NullTranslations()
            else:
                raise MissingTranslations(
                    f"the territory speaks {lang!r} but {path} does not exist: translate the "
                    "bot's sentences first (README, 'Translations'), or remove the language"
                )
            self.strings[lang] = Strings(lang, translations)

    def __getitem__(self, lang: str) -> Strings:
        return self.strings.get(lang) or self.strings[self.languages[0]]


def language_name(lang: str) -> str:
    """A language's name in its own script, as its speakers recognise it."""
    if lang == "fa":
        return "دری / فارسی"
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]
