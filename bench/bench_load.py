"""10,000 updates from 1,000 people in one burst, through the fake Bot API, on one core.

Run: ``.venv/bin/python bench/bench_load.py``. The real bot (PTB Application, our polling
loop, the SQLite store, the shipped catalogue) runs in this process, pinned to one core; the
fake Bot API server runs in a child process on the other core, so that the figures are the
bot's own. Telegram's send limit (about 30 messages a second, CTAI_OVERALL_RATE) is switched
off here: this measures how fast the bot itself could go.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import TypeHandler  # noqa: E402

from bot.polling import poll  # noqa: E402
from bot.service import Service  # noqa: E402
from bot.telegram_app import build_application, started  # noqa: E402
from tests.fakebotapi import FakeBotAPI  # noqa: E402
from tests.harness import TOKEN, config_for  # noqa: E402

PEOPLE = 1_000
PER_PERSON = 10
MESSAGES = ["/start", "cours de français", "logement", "/menu", "je cherche du travail",
            "médecin", "papiers préfecture", "sport", "ordinateur", "école enfants"]  # fmt: skip


def fake_server(conn: Connection) -> None:
    """The fake Bot API in its own process, driven through a pipe."""
    os.sched_setaffinity(0, {1} if os.cpu_count() and os.cpu_count() > 1 else {0})
    with FakeBotAPI(token=TOKEN) as api:
        conn.send(api.base_url)
        while True:
            command, argument = conn.recv()
            if command == "burst":
                for round_ in range(PER_PERSON):
                    for person in argument:
                        api.send_text(person, MESSAGES[round_], language_code="fr")
                conn.send(None)
            elif command == "sent":
                conn.send(api.sent_count())
            elif command == "per_person":
                counts: dict[int, int] = {}
                for message in api.sent():
                    counts[message["chat_id"]] = counts.get(message["chat_id"], 0) + 1
                conn.send(counts)
            else:
                return


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def burst(conn: Connection, people: range, answered: list[float]) -> float:
    expected = len(answered) + len(people) * PER_PERSON
    started = time.perf_counter()
    conn.send(("burst", list(people)))
    await asyncio.to_thread(conn.recv)
    while len(answered) < expected:
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def main() -> None:
    os.sched_setaffinity(0, {0})
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=fake_server, args=(child,), daemon=True)
    server.start()
    base_url = parent.recv()
    starts: dict[int, float] = {}
    latencies: list[float] = []

    async def begin(update: Update, _) -> None:
        starts[update.update_id] = time.perf_counter()

    async def end(update: Update, _) -> None:
        latencies.append((time.perf_counter() - starts.pop(update.update_id)) * 1000)

    with tempfile.TemporaryDirectory() as tmp:
        api = type("Api", (), {"base_url": base_url})()
        config = config_for(api, ROOT / "catalogue", Path(tmp) / "data")
        application = build_application(Service(config.settings), config)
        application.add_handler(TypeHandler(Update, begin), group=-1)
        application.add_handler(TypeHandler(Update, end), group=1)
        async with started(application, poll(application, timeout=1)):
            await burst(parent, range(900_001, 900_101), latencies)  # warm-up: 1,000 updates
            warm = rss_mib()
            latencies.clear()
            elapsed = await burst(parent, range(1, PEOPLE + 1), latencies)
            after = rss_mib()
    parent.send(("per_person", None))
    per_person = parent.recv()
    parent.send(("stop", None))
    server.join(timeout=10)
    total = PEOPLE * PER_PERSON
    answers = [per_person.get(p, 0) for p in range(1, PEOPLE + 1)]
    ordered = sorted(latencies)
    print(f"updates            {total} from {PEOPLE} people in one burst; bot on one core")
    print(
        f"answered           {len(latencies)} updates; messages per person {min(answers)}..{max(answers)}"
    )
    print(f"throughput         {total / elapsed:.0f} updates/s ({elapsed:.1f} s)")
    print(f"handling latency   p50 {statistics.median(ordered):.2f} ms, "
          f"p99 {ordered[int(0.99 * len(ordered))]:.2f} ms")  # fmt: skip
    print(
        f"memory (RSS)       {warm:.1f} MiB warm -> {after:.1f} MiB after ({after - warm:+.1f} MiB)"
    )


if __name__ == "__main__":
    asyncio.run(main())
