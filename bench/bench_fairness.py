"""Issue 14, "nobody can take the bot down for everyone": fairness, throughput and memory.

Run: ``CTAI_CACHE_DIR=/tmp/ctai-cache .venv/bin/python bench/bench_fairness.py`` (under three
minutes, about one of them the memory run; progress goes to stderr). As in ``bench_load.py``,
the real bot (PTB Application, our polling loop, the SQLite store, the shipped catalogue) runs
in this process pinned to core 0, and the fake Bot API runs in a child process pinned to core
1, driven through a pipe. Telegram's send limit is off: this is the bot's own speed.

1. **Fairness under long messages.** Updates arrive paced at ``RATE`` a second for
   ``PACED_SECONDS`` seconds; ``LONG_SHARE`` of them are 4,096-character texts from a few
   long-text accounts, the rest ordinary short messages from the others. The bot runs as in
   production, with the semantic model. Reported: the latency of the ordinary people's
   updates only (inside PTB, from handler group -1 to group 1, and from injection into the
   fake server to the end of handling: it grows when the bot falls behind; what is not
   handled ``GRACE_SECONDS`` after the last arrival counts as infinitely late), and what
   became of the long texts (the flood guard is expected to slow their senders down; it
   judges when a message is handled, so a bot that falls behind lets more of them through).
   Target: p99 of the handling latency under 100 ms.
2. **Throughput against a bare PTB echo bot.** The same burst of ``BURST_PEOPLE`` x
   ``BURST_PER_PERSON`` updates, injected at once, answered by a minimal PTB Application
   (one MessageHandler, PTB's own polling, default settings) and by our bot matching on
   keywords alone (the framework's overhead, not the model's). Target: ours/echo >= 0.8.
3. **Memory.** Sending 200,000 "/start" through the fake server would take about 20 minutes
   at our speed, so the 200,000 people's "/start" skip the HTTP round trips: each goes
   through the flood guard, the window of answered updates and ``Service.handle`` (the
   dialogue, the service's per-person memory, the SQLite store) of the bot that has just
   served the burst; RSS before and after. PTB's own per-user and per-chat data are counted
   too (they would grow with real updates, if at all).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.dialogue.model import Start  # noqa: E402
from bot.flood import FloodGuard, Verdict  # noqa: E402
from bot.matching.semantic import Semantics, default_semantics  # noqa: E402
from bot.polling import Poller  # noqa: E402
from bot.service import Service  # noqa: E402
from bot.telegram_app import TelegramAdapter, build_application, started  # noqa: E402
from tests.fakebotapi import FakeBotAPI  # noqa: E402
from tests.harness import TOKEN, config_for  # noqa: E402

SEED = 14
SHORT = ["/start", "cours de français", "logement", "/menu", "médecin", "je cherche du travail",
         "papiers préfecture", "sport", "ordinateur", "école enfants"]  # fmt: skip
LONG_TEXT = ("logement colocation cours français médecin travail papiers " * 70)[:4096]

RATE = 100
"""Updates a second in the fairness run."""
PACED_SECONDS = 20
PACED_PEOPLE = 500
"""Distinct people in the fairness run, the long-text accounts included."""
LONG_SENDERS = 5
LONG_SHARE = 0.05
TARGET_P99_MS = 100.0
GRACE_SECONDS = 20.0
"""After the last arrival the fairness run waits this long for the bot to catch up; an
update not handled by then counts as infinitely late."""

BURST_PEOPLE = 500
BURST_PER_PERSON = 10
WARM_PEOPLE = 50
"""Warm-up before each measured run: this many other people, ``BURST_PER_PERSON`` each."""
TARGET_RATIO = 0.8

MEMORY_PEOPLE = 200_000
WAIT_SECONDS = 120.0
"""Give up waiting for a burst's answers after this long (the table says how many came)."""

Script = list[tuple[int, str]]
"""Updates to inject, in order: (user id, text)."""


# ---------------------------------------------------------------- the fake server's process


def fake_server(conn: Connection) -> None:
    """The fake Bot API in its own process: a fresh server per run, updates injected on
    command (a burst all at once, or paced)."""
    os.sched_setaffinity(0, {1} if (os.cpu_count() or 1) > 1 else {0})
    api: FakeBotAPI | None = None
    while True:
        command, argument = conn.recv()
        if command == "start":
            if api is not None:
                api.stop()
            api = FakeBotAPI(token=TOKEN).start()
            conn.send(api.base_url)
        elif api is not None and command == "burst":
            # Under the fake's lock: the bot sees the whole burst at once, and the clock
            # starts when the burst is in.
            with api._cond:
                for user_id, text in argument:
                    api.send_text(user_id, text, language_code="fr")
            conn.send(None)
        elif api is not None and command == "paced":
            rate, script = argument
            injected: dict[int, float] = {}
            late = 0.0
            started = time.monotonic()
            for i, (user_id, text) in enumerate(script):
                due = started + i / rate
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                late = max(late, time.monotonic() - due)
                injected[api.send_text(user_id, text, language_code="fr")] = time.monotonic()
            conn.send((injected, late, time.monotonic() - started))
        elif api is not None and command == "sent":
            conn.send(api.sent_count())
        else:
            if api is not None:
                api.stop()
            return


class Link:
    """The pipe to the fake server. A request waits in a thread of its own (not one of the
    bot's worker threads), and the bot runs meanwhile."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.waiter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="link")

    async def ask(self, command: str, argument: Any = None) -> Any:
        def exchange() -> Any:
            self.conn.send((command, argument))
            return self.conn.recv()

        return await asyncio.get_running_loop().run_in_executor(self.waiter, exchange)


# ---------------------------------------------------------------- measuring in the bot


@dataclass
class Handled:
    user_id: int
    ended: float
    """time.monotonic() at the end of handling (comparable with the child's clock)."""
    ms: float
    """Handling time inside PTB, handler group -1 to group 1."""


class Meter:
    """Times each update inside PTB: a TypeHandler in group -1 starts the clock, one in
    group 1 (after the bot's own handlers, group 0) stops it."""

    def __init__(self, application: Application) -> None:
        self.starts: dict[int, float] = {}
        self.handled: dict[int, Handled] = {}
        self._target = 0
        self._reached = asyncio.Event()
        application.add_handler(TypeHandler(Update, self._begin), group=-1)
        application.add_handler(TypeHandler(Update, self._end), group=1)

    async def _begin(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        self.starts[update.update_id] = time.monotonic()

    async def _end(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        now = time.monotonic()
        user_id = update.effective_user.id if update.effective_user else 0
        started = self.starts.pop(update.update_id, now)
        self.handled[update.update_id] = Handled(user_id, now, (now - started) * 1000)
        if len(self.handled) >= self._target:
            self._reached.set()

    async def until(self, count: int, timeout: float = WAIT_SECONDS) -> bool:
        """Wait until ``count`` updates in all were handled; False after ``timeout``."""
        self._target = count
        self._reached.clear()
        if len(self.handled) >= count:
            return True
        try:
            await asyncio.wait_for(self._reached.wait(), timeout)
        except TimeoutError:
            return False
        return True


def adapter_of(application: Application) -> TelegramAdapter:
    """The adapter behind ``build_application``'s handlers."""
    callback: Any = application.handlers[0][0].callback
    return callback.__self__


def record_verdicts(guard: FloodGuard) -> list[tuple[float, Verdict]]:
    """Every flood-guard verdict from now on, with the message's price (a long text costs
    more than 2)."""
    verdicts: list[tuple[float, Verdict]] = []
    check = guard.check

    def recorded(person: str, now: float | None = None, price: float = 1.0) -> Verdict:
        verdict = check(person, now, price)
        verdicts.append((price, verdict))
        return verdict

    guard.check = recorded  # type: ignore[method-assign]
    return verdicts


@contextlib.asynccontextmanager
async def our_bot(
    base_url: str, data_dir: Path, semantics: Semantics | None
) -> AsyncIterator[tuple[Application, Meter, Poller]]:
    """The bot as ``ctai-bot run`` serves it (minus signals), polling the fake server."""
    config = config_for(type("Api", (), {"base_url": base_url})(), ROOT / "catalogue", data_dir)
    service = Service(config.settings, semantics=semantics)
    application = build_application(service, config)
    meter = Meter(application)
    poller = Poller(application, timeout=1)
    async with started(application, poller.run()):
        yield application, meter, poller
    service.store.close()


@contextlib.asynccontextmanager
async def echo_bot(base_url: str) -> AsyncIterator[tuple[Application, Meter]]:
    """A bare PTB echo bot: default settings, PTB's own polling."""

    async def echo(update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message and update.message.text:
            await update.message.reply_text(update.message.text)

    application = ApplicationBuilder().token(TOKEN).base_url(base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    meter = Meter(application)
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(timeout=1)
        await application.start()
        try:
            yield application, meter
        finally:
            await application.updater.stop()
            await application.stop()


# ---------------------------------------------------------------- the three runs


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def burst_script(first_id: int, people: int) -> Script:
    """Each person's ``BURST_PER_PERSON`` messages, round-robin over the people."""
    return [
        (first_id + person, SHORT[round_ % len(SHORT)])
        for round_ in range(BURST_PER_PERSON)
        for person in range(people)
    ]


def paced_script(rng: random.Random) -> tuple[Script, set[int]]:
    """``LONG_SHARE`` long texts from the long-text accounts, the rest short messages from
    the others (each about the same number), shuffled; and the long-text accounts' ids."""
    total = RATE * PACED_SECONDS
    longs = set(rng.sample(range(total), round(total * LONG_SHARE)))
    senders = [800_001 + i for i in range(LONG_SENDERS)]
    ordinary = list(range(1, PACED_PEOPLE - LONG_SENDERS + 1))
    who = (ordinary * (total // len(ordinary) + 1))[: total - len(longs)]
    rng.shuffle(who)
    turns = iter(senders * len(longs))  # the long-text accounts take turns
    script = [
        (next(turns), LONG_TEXT) if i in longs else (who.pop(), rng.choice(SHORT))
        for i in range(total)
    ]
    return script, set(senders)


@dataclass
class Fairness:
    total: int
    handled: int
    others_ms: list[float]
    """Handling time of the ordinary people's updates, inside PTB (inf: not handled)."""
    others_e2e_ms: list[float]
    """From injection into the fake server to the end of handling (inf: not handled)."""
    long_verdicts: dict[str, int]
    """The flood guard's verdict on each long text handled ("ok": answered)."""
    others_slowed: int
    injected_in: float
    late_ms: float
    caught_up_in: float
    """From the first arrival to the last update handled."""


async def fairness(link: Link, data_dir: Path) -> Fairness:
    script, senders = paced_script(random.Random(SEED))
    semantics = default_semantics()
    async with our_bot(await link.ask("start"), data_dir, semantics) as (app, meter, _):
        verdicts = record_verdicts(adapter_of(app).flood)
        warm = [(700_000 + i, text) for i, text in enumerate([*SHORT, LONG_TEXT, *SHORT])]
        await link.ask("burst", warm)  # also loads the model
        await meter.until(len(warm))
        verdicts.clear()
        injected, late, took = await link.ask("paced", (RATE, script))
        await meter.until(len(warm) + len(script), timeout=GRACE_SECONDS)
        handled = dict(meter.handled)  # not what is finished while shutting down
        seen = list(verdicts)
    never = Handled(0, math.inf, math.inf)
    others = [
        (number, handled.get(number, never))
        for number, (user_id, _) in zip(injected, script, strict=True)
        if user_id not in senders
    ]
    done = [h for number, h in handled.items() if number in injected]
    longs = [verdict for price, verdict in seen if price > 2]
    return Fairness(
        total=len(script),
        handled=len(done),
        others_ms=[h.ms for _, h in others],
        others_e2e_ms=[(h.ended - injected[number]) * 1000 for number, h in others],
        long_verdicts={v: longs.count(v) for v in ("ok", "warn", "drop")},
        others_slowed=sum(1 for price, verdict in seen if price <= 2 and verdict != "ok"),
        injected_in=took,
        late_ms=late * 1000,
        caught_up_in=max(h.ended for h in done) - min(injected.values()),
    )


@dataclass
class Throughput:
    rate: float
    handled: int
    sent: int


async def measure_burst(link: Link, meter: Meter) -> Throughput:
    """Warm up, then time the burst from the moment it is in the fake server."""
    warm = burst_script(900_001, WARM_PEOPLE)
    await link.ask("burst", warm)
    await meter.until(len(warm))
    sent_before = await link.ask("sent")
    script = burst_script(1, BURST_PEOPLE)
    await link.ask("burst", script)
    started = time.monotonic()
    await meter.until(len(warm) + len(script))
    elapsed = time.monotonic() - started
    handled = len(meter.handled) - len(warm)
    return Throughput(handled / elapsed, handled, await link.ask("sent") - sent_before)


@dataclass
class Memory:
    before: float
    after: float
    remembered: dict[str, int]


def feed_people(application: Application) -> Memory:
    """``MEMORY_PEOPLE`` new people, one "/start" each, through the flood guard, the window
    of answered updates and the service (the dialogue, its in-memory per-person state and
    the database): everything but the HTTP round trips."""
    adapter = adapter_of(application)
    service = adapter.service
    gc.collect()
    before = rss_mib()
    for i in range(MEMORY_PEOPLE):
        user_id = 50_000_000 + i
        adapter.flood.check(service.store.person(user_id))
        adapter.answered.add(10_000_000 + i)
        service.handle(user_id, Start(""), client_lang="fr")
    gc.collect()
    return Memory(
        before,
        rss_mib(),
        {
            "answered window": len(adapter.answered),
            "PTB user_data": len(application.user_data),
            "PTB chat_data": len(application.chat_data),
        },
    )


async def ours(link: Link, data_dir: Path) -> tuple[Throughput, Memory, dict[str, int]]:
    async with our_bot(await link.ask("start"), data_dir, None) as (app, meter, poller):
        throughput = await measure_burst(link, meter)
        dispatcher = poller.dispatcher
        held = {
            "in flight": len(dispatcher.in_flight),
            "per-person chains": len(dispatcher.last_of),
            "done, unconfirmed": len(dispatcher.done),
        }
        memory = await asyncio.to_thread(feed_people, app)
    return throughput, memory, held


async def echo(link: Link) -> Throughput:
    async with echo_bot(await link.ask("start")) as (_, meter):
        return await measure_burst(link, meter)


# ---------------------------------------------------------------- the table


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(
    fair: Fairness, bare: Throughput, mine: Throughput, memory: Memory, held: dict[str, int]
) -> None:
    def row(what: str, value: str, target: str = "") -> None:
        print(f"  {what:<44} {value:<36} {target}".rstrip())

    def p50_p99(values: list[float]) -> str:
        p50, p99 = (percentile(values, q) for q in (0.5, 0.99))
        return " / ".join(f"{p:.1f} ms" if math.isfinite(p) else "never" for p in (p50, p99))

    p99 = percentile(fair.others_ms, 0.99)
    server_core = 1 if (os.cpu_count() or 1) > 1 else 0
    print(f"issue 14 bench: the bot on core 0, the fake Bot API on core {server_core}")
    print(
        f"\n1. fairness: {RATE} updates/s for {PACED_SECONDS} s, {fair.total:,} updates from "
        f"{PACED_PEOPLE} people, {LONG_SHARE:.0%} of them {len(LONG_TEXT):,}-character texts "
        f"from {LONG_SENDERS} accounts; semantic model on"
    )
    row("injected", f"in {fair.injected_in:.1f} s, at most {fair.late_ms:.0f} ms late")
    pace = fair.handled / fair.caught_up_in
    row(
        "handled",
        f"{fair.handled:,} in {fair.caught_up_in:.1f} s ({pace:.0f} updates/s)",
        "" if fair.handled == fair.total else f"{GRACE_SECONDS:.0f} s after the last arrival",
    )
    target = f"p99 < {TARGET_P99_MS:.0f} ms: {verdict(p99 < TARGET_P99_MS)}"
    row("others: handling p50 / p99", p50_p99(fair.others_ms), target)
    row("others: arrival to answer p50 / p99", p50_p99(fair.others_e2e_ms))
    row("others slowed down or dropped", str(fair.others_slowed))
    v = fair.long_verdicts
    longs = f"{v['ok']} / {v['warn']} / {v['drop']}"
    row("long texts answered / slow down / dropped", longs, f"of {round(fair.total * LONG_SHARE)}")
    ratio = mine.rate / bare.rate
    print(
        f"\n2. throughput: a burst of {len(burst_script(1, BURST_PEOPLE)):,} updates from "
        f"{BURST_PEOPLE} people, injected at once"
    )
    row("bare PTB echo bot", f"{bare.rate:.0f} updates/s ({bare.sent:,} messages sent)")
    row("ctai-bot, keywords only", f"{mine.rate:.0f} updates/s ({mine.sent:,} messages sent)")
    row("ratio ours / echo", f"{ratio:.2f}", f">= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)}")
    print(f"\n3. memory: {MEMORY_PEOPLE:,} new people, one /start each, without HTTP")
    grew = memory.after - memory.before
    row("RSS", f"{memory.before:.1f} -> {memory.after:.1f} MiB ({grew:+.1f} MiB)")
    row("kept in memory", ", ".join(f"{k} {n:,}" for k, n in memory.remembered.items()))
    row("polling, after the burst", ", ".join(f"{k} {n}" for k, n in held.items()))


async def main() -> None:
    os.sched_setaffinity(0, {0})
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=fake_server, args=(child,), daemon=True)
    server.start()
    link = Link(parent)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.monotonic()
            fair = await fairness(link, Path(tmp) / "fairness")
            note(f"fairness run done at {time.monotonic() - started:.0f} s")
            bare = await echo(link)
            note(f"echo bot's burst done at {time.monotonic() - started:.0f} s")
            mine, memory, held = await ours(link, Path(tmp) / "burst")
            note(f"our burst and the memory run done at {time.monotonic() - started:.0f} s")
    finally:
        parent.send(("stop", None))
        server.join(timeout=10)
        link.waiter.shutdown()
    report(fair, bare, mine, memory, held)


if __name__ == "__main__":
    asyncio.run(main())
