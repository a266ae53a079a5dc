"""A set that remembers only the last items added: memory stays flat however many people
write (the answered updates were a set that grew with every message)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable


class Recent:
    def __init__(self, items: Iterable[Hashable] = (), size: int = 10_000) -> None:
        self._order: deque[Hashable] = deque()
        self._items: set[Hashable] = set()
        self.size = size
        for item in items:
            self.add(item)

    def add(self, item: Hashable) -> None:
        if item in self._items:
            return
        self._order.append(item)
        self._items.add(item)
        if len(self._order) > self.size:
            self._items.discard(self._order.popleft())

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __len__(self) -> int:
        return len(self._items)
