"""How much of each language is translated, machine-drafted or reviewed: what to send out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from bot.catalogue.model import Catalogue
from bot.dialogue.i18n import LOCALES_DIR

STATUSES = ("source", "reviewed", "machine", "missing")
STATUS_LINE = re.compile(r"^#\s*Translation status:\s*(source|reviewed|machine)\s*$", re.MULTILINE)
"""``# Translation status: reviewed``, alone on its line, in a .po file's header."""


@dataclass(frozen=True)
class Row:
    part: str
    counts: dict[str, int]


def ui_status(lang: str, locales: Path = LOCALES_DIR) -> dict[str, int]:
    """UI strings of one language by status; a .po file's header says machine or reviewed."""
    path = locales / lang / "LC_MESSAGES" / "messages.po"
    counts = dict.fromkeys(STATUSES, 0)
    if not path.exists():
        return counts
    with path.open("rb") as po:
        catalog = read_po(po)
    # Only a line of its own counts: the reviewer's instructions quote the phrase too.
    found = STATUS_LINE.search(catalog.header_comment or "")
    status = found.group(1) if found else "machine"
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            counts[status if all(strings) else "missing"] += 1
    return counts


def catalogue_status(catalogue: Catalogue, lang: str) -> list[Row]:
    rows = []
    for part in ("title", "summary", "keywords"):
        counts = dict.fromkeys(STATUSES, 0)
        for action in catalogue.actions:
            if lang not in getattr(action, part):
                counts["missing"] += 1
            else:
                counts[action.translations.get(lang, "machine")] += 1
        rows.append(Row(part, counts))
    return rows


def status_table(catalogue: Catalogue) -> str:
    lines = [f"{'lang':<5} {'part':<9}" + "".join(f"{s:>10}" for s in STATUSES)]
    for lang in catalogue.territory.languages:
        rows = [Row("ui", ui_status(lang)), *catalogue_status(catalogue, lang)]
        for row in rows:
            lines.append(
                f"{lang:<5} {row.part:<9}" + "".join(f"{row.counts[s]:>10}" for s in STATUSES)
            )
    return "\n".join(lines)
