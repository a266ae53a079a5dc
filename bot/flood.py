"""A per-person token bucket: someone sending 100 messages a second is slowed down politely,
once, and their extra messages are dropped quickly so nobody else waits behind them.

A message costs what it costs to read: a long text takes more tokens than a tap, so one
4,096-character message a second is a flood although one short message a second is not."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

BURST = 8
"""Messages a person may send at once (a few taps in a row are normal)."""
PER_SECOND = 1.0
"""...and then one a second, on average."""
REMEMBERED = 10_000
CHARS_PER_TOKEN = 1000
"""A text costs one token plus one per thousand characters (4,096 characters: about 5)."""


def cost(text: str) -> float:
    return 1.0 + len(text) / CHARS_PER_TOKEN


Verdict = Literal["ok", "warn", "drop"]


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGuard:
    def __init__(self, burst: int = BURST, per_second: float = PER_SECOND) -> None:
        self.burst, self.per_second = burst, per_second
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, person: str, now: float | None = None, price: float = 1.0) -> Verdict:
        """``ok``: answer; ``warn``: say "slow down" once; ``drop``: ignore quietly."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(person, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        self._buckets[person] = bucket
        if len(self._buckets) > REMEMBERED:
            self._buckets.popitem(last=False)
        if bucket.tokens >= min(price, self.burst):
            bucket.tokens -= price
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
