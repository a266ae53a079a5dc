"""What the CTAI coordinator sees: figures and unmatched messages, from anonymous counts.

These commands exist only for the admin ids in the configuration; for anyone else they are
unknown commands. Admin texts are in French, the coordinator's language.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from bot.catalogue.problems import Problem
from bot.dialogue.i18n import escape
from bot.storage import Store

ADMIN_COMMANDS = ("reload", "stats", "unmatched")
MAX_LISTED = 30


def _counts(store: Store, kind: str, since: dt.date, until: dt.date) -> Counter[str]:
    rows = store.db.execute(
        "SELECT key, SUM(n) FROM counts WHERE kind = ? AND period >= ? AND period <= ? "
        "AND length(period) = 10 GROUP BY key",
        (kind, since.isoformat(), until.isoformat()),
    ).fetchall()
    return Counter({key: total for key, total in rows})


def stats_text(store: Store, today: dt.date) -> str:
    parts = []
    for days in (7, 30):
        since = today - dt.timedelta(days=days - 1)
        people = store.db.execute(
            "SELECT COUNT(*) FROM people WHERE last_seen >= ?", (since.isoformat(),)
        ).fetchone()[0]
        messages = _counts(store, "message", since, today)
        total = sum(messages.values())
        unmatched = sum(_counts(store, "unmatched", since, today).values())
        themes = _counts(store, "theme", since, today)
        actions = _counts(store, "action", since, today)
        share = f"{100 * unmatched / total:.0f} %" if total else "-"
        lines = [
            f"<b>{days} derniers jours</b> (depuis le {since:%d/%m})",
            f"Personnes : {people} · messages : {total} · sans réponse : {share}",
            "Langues : " + _top(messages),
            "Thèmes : " + _top(themes),
            "Actions : " + _top(actions, 5),
        ]
        requests = store.ticket_figures(since, today)
        if requests:
            lines.append("Demandes à l'équipe : " + ticket_summary(requests))
        parts.append("\n".join(lines))
    return "📊 " + "\n\n".join(parts)


def ticket_summary(requests: list[tuple[str, str | None, int | None]]) -> str:
    """'12 (9 répondues, 75 %) · première réponse en 42 min (médiane) · ar 5, fr 4'."""
    answered = sorted(m for _, _, m in requests if m is not None)
    line = (
        f"{len(requests)} ({len(answered)} répondues, {100 * len(answered) / len(requests):.0f} %)"
    )
    if answered:
        line += f" · première réponse en {statistics.median(answered):.0f} min (médiane)"
    return line + " · " + _top(Counter(lang for lang, _, _ in requests))


def _top(counts: Counter[str], limit: int = 10) -> str:
    if not counts:
        return "-"
    return ", ".join(f"{escape(key)} {n}" for key, n in counts.most_common(limit))


def unmatched_text(store: Store) -> str:
    rows = store.db.execute(
        "SELECT day, text FROM unmatched ORDER BY day DESC, rowid DESC LIMIT ?", (MAX_LISTED,)
    ).fetchall()
    if not rows:
        return "Aucun message sans réponse récemment."
    lines = [f"🔎 <b>Messages sans réponse</b> ({len(rows)} derniers, sans identifiant) :"]
    lines += [f"{day[8:10]}/{day[5:7]} · {escape(text[:200])}" for day, text in rows]
    return "\n".join(lines)


def figures_text(store: Store, name: str, today: dt.date) -> str:
    """The answer to /stats or /unmatched, the same on Telegram and in the console."""
    return stats_text(store, today) if name == "stats" else unmatched_text(store)


def reload_text(problems: list[Problem], *, reloaded: bool) -> str:
    if reloaded:
        return "✅ Catalogue rechargé : la prochaine réponse l'utilise."
    lines = ["❌ Catalogue refusé, l'ancien reste en service. Erreurs :"]
    lines += [escape(str(p)) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"… et {len(problems) - MAX_LISTED} autres (ctai-bot validate).")
    return "\n".join(lines)
