"""The yearly evaluation report: one self-contained HTML page, and the same figures as CSV.

Figures come only from anonymous daily counts. Any count from 1 to 4 is shown as "< 5", so
that no figure can be traced back to a person.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.catalogue.model import Catalogue
from bot.dialogue.i18n import escape
from bot.matching.engine import MatchingEngine
from bot.redact import MAX_KEPT_CHARS
from bot.storage import Store

SMALL = 5


def shown(n: int) -> str:
    """A count as it may be published."""
    return f"< {SMALL}" if 0 < n < SMALL else str(n)


@dataclass(frozen=True)
class Figure:
    """One chart and its table: rows of (label, count)."""

    slug: str
    title: str
    column: str
    rows: list[tuple[str, int]]


def _daily(store: Store, kind: str, since: dt.date, until: dt.date) -> list[tuple[str, str, int]]:
    return store.db.execute(
        "SELECT period, key, n FROM counts WHERE kind = ? AND length(period) = 10 "
        "AND period BETWEEN ? AND ? ORDER BY period",
        (kind, since.isoformat(), until.isoformat()),
    ).fetchall()


def _by_key(rows: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    totals: Counter[str] = Counter()
    for _, key, n in rows:
        totals[key] += n
    return totals.most_common()


def _week(day: str) -> str:
    year, week, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


REMATCHED = 200
"""Unmatched messages matched again with today's catalogue: the latest ones, at most this many
(every stored text made a report over 1,000 of them take 43 s)."""
NO_LANGUAGE = "? (avant le choix de la langue)"
"""Messages sent before the person chose a language (the first /start, a deep link)."""


def figures(store: Store, catalogue: Catalogue, since: dt.date, until: dt.date) -> list[Figure]:
    people_days = _daily(store, "people", since, until)
    weekly_people = store.db.execute(
        "SELECT period, n FROM counts WHERE kind = 'people' AND period LIKE '____-W__' "
        "AND period BETWEEN ? AND ? ORDER BY period",
        (_week(since.isoformat()), _week(until.isoformat())),
    ).fetchall()
    conversations: Counter[str] = Counter()
    for day, _, n in people_days:
        conversations[_week(day)] += n
    messages = _daily(store, "message", since, until)
    unmatched = sum(n for *_, n in _daily(store, "unmatched", since, until))
    total = sum(n for *_, n in messages)
    themes = {t.id: f"{t.emoji} {t.label.get('fr', t.id)}" for t in catalogue.themes}
    titles = {a.id: a.title.get("fr") or a.id for a in catalogue.actions}
    engine = MatchingEngine(catalogue)
    later: Counter[str] = Counter()
    for (text,) in store.db.execute(  # a bounded sample: the report's time does not grow
        "SELECT text FROM unmatched WHERE day BETWEEN ? AND ? ORDER BY day DESC, rowid DESC "
        "LIMIT ?",
        (since.isoformat(), until.isoformat(), REMATCHED),
    ):
        match = engine.match(text[:MAX_KEPT_CHARS])  # texts kept before the cap was set
        found = match.results[0].action.themes[0] if match.results else None
        later[themes.get(found, "(toujours rien)") if found else "(toujours rien)"] += 1
    return [
        Figure("people-per-week", "Personnes par semaine", "personnes", [(w, n) for w, n in weekly_people]),
        Figure("conversations-per-week", "Conversations par semaine (personnes × jours)", "conversations", sorted(conversations.items())),
        Figure("people-per-day", "Personnes par jour", "personnes", [(d, n) for d, _, n in people_days]),
        Figure("themes", "Demandes par thème", "demandes", [(themes.get(k, k), n) for k, n in _by_key(_daily(store, "theme", since, until))]),
        Figure("languages", "Messages par langue", "messages", [(NO_LANGUAGE if k == "?" else k, n) for k, n in _by_key(messages)]),
        Figure("actions", "Actions les plus montrées", "fois", [(titles.get(k, k), n) for k, n in _by_key(_daily(store, "action", since, until))[:15]]),
        Figure("unmatched", "Messages sans réponse", "messages", [("sans réponse", unmatched), ("avec réponse", total - unmatched)]),
        Figure("unmatched-themes", f"Messages sans réponse ({REMATCHED} derniers au plus) : thème trouvé avec le catalogue actuel", "messages", later.most_common()),
        Figure("emergency", "Numéros d'urgence montrés", "fois", _by_key(_daily(store, "emergency", since, until))),
        *_ticket_figures(store, themes, since, until),
    ]  # fmt: skip


def _ticket_figures(
    store: Store, themes: dict[str, str], since: dt.date, until: dt.date
) -> list[Figure]:
    """'Talk to a person': requests per language and theme, share answered, first answer."""
    requests = store.ticket_figures(since, until)
    answered = sorted(m for _, _, m in requests if m is not None)
    median = f"{statistics.median(answered):.0f} min" if answered else "-"
    by_lang = Counter(lang for lang, _, _ in requests)
    by_theme = Counter(themes.get(theme or "", theme or "sans thème") for _, theme, _ in requests)
    return [
        Figure("handoff-languages", "Demandes « parler à une personne » par langue", "demandes", by_lang.most_common()),
        Figure("handoff-themes", "Demandes « parler à une personne » par thème", "demandes", by_theme.most_common()),
        Figure("handoff-answered", f"Demandes répondues (première réponse : {median}, médiane)", "demandes", [("répondues", len(answered)), ("sans réponse", len(requests) - len(answered))]),
    ]  # fmt: skip


def _bars(figure: Figure) -> str:
    """A horizontal bar chart as inline SVG: no script, no network, prints well."""
    if not figure.rows:
        return "<p><i>Pas de données sur la période.</i></p>"
    top = max(n for _, n in figure.rows) or 1
    height, label_width, bar_width = 22, 260, 380
    parts = [f'<svg class="chart" role="img" aria-label="{escape(figure.title)}" '
             f'width="{label_width + bar_width + 80}" height="{height * len(figure.rows) + 4}">']  # fmt: skip
    for i, (label, n) in enumerate(figure.rows):
        y = i * height + 2
        width = 0 if 0 < n < SMALL else round(bar_width * n / top)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(label[:40])}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{width}" height="{height - 6}" fill="#2b6cb0"/>'
            f'<text x="{label_width + width + 6}" y="{y + 15}">{escape(shown(n))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(figure: Figure) -> str:
    rows = "".join(
        f"<tr><td>{escape(label)}</td><td>{escape(shown(n))}</td></tr>" for label, n in figure.rows
    )
    return (
        f"<table><thead><tr><th></th><th>{escape(figure.column)}</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def report_html(
    catalogue: Catalogue, figures_: list[Figure], since: dt.date, until: dt.date
) -> str:
    sections = "".join(
        f'<section id="{f.slug}"><h2>{escape(f.title)}</h2>{_bars(f)}{_table(f)}</section>'
        for f in figures_
    )
    name = escape(catalogue.territory.name)
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<title>CTAI {name} — bot, {since} → {until}</title>
<style>
body {{ font-family: sans-serif; max-width: 900px; margin: 2em auto; color: #111; }}
svg.chart text {{ font-size: 12px; fill: #111; }}
table {{ border-collapse: collapse; margin: 0.5em 0 2em; }}
td, th {{ border: 1px solid #bbb; padding: 2px 8px; text-align: left; }}
</style></head><body>
<h1>CTAI de {name} : utilisation du bot</h1>
<p>Du {since:%d/%m/%Y} au {until:%d/%m/%Y}. Chiffres anonymes : tout nombre de 1 à 4 est
affiché « &lt; {SMALL} ».</p>
{sections}
</body></html>
"""


def write_csv(figures_: list[Figure], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in figures_:
        path = directory / f"{figure.slug}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["", figure.column])
            writer.writerows((label, shown(n)) for label, n in figure.rows)
        written.append(path)
    return written
