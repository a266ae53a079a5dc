"""Opening hours in the OpenStreetMap syntax.

``Mo-Fr 09:00-12:30,14:00-17:00; Sa 10:00-12:00; PH off`` — the coordinator can copy it from
OSM or write it by hand. Whether a place is open now is answered by ``opening_hours_py`` (the
OSM specification as OSM tools read it: rule order, public holidays of the country); the
weekly spans below are only for showing the hours in a person's language, so the bot shows
the part of the syntax it can put in words (days and times) and refuses the rest.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from opening_hours import OpeningHours, ParserError

DAYS: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_RANGE = re.compile(r"^([0-2][0-9]):([0-5][0-9])-([0-2][0-9]):([0-5][0-9])$")


@dataclass(frozen=True)
class Span:
    day: int
    start: dt.time
    end: dt.time


def _days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS:
                raise ValueError(f"unknown day in {part!r} (use {', '.join(DAYS)})")
            start, end = DAYS.index(first), DAYS.index(last)
            if end < start:
                raise ValueError(f"day range {part!r} goes backwards")
            days.extend(range(start, end + 1))
        elif part in DAYS:
            days.append(DAYS.index(part))
        else:
            raise ValueError(f"unknown day {part!r} (use {', '.join(DAYS)})")
    return days


ALWAYS = "24/7"
"""Open (or answering) day and night, every day, as OpenStreetMap writes it."""


def _time(hours: str, minutes: str) -> dt.time:
    if hours == "24" and minutes == "00":
        return dt.time.max  # the end of the day, as in "Mo-Fr 18:00-24:00"
    if int(hours) > 23:
        raise ValueError(f"hour {hours} is not between 00 and 23")
    return dt.time(int(hours), int(minutes))


def parse_hours(text: str) -> tuple[Span, ...]:
    """Every opening span of the week; raises ValueError saying what is malformed."""
    if text.strip() == ALWAYS:
        return tuple(Span(day, dt.time.min, dt.time.max) for day in range(len(DAYS)))
    spans: list[Span] = []
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        day_spec, _, times = rule.partition(" ")
        if day_spec == "PH":  # public holidays are not modelled: the card says to check
            continue
        days = _days(day_spec)
        times = times.strip()
        # As in OpenStreetMap, a later rule replaces the earlier ones for its days:
        # "Mo-Fr 09:00-18:00; We off" is closed on Wednesday.
        spans = [span for span in spans if span.day not in days]
        if times == "off":
            continue
        if not times:
            raise ValueError(f"{rule!r} has days but no hours (e.g. 'Mo-Fr 09:00-12:00')")
        for window in times.split(","):
            match = _RANGE.match(window.strip())
            if not match:
                raise ValueError(f"malformed time range {window.strip()!r} (expected HH:MM-HH:MM)")
            start, end = _time(*match.group(1, 2)), _time(*match.group(3, 4))
            if end <= start:
                raise ValueError(f"time range {window.strip()!r} ends before it starts")
            spans.extend(Span(day, start, end) for day in days)
    if not spans:
        raise ValueError("no opening hours given")
    return tuple(spans)


COUNTRY = "FR"
"""Whose public holidays ``PH`` means (a territory elsewhere would set its own)."""


@functools.lru_cache(maxsize=4096)
def _compiled(hours: str, country: str) -> OpeningHours:
    return OpeningHours(hours, country=country, auto_country=False, auto_timezone=False)


def open_at(hours: str, moment: dt.datetime, country: str = COUNTRY) -> bool:
    """Whether a place with these hours is open at ``moment``, read as local time."""
    return _compiled(hours, country).is_open(moment.replace(tzinfo=None))


def check_hours(text: str) -> str:
    """Valid OSM hours the bot can put in words; raises ValueError saying where it is wrong."""
    try:
        OpeningHours(text, auto_country=False, auto_timezone=False)
    except ParserError as error:
        column = re.search(r"--> \d+:(\d+)", str(error))
        at = int(column.group(1)) if column else 0
        where = f" at {text[at - 1 :]!r}" if 0 < at <= len(text) else ""
        raise ValueError(
            f"opening hours are not in the OpenStreetMap format{where} "
            "(e.g. 'Mo-Fr 09:00-12:30,14:00-17:00; Sa 10:00-12:00; PH off')"
        ) from None
    parse_hours(text)
    return text
