"""The SQLite store: a person's language and audience answer, anonymous daily counts.

Nothing else is kept. People are stored under a keyed hash of their Telegram id, so the file
alone does not say who used the bot; the key lives in a separate file beside it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import functools
import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from bot.dialogue.model import Signal, State
from bot.redact import redact

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    person TEXT PRIMARY KEY,
    lang TEXT,
    audience TEXT,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counts (
    period TEXT NOT NULL,     -- a day (2026-11-28), an ISO week (2026-W48) or a month (2026-11)
    kind TEXT NOT NULL,       -- people, message, theme, action, emergency, unmatched
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (period, kind, key)
);
CREATE TABLE IF NOT EXISTS answered (
    update_id INTEGER PRIMARY KEY   -- Telegram updates already answered, the latest few
);
CREATE TABLE IF NOT EXISTS unmatched (
    day TEXT NOT NULL,
    text TEXT NOT NULL,       -- redacted (bot/redact.py): words, no phone, e-mail or long number
    person TEXT               -- the keyed id, only so that /forget deletes it; never shown
);
"""
TICKETS = """
CREATE TABLE IF NOT EXISTS tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,   -- the number staff see: #142
    person TEXT NOT NULL,     -- the keyed code, as in people: /forget finds the tickets
    sealed TEXT NOT NULL,     -- the chat to answer, encrypted with the key (never shown)
    lang TEXT NOT NULL,
    theme TEXT,
    opened TEXT NOT NULL,     -- UTC, ISO 8601
    answered TEXT,            -- the team's first answer
    closed TEXT,
    nudged INTEGER NOT NULL DEFAULT 0,  -- the person was told nobody answered in time
    header INTEGER,           -- the ticket's first message in the staff group
    thread INTEGER            -- its forum topic, when the group has topics
);
CREATE TABLE IF NOT EXISTS ticket_messages (
    staff_message INTEGER PRIMARY KEY,  -- a message in the staff group: a reply to it
    ticket INTEGER NOT NULL             -- goes to this ticket's person
);
CREATE TABLE IF NOT EXISTS staff_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- sent in this order, deleted once sent
    ticket INTEGER NOT NULL,
    text TEXT NOT NULL,       -- may quote the person: kept only until it is sent
    role TEXT NOT NULL        -- header (the ticket's first message), message, or notice
);
CREATE TABLE IF NOT EXISTS ticket_stats (
    id INTEGER PRIMARY KEY,   -- the ticket's number; the ticket itself is deleted later
    day TEXT NOT NULL, lang TEXT NOT NULL, theme TEXT,
    minutes INTEGER           -- to the first answer; NULL: never answered
);
"""


@dataclass(frozen=True)
class Ticket:
    id: int
    lang: str
    theme: str | None
    opened: dt.datetime
    answered: dt.datetime | None
    closed: dt.datetime | None
    header: int | None
    thread: int | None = None


MIGRATIONS = {
    "unmatched": ("person", "ALTER TABLE unmatched ADD COLUMN person TEXT"),
    "tickets": ("thread", "ALTER TABLE tickets ADD COLUMN thread INTEGER"),
}
"""Columns added since the first release; applied once, in order, to an older file."""


class StoreError(Exception):
    """The data folder cannot be used safely; the message says why and what to do."""


ANSWERED_KEPT = 1000
"""Telegram redelivers at most the updates of one getUpdates batch (100) after a crash."""


def hold_data_dir(directory: Path) -> IO[str]:
    """One running bot per data folder: two would answer every person twice. The lock is
    the operating system's, so it goes with the process, even after ``kill -9``."""
    directory.mkdir(parents=True, exist_ok=True)
    handle = (directory / "ctai-bot.lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StoreError(
            f"another ctai-bot (pid {holder}) is already serving {directory}: stop it first, "
            "or give this one its own CTAI_DATA_DIR"
        ) from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _periods(day: dt.date) -> tuple[str, str, str]:
    year, week, _ = day.isocalendar()
    return day.isoformat(), f"{year}-W{week:02d}", f"{day:%Y-%m}"


def _serialised(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def locked(self: Store, *args: Any, **kwargs: Any) -> T:
        with self.lock:
            return method(self, *args, **kwargs)

    return locked


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.lock = threading.RLock()
        """Typed messages are handled in worker threads, the daily purge on the event loop:
        one transaction at a time on the one connection."""
        self.db = self._open()
        self._key = self._load_key(path.with_suffix(".key"))

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA + TICKETS)
            for table, (column, statement) in MIGRATIONS.items():
                if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                    db.execute(statement)
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"{self.path} cannot be used ({error}): if it is damaged, move it away and "
                "restore your last backup (README, 'Where the data lives')"
            ) from None
        self._inode = self.path.stat().st_ino
        return db

    def _load_key(self, path: Path) -> bytes:
        """The key that turns Telegram ids into stored codes. Made once; a key lost while
        the database holds people would silently forget all of them, so it is an error."""
        key = path.read_bytes() if path.exists() else b""
        if len(key) >= 32:
            return key
        if self.db.execute("SELECT 1 FROM people LIMIT 1").fetchone():
            state = "is empty" if path.exists() else "is missing"
            raise StoreError(
                f"{path} {state} but {self.path.name} holds people: restore the key from "
                "your backup (without it every person's choices are lost), or move both "
                "files away to start afresh"
            )
        key = secrets.token_bytes(32)
        path.write_bytes(key)
        path.chmod(0o600)
        return key

    def check(self) -> None:
        """Before serving: the file passes SQLite's quick check and can be written."""
        with self.lock:
            try:
                verdict = self.db.execute("PRAGMA quick_check").fetchone()[0]
                if verdict != "ok":
                    raise sqlite3.DatabaseError(verdict)
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute("ROLLBACK")
            except sqlite3.DatabaseError as error:
                raise StoreError(
                    f"{self.path} cannot be used ({error}): check that the bot may write "
                    "there; if the file is damaged, move it away and restore your last backup"
                ) from None

    def still_there(self) -> bool:
        """False once the file was deleted or replaced under the running bot."""
        try:
            return self.path.stat().st_ino == self._inode
        except OSError:
            return False

    @_serialised
    def reopen(self) -> None:
        """After the file was deleted: a new, empty one, rather than writing into nothing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)  # the folder may be gone too
        old, self.db = self.db, self._open()
        old.close()
        key_file = self.path.with_suffix(".key")
        if not key_file.exists():  # gone with the folder: the key in memory is still good
            key_file.write_bytes(self._key)
            key_file.chmod(0o600)

    def person(self, user_id: int) -> str:
        """The keyed hash under which a Telegram user is stored (and may be logged)."""
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    @_serialised
    def load(self, person: str) -> State:
        row = self.db.execute(
            "SELECT lang, audience FROM people WHERE person = ?", (person,)
        ).fetchone()
        return State(lang=row[0], audience=row[1]) if row else State()

    @_serialised
    def save(self, person: str, state: State, today: dt.date, signals: Iterable[Signal]) -> None:
        """Remember the person's answers and count what happened, in one transaction."""
        with self.db:
            self.db.execute("BEGIN")
            row = self.db.execute(
                "SELECT last_seen FROM people WHERE person = ?", (person,)
            ).fetchone()
            last = dt.date.fromisoformat(row[0]) if row else None
            for new, old in zip(
                _periods(today), _periods(last) if last else ("",) * 3, strict=True
            ):
                if new != old:
                    self._bump(new, "people", "")
            self.db.execute(
                "INSERT INTO people (person, lang, audience, last_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(person) DO UPDATE SET lang = excluded.lang, "
                "audience = excluded.audience, last_seen = excluded.last_seen",
                (person, state.lang, state.audience, today.isoformat()),
            )
            self._count(today, signals)

    @_serialised
    def count(self, today: dt.date, signals: Iterable[Signal]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self._count(today, signals)

    def _count(self, today: dt.date, signals: Iterable[Signal]) -> None:
        day = today.isoformat()
        for signal in signals:
            self._bump(day, signal.kind, signal.key)

    def _bump(self, period: str, kind: str, key: str) -> None:
        self.db.execute(
            "INSERT INTO counts (period, kind, key, n) VALUES (?, ?, ?, 1) "
            "ON CONFLICT(period, kind, key) DO UPDATE SET n = n + 1",
            (period, kind, key),
        )

    @_serialised
    def answered_updates(self) -> set[int]:
        """Updates answered before a crash that Telegram may deliver again."""
        return {row[0] for row in self.db.execute("SELECT update_id FROM answered")}

    @_serialised
    def mark_answered(self, update_id: int) -> None:
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO answered (update_id) VALUES (?)", (update_id,))
            if update_id % ANSWERED_KEPT == 0:
                self.db.execute(
                    "DELETE FROM answered WHERE update_id NOT IN "
                    "(SELECT update_id FROM answered ORDER BY rowid DESC LIMIT ?)",
                    (ANSWERED_KEPT,),
                )

    @_serialised
    def forget(self, person: str) -> list[int]:
        """Delete everything about a person; returns their tickets' numbers (now gone), so
        the staff group can be told they were withdrawn."""
        with self.db:
            self.db.execute("BEGIN")  # all or nothing
            self.db.execute("DELETE FROM people WHERE person = ?", (person,))
            self.db.execute("DELETE FROM unmatched WHERE person = ?", (person,))
            tickets = [
                row[0]
                for row in self.db.execute("SELECT id FROM tickets WHERE person = ?", (person,))
            ]
            self.db.executemany(
                "DELETE FROM ticket_messages WHERE ticket = ?", [(t,) for t in tickets]
            )
            self.db.execute("DELETE FROM tickets WHERE person = ?", (person,))
            self.db.executemany(
                "DELETE FROM staff_outbox WHERE ticket = ?", [(t,) for t in tickets]
            )
        return tickets

    @_serialised
    def to_staff(self, ticket: int, text: str, role: str = "message") -> None:
        """Queue a message for the staff group: it survives a restart until it is sent."""
        with self.db:
            self.db.execute(
                "INSERT INTO staff_outbox (ticket, text, role) VALUES (?, ?, ?)",
                (ticket, text, role),
            )

    @_serialised
    def next_for_staff(self) -> tuple[int, int, str, str] | None:
        """The oldest queued staff message: (id, ticket, text, role)."""
        return self.db.execute(
            "SELECT id, ticket, text, role FROM staff_outbox ORDER BY id LIMIT 1"
        ).fetchone()

    @_serialised
    def sent_to_staff(self, entry: int, ticket: int, message: int | None, role: str) -> None:
        """Done: remember which staff message belongs to the ticket, and unqueue it."""
        with self.db:
            self.db.execute("BEGIN")  # all or nothing
            if message is not None and role in ("header", "message"):
                self.db.execute(
                    "INSERT OR REPLACE INTO ticket_messages (staff_message, ticket) VALUES (?, ?)",
                    (message, ticket),
                )
                if role == "header":
                    self.db.execute("UPDATE tickets SET header = ? WHERE id = ?", (message, ticket))
            self.db.execute("DELETE FROM staff_outbox WHERE id = ?", (entry,))

    # -- "Talk to a person": tickets ---------------------------------------------------

    def _pad(self, ticket: int) -> int:
        digest = hmac.new(self._key, f"ticket:{ticket}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")

    @_serialised
    def open_ticket(
        self, person: str, chat_id: int, lang: str, theme: str | None, now: dt.datetime
    ) -> int:
        """A new ticket, or the person's open one. The chat id is kept only sealed with the
        key (XOR with a keyed pad per ticket): the file alone does not say who asked."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute(
                "SELECT id FROM tickets WHERE person = ? AND closed IS NULL", (person,)
            ).fetchone()
            if row:
                return int(row[0])
            number = self.db.execute(
                "INSERT INTO tickets (person, sealed, lang, theme, opened) VALUES (?, '', ?, ?, ?)",
                (person, lang, theme, now.isoformat()),
            ).lastrowid
            assert number is not None
            sealed = (chat_id & (2**64 - 1)) ^ self._pad(number)
            self.db.execute("UPDATE tickets SET sealed = ? WHERE id = ?", (str(sealed), number))
            self.db.execute(
                "INSERT OR REPLACE INTO ticket_stats (id, day, lang, theme) VALUES (?, ?, ?, ?)",
                (number, now.date().isoformat(), lang, theme),
            )
            return number

    _TICKET = "SELECT id, lang, theme, opened, answered, closed, header, thread FROM tickets "

    @staticmethod
    def _ticket(row: tuple[Any, ...] | None) -> Ticket | None:
        if row is None:
            return None
        moment = lambda v: dt.datetime.fromisoformat(v) if v else None  # noqa: E731
        return Ticket(
            row[0], row[1], row[2], moment(row[3]), moment(row[4]), moment(row[5]), row[6], row[7]
        )

    @_serialised
    def open_ticket_of(self, person: str) -> Ticket | None:
        return self._ticket(
            self.db.execute(
                self._TICKET + "WHERE person = ? AND closed IS NULL", (person,)
            ).fetchone()
        )

    @_serialised
    def ticket(self, number: int) -> Ticket | None:
        return self._ticket(self.db.execute(self._TICKET + "WHERE id = ?", (number,)).fetchone())

    @_serialised
    def ticket_chat(self, number: int) -> int | None:
        row = self.db.execute("SELECT sealed FROM tickets WHERE id = ?", (number,)).fetchone()
        if not row or not row[0]:
            return None
        value = int(row[0]) ^ self._pad(number)
        return value - 2**64 if value >= 2**63 else value

    @_serialised
    def link_staff_message(self, number: int, staff_message: int, *, header: bool = False) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO ticket_messages (staff_message, ticket) VALUES (?, ?)",
                (staff_message, number),
            )
            if header:
                self.db.execute(
                    "UPDATE tickets SET header = ? WHERE id = ?", (staff_message, number)
                )

    @_serialised
    def set_ticket_thread(self, number: int, thread: int) -> None:
        with self.db:
            self.db.execute("UPDATE tickets SET thread = ? WHERE id = ?", (thread, number))

    @_serialised
    def ticket_of_thread(self, thread: int) -> Ticket | None:
        return self._ticket(
            self.db.execute(self._TICKET + "WHERE thread = ?", (thread,)).fetchone()
        )

    @_serialised
    def ticket_of_staff_message(self, staff_message: int) -> Ticket | None:
        row = self.db.execute(
            "SELECT ticket FROM ticket_messages WHERE staff_message = ?", (staff_message,)
        ).fetchone()
        return self.ticket(row[0]) if row else None

    @_serialised
    def ticket_answered(self, number: int, now: dt.datetime) -> None:
        """The team's first answer: kept on the ticket and, as minutes, in the stats."""
        with self.db:
            row = self.db.execute(
                "SELECT opened FROM tickets WHERE id = ? AND answered IS NULL", (number,)
            ).fetchone()
            if not row:
                return
            self.db.execute(
                "UPDATE tickets SET answered = ? WHERE id = ?", (now.isoformat(), number)
            )
            minutes = (now - dt.datetime.fromisoformat(row[0])).total_seconds() // 60
            self.db.execute(
                "UPDATE ticket_stats SET minutes = ? WHERE id = ?", (int(minutes), number)
            )

    @_serialised
    def close_ticket(self, number: int, now: dt.datetime) -> bool:
        """True if it was open (so each side is told once)."""
        with self.db:
            return bool(
                self.db.execute(
                    "UPDATE tickets SET closed = ? WHERE id = ? AND closed IS NULL",
                    (now.isoformat(), number),
                ).rowcount
            )

    @_serialised
    def open_tickets(self) -> list[Ticket]:
        rows = self.db.execute(self._TICKET + "WHERE closed IS NULL ORDER BY opened, id")
        return [t for row in rows.fetchall() if (t := self._ticket(row))]

    @_serialised
    def overdue_tickets(self, now: dt.datetime, hours: int) -> list[Ticket]:
        """Open, never answered, older than ``hours``, and the person not yet told; marked."""
        limit = (now - dt.timedelta(hours=hours)).isoformat()
        with self.db:
            self.db.execute("BEGIN")  # all or nothing
            rows = self.db.execute(
                self._TICKET + "WHERE closed IS NULL AND answered IS NULL AND nudged = 0 "
                "AND opened < ?",
                (limit,),
            ).fetchall()
            self.db.executemany(
                "UPDATE tickets SET nudged = 1 WHERE id = ?", [(r[0],) for r in rows]
            )
        return [t for row in rows if (t := self._ticket(row))]

    @_serialised
    def ticket_figures(
        self, since: dt.date, until: dt.date
    ) -> list[tuple[str, str | None, int | None]]:
        """(lang, theme, minutes to the first answer or None), one per request: no content."""
        return self.db.execute(
            "SELECT lang, theme, minutes FROM ticket_stats WHERE day BETWEEN ? AND ?",
            (since.isoformat(), until.isoformat()),
        ).fetchall()

    @_serialised
    def keep_unmatched(self, today: dt.date, text: str, person: str | None = None) -> None:
        """Keep a message nothing matched, redacted, with the person's code for /forget."""
        with self.db:
            self.db.execute(
                "INSERT INTO unmatched (day, text, person) VALUES (?, ?, ?)",
                (today.isoformat(), redact(text), person),
            )

    @_serialised
    def purge(
        self, today: dt.date, *, inactive_days: int, unmatched_days: int, ticket_days: int = 30
    ) -> int:
        """Delete people silent for too long, old unmatched messages, and tickets closed more
        than ``ticket_days`` ago; returns people deleted."""
        with self.db:
            self.db.execute("BEGIN")  # all or nothing
            old = (today - dt.timedelta(days=ticket_days)).isoformat()
            self.db.execute(
                "DELETE FROM ticket_messages WHERE ticket IN "
                "(SELECT id FROM tickets WHERE closed IS NOT NULL AND closed < ?)",
                (old,),
            )
            self.db.execute("DELETE FROM tickets WHERE closed IS NOT NULL AND closed < ?", (old,))
            people = self.db.execute(
                "DELETE FROM people WHERE last_seen < ?",
                ((today - dt.timedelta(days=inactive_days)).isoformat(),),
            ).rowcount
            self.db.execute(
                "DELETE FROM unmatched WHERE day <= ?",
                ((today - dt.timedelta(days=unmatched_days)).isoformat(),),
            )
            # A ticket still open when its person was deleted for silence: nobody to answer.
            self.db.execute(
                "DELETE FROM ticket_messages WHERE ticket IN (SELECT id FROM tickets "
                "WHERE person NOT IN (SELECT person FROM people))"
            )
            self.db.execute("DELETE FROM tickets WHERE person NOT IN (SELECT person FROM people)")
        return people

    def close(self) -> None:
        self.db.close()
