"""What is stored about a person, and for how long: checked in the real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3

from bot.dialogue.model import Command, Start, Text
from bot.service import Service, Settings
from tests.conftest import TESTVILLE

NOW = dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)


def service(tmp_path, **settings) -> Service:
    return Service(Settings(catalogue_dir=TESTVILLE, data_dir=tmp_path, **settings))


def test_only_language_audience_and_last_day_are_kept(tmp_path) -> None:
    bot = service(tmp_path)
    bot.handle(123456789, Start(""), client_lang="fr", now=NOW)
    bot.handle(123456789, Text("mon nom est Amina, j'habite 3 rue X"), now=NOW)
    with sqlite3.connect(tmp_path / "ctai-bot.sqlite3") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(people)")]
        rows = db.execute("SELECT * FROM people").fetchall()
        dump = "\n".join(db.iterdump())
    assert columns == ["person", "lang", "audience", "last_seen"]
    assert len(rows) == 1 and rows[0][1:] == ("fr", None, "2026-11-28")
    assert "123456789" not in dump, "the Telegram id is never stored, only a keyed hash"
    assert "Amina" in dump, "an unmatched message is kept for the coordinator..."
    unmatched = [line for line in dump.splitlines() if "Amina" in line]
    assert all(line.startswith('INSERT INTO "unmatched"') for line in unmatched)
    assert all("123456789" not in line for line in unmatched), "...never with the Telegram id"


def test_forget_deletes_the_unmatched_messages_too_and_they_are_kept_redacted(tmp_path) -> None:
    """Issue 14, row 7: before, /forget said 'deleted everything' and the message stayed in
    the database and in the admin's /unmatched."""
    from bot.admin import unmatched_text

    bot = service(tmp_path)
    bot.handle(77, Start(""), client_lang="fr", now=NOW)
    bot.handle(
        77, Text("Ahmed Karimi 06 12 34 56 78 ahmed.k@mail.fr dossier 7512345 zorglub"), now=NOW
    )
    bot.handle(78, Text("zorglub de quelqu'un d'autre"), now=NOW)
    listed = unmatched_text(bot.store)
    assert "[phone]" in listed and "[email]" in listed and "[number]" in listed
    assert "06 12" not in listed and "mail.fr" not in listed and "7512345" not in listed
    assert bot.store.person(77) not in listed, "the admin never sees the code"
    bot.handle(77, Command("forget"), now=NOW)
    with sqlite3.connect(tmp_path / "ctai-bot.sqlite3") as db:
        dump = "\n".join(db.iterdump())
        texts = [row[0] for row in db.execute("SELECT text FROM unmatched")]
    assert "Ahmed" not in dump and texts == ["zorglub de quelqu'un d'autre"]
    assert "Ahmed" not in unmatched_text(bot.store)


def test_a_long_unmatched_message_is_kept_short(tmp_path) -> None:
    bot = service(tmp_path)
    bot.handle(79, Text("zorglub " * 600), now=NOW)
    with sqlite3.connect(tmp_path / "ctai-bot.sqlite3") as db:
        [(text,)] = db.execute("SELECT text FROM unmatched").fetchall()
    assert len(text) <= 300 and text.endswith("…")


def test_forget_deletes_the_person(tmp_path) -> None:
    bot = service(tmp_path)
    bot.handle(1, Start("fr"), now=NOW)
    bot.handle(1, Command("forget"), now=NOW)
    with sqlite3.connect(tmp_path / "ctai-bot.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM people").fetchone() == (0,)


def test_people_silent_too_long_and_old_unmatched_messages_are_purged(tmp_path) -> None:
    bot = service(tmp_path, inactive_days=180, unmatched_days=30)
    bot.handle(1, Text("zorglub ancien"), now=NOW - dt.timedelta(days=200))
    bot.handle(2, Text("zorglub récent"), now=NOW - dt.timedelta(days=10))
    deleted = bot.store.purge(NOW.date(), inactive_days=180, unmatched_days=30)
    assert deleted == 1
    with sqlite3.connect(tmp_path / "ctai-bot.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM people").fetchone() == (1,)
        texts = [row[0] for row in db.execute("SELECT text FROM unmatched")]
    assert texts == ["zorglub récent"]


def test_unmatched_messages_are_not_kept_when_disabled(tmp_path) -> None:
    bot = service(tmp_path, unmatched_days=0)
    bot.handle(1, Text("zorglub"), now=NOW)
    with sqlite3.connect(tmp_path / "ctai-bot.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM unmatched").fetchone() == (0,)


def test_counts_are_anonymous(tmp_path) -> None:
    bot = service(tmp_path)
    for person in range(3):
        bot.handle(person, Start("fr_housing"), now=NOW)
    with sqlite3.connect(tmp_path / "ctai-bot.sqlite3") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(counts)")]
        people = db.execute(
            "SELECT period, n FROM counts WHERE kind = 'people' ORDER BY period"
        ).fetchall()
    assert columns == ["period", "kind", "key", "n"]
    assert people == [("2026-11", 3), ("2026-11-28", 3), ("2026-W48", 3)]
