"""How much of each language is translated, machine-drafted or reviewed: what to send out."""

from __future__ import annotations

from dataclasses import dataclass

from babel.messages.pofile import read_po

from bot.catalogue.model import Catalogue
from bot.dialogue.i18n import LOCALES_DIR

STATUSES = ("source", "reviewed", "machine", "missing")


@dataclass(frozen=True)
class Row:
    part: str
    counts: dict[str, int]


def ui_status(lang: str) -> dict[str, int]:
    """UI strings of one language by status; a .po file's header says machine or reviewed."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    counts = dict.fromkeys(STATUSES, 0)
    if not path.exists():
        return counts
    with path.open("rb") as po:
        catalog = read_po(po)
    header = catalog.header_comment or ""
    status = (
        "source" if "Translation status: source" in header
        else "reviewed" if "Translation status: reviewed" in header
        else "machine"
    )  # fmt: skip
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
