"""What an action, a theme or the emergency numbers look like on a small phone screen."""

from __future__ import annotations

import datetime as dt
import math

from babel import Locale

from bot.catalogue.hours import ALWAYS, DAYS, open_at, parse_hours
from bot.catalogue.model import (
    Action,
    Catalogue,
    EmergencyContact,
    Notice,
    Operator,
    Theme,
    pick,
)
from bot.catalogue.phones import display_phone
from bot.catalogue.reach import contact_reachable, operator_reachable, reachable, where_to_ask
from bot.dialogue.i18n import Markup, Strings, escape, language_name

EARTH_RADIUS_KM = 6371.0


def text_of(s: Strings, texts: dict[str, str]) -> tuple[str, bool]:
    """A catalogue text in the person's language, and whether it fell back to another."""
    found = pick(texts, s.lang)
    return (found.text, found.fell_back) if found else ("", False)


def theme_label(s: Strings, theme: Theme) -> str:
    return f"{theme.emoji} {text_of(s, theme.label)[0]}"


def _days(s: Strings, first: int, last: int) -> str:
    names = Locale.parse(s.lang).days["format"]["abbreviated"]
    return names[first] if first == last else f"{names[first]}–{names[last]}"


def hours_text(s: Strings, hours: str) -> str:
    """``Mo-Fr 09:00-12:30,14:00-17:00`` in the person's language: ``lun.–ven. 09:00–12:30, …``."""
    if hours.strip() == ALWAYS:
        return s._("day and night, every day")
    by_day: dict[int, list[str]] = {}
    for span in parse_hours(hours):
        end = "24:00" if span.end == dt.time.max else f"{span.end:%H:%M}"
        by_day.setdefault(span.day, []).append(f"{span.start:%H:%M}–{end}")
    groups: list[tuple[int, int, str]] = []
    for day in range(len(DAYS)):
        windows = ", ".join(by_day.get(day, []))
        if windows and groups and groups[-1][1] == day - 1 and groups[-1][2] == windows:
            groups[-1] = (groups[-1][0], day, windows)
        elif windows:
            groups.append((day, day, windows))
    return "; ".join(f"{_days(s, first, last)} {s.isolate(w)}" for first, last, w in groups)


def _phone_line(s: Strings, operator: Operator, phone: str) -> str:
    costs = {
        "free": s._("free call"),
        "local-call": s._("price of a local call"),
        "free-service": s._("free service, you pay only the call"),
    }
    line = "📞 " + s.isolate(escape(display_phone(phone)))
    if operator.phone_cost:
        line += f" ({costs[operator.phone_cost]})"
    if operator.phone_hours:
        line += " — " + hours_text(s, operator.phone_hours)
    return line


def _hours_line(s: Strings, hours: str, now: dt.datetime) -> str:
    state = s._("open now") if open_at(hours, now) else s._("closed now")
    return f"🕒 {hours_text(s, hours)} — <i>{state}</i>"


def _where_lines(s: Strings, operator: Operator) -> list[str]:
    if operator.address:
        a = operator.address
        return ["📍 " + s.isolate(escape(f"{a.street}, {a.postcode} {a.city}"))]
    location, _ = text_of(s, operator.location)
    if location:
        return ["📍 " + escape(location)]
    if not operator.place:
        return [s._("📵 No office to visit.")]
    return []


def caveat_lines(s: Strings, entries: list[Action | Operator]) -> list[str]:
    """The doubts a person must know about (an old number, hours from 2019)."""
    lines = []
    for entry in entries:
        text, _ = text_of(s, entry.caveat)
        if text:
            lines.append("⚠️ " + escape(text))
    return lines


def notice_lines(s: Strings, notices: list[Notice], today: dt.date) -> list[str]:
    """Temporary notices valid today (closed for holidays, moved, new hours)."""
    lines = []
    for notice in notices:
        text, _ = text_of(s, notice.text)
        if notice.shown_on(today) and text:
            lines.append(f"📢 <b>{escape(text)}</b>")
    return lines


def _operator_lines(
    s: Strings, operator: Operator, now: dt.datetime, *, hours: bool = True
) -> list[str]:
    lines = [f"🏢 <b>{s.isolate(escape(operator.name))}</b>"]
    lines += notice_lines(s, operator.notices, now.date())
    lines += _where_lines(s, operator)
    lines += [_phone_line(s, operator, phone) for phone in operator.phones]
    if operator.email:
        lines.append("✉️ " + s.isolate(escape(operator.email)))
    if operator.website:
        lines.append("🌐 " + s.isolate(escape(operator.website)))
    if operator.hours and hours:
        lines.append(_hours_line(s, operator.hours, now))
    return lines + place_lines(s, operator)


def place_lines(s: Strings, operator: Operator) -> list[str]:
    """The languages spoken at the place and its wheelchair access (the card and the site)."""
    lines = []
    if operator.languages:
        names = s.comma.join(language_name(lang) for lang in operator.languages)
        lines.append(s._("🗣 Languages spoken there: {languages}", languages=names))
    if operator.wheelchair is not None:
        lines.append(
            s._("♿ Wheelchair access") if operator.wheelchair else s._("♿ No wheelchair access")
        )
    return lines


def audience_text(s: Strings, action: Action) -> Markup:
    if "asylum" in action.audience:
        who = s._("everyone, also people asking for asylum")
    elif set(action.audience) == {"bpi", "primo-arrivant"}:
        who = s._("refugees and newcomers")
    elif "bpi" in action.audience:
        who = s._("refugees and people with subsidiary protection")
    else:
        who = s._("newcomers with a first residence permit")
    extra = []
    e = action.eligibility
    if e.women == "only":
        extra.append(s._("women only"))
    elif e.women == "priority":
        extra.append(s._("mainly women"))
    if e.priority_neighbourhood:
        extra.append(s._("people living in priority neighbourhoods"))
    if e.parents:
        extra.append(s._("parents"))
    if e.trade:
        extra.append(s._("people training for this trade"))
    return Markup(s.comma.join([who, *extra]))


def access_text(s: Strings, action: Action) -> str | None:
    """How to get in, only from the data: no sentence when the catalogue says nothing."""
    modes = {
        "walk-in": s._("you can just come"),
        "appointment": s._("by appointment"),
        "referral": s._("a social worker must refer you"),
        "phone": s._("by phone"),
        "online": s._("online"),
        "post": s._("by post"),
    }
    parts = [modes[m] for m in action.access.how]
    if action.access.free:
        parts.append(s._("free"))
    details, _ = text_of(s, action.access.details)
    joined = s.comma.join(parts)
    if details:
        joined = f"{joined}. {escape(details)}" if joined else escape(details)
    return joined or None


def _online_line(s: Strings, action: Action) -> str | None:
    if not action.online:
        return None
    name, _ = text_of(s, action.online.name)
    url = f" — {s.isolate(escape(action.online.url))}" if action.online.url else ""
    return s._("💻 Online: {name}", name=Markup(escape(name) + url))


def _hours_lines(s: Strings, catalogue: Catalogue, action: Action, now: dt.datetime) -> list[str]:
    if action.hours:
        return [_hours_line(s, action.hours, now)]
    operators = [catalogue.operators[o] for o in action.operators]
    lines = [_hours_line(s, o.hours, now) for o in operators if o.hours]
    lines += [
        "📞 " + hours_text(s, o.phone_hours) for o in operators if o.phone_hours and not o.hours
    ]
    return lines


def answer_lines(
    s: Strings, catalogue: Catalogue, action: Action, asks: tuple[str, ...], now: dt.datetime
) -> list[str]:
    """The answer to "where / when / how much / do I need an appointment", put first."""
    operators = [catalogue.operators[o] for o in action.operators]
    lines: list[str] = []
    if "where" in asks:
        found = []
        for o in operators:
            found += _where_lines(s, o)
            if not o.place:  # no office: where to turn is its phone or its site
                found += [_phone_line(s, o, phone) for phone in o.phones]
                found += ["🌐 " + s.isolate(escape(o.website))] if o.website else []
        lines += found or [s._("📍 The address is not known yet.")]
    if "when" in asks:
        lines += _hours_lines(s, catalogue, action, now) or [s._("🕒 The hours are not known yet.")]
    if "cost" in asks:
        cost, _ = text_of(s, action.cost)
        if cost:
            lines.append("💶 " + escape(cost))
        elif action.access.free:
            lines.append(s._("💶 It is free."))
        else:
            lines.append(s._("💶 The price is not known yet."))
    if "appointment" in asks:
        access = access_text(s, action)
        lines.append(
            s._("🚪 How to get in: {how}", how=Markup(access))
            if access
            else s._("🚪 How to get in is not known yet.")
        )
    return lines


def _fallback_lines(
    s: Strings, catalogue: Catalogue, action: Action, now: dt.datetime
) -> list[str]:
    """When the card gives no way in: the theme's "where to ask", else the coordinator."""
    if reachable(catalogue, action):
        return []
    target = where_to_ask(catalogue, action)
    if target:
        title, _ = text_of(s, target.title)
        lines = [
            "",
            s._("❓ <b>No phone or address here yet. You can ask:</b> {title}", title=title),
        ]
        for operator_id in target.operators:
            operator = catalogue.operators[operator_id]
            lines += _operator_lines(s, operator, now, hours=not target.hours)
        if target.hours:
            lines.append(_hours_line(s, target.hours, now))
        return lines
    contact = catalogue.territory.coordinator
    if contact_reachable(contact):
        lines = [
            "",
            s._("❓ <b>No phone or address here yet. You can ask the CTAI coordinator:</b>"),
        ]
        if contact.phone:
            lines.append("📞 " + s.isolate(escape(display_phone(contact.phone))))
        if contact.email:
            lines.append("✉️ " + s.isolate(escape(contact.email)))
        return lines
    return ["", s._("❓ Contact details not known yet: ask your social worker.")]


def action_card(
    s: Strings,
    catalogue: Catalogue,
    action: Action,
    now: dt.datetime,
    asks: tuple[str, ...] = (),
) -> str:
    """Everything a person needs to go there: what, for whom, where, when, how; the answer to
    the person's question (``asks``) first."""
    title, title_fell_back = text_of(s, action.title)
    summary, summary_fell_back = text_of(s, action.summary)
    answer = answer_lines(s, catalogue, action, asks, now)
    lines = notice_lines(s, action.notices, now.date())
    lines += [escape(summary), ""]
    lines.append(s._("👥 For: {who}", who=audience_text(s, action)))
    access = access_text(s, action)
    if access:
        lines.append(s._("🚪 How to get in: {how}", how=Markup(access)))
    online = _online_line(s, action)
    if online:
        lines.append(online)
    cost, _ = text_of(s, action.cost)
    if cost:
        lines.append("💶 " + escape(cost))
    schedule, _ = text_of(s, action.schedule)
    if schedule:
        lines.append("📅 " + escape(schedule))
    if action.hours:
        lines.append(_hours_line(s, action.hours, now))
    for operator_id in action.operators:
        lines.append("")
        operator = catalogue.operators[operator_id]
        lines.extend(_operator_lines(s, operator, now, hours=not action.hours))
    lines += _fallback_lines(s, catalogue, action, now)
    operators = [catalogue.operators[o] for o in action.operators]
    if not action.verified or not all(o.verified for o in operators):
        lines += ["", s._("⚠️ Not verified yet: check with your social worker before you go.")]
    lines += caveat_lines(s, [action, *operators])
    if title_fell_back or summary_fell_back:
        lines.append(s._("ℹ️ Not yet translated into your language: shown in another language."))
    if answer:  # the answer comes first, and only once
        lines = [*answer, "", *(line for line in lines if line not in answer)]
    return "\n".join([f"<b>{escape(title)}</b>", *lines])


def operator_card(
    s: Strings,
    catalogue: Catalogue,
    operator: Operator,
    now: dt.datetime,
    asks: tuple[str, ...] = (),
) -> str:
    """A named operator: how to reach it, what it is; its actions come as buttons."""
    lines = _operator_lines(s, operator, now)
    if "where" in asks and not _where_lines(s, operator):
        lines.insert(1, s._("📍 The address is not known yet."))
    if "when" in asks and not (operator.hours or operator.phone_hours):
        lines.insert(1, s._("🕒 The hours are not known yet."))
    description, _ = text_of(s, operator.description)
    if description:
        lines += ["", escape(description)]
    own = [a for a in catalogue.actions if operator.id in a.operators]
    if own and not operator_reachable(operator):
        lines += _fallback_lines(s, catalogue, own[0], now)
    if not operator.verified:
        lines += ["", s._("⚠️ Not verified yet: check with your social worker before you go.")]
    lines += caveat_lines(s, [operator])
    return "\n".join(lines)


def emergency_card(
    s: Strings,
    contacts: tuple[EmergencyContact, ...],
    matched: tuple[str, ...] = (),
    *,
    gentle: bool = False,
) -> str:
    """The numbers to call, those matching the person's words first; ``gentle`` when only the
    meaning of the message, not its words, suggests danger."""
    lines: list[str] = []
    first = [c for c in contacts if c.id in matched]
    if first and gentle:
        lines.append(s._("💙 <b>If you or someone near you is in danger now, you can call:</b>"))
        lines += [_contact_line(s, c) for c in first]
        lines.append("")
    elif first:
        lines.append(s._("🆘 <b>If you are in danger now, call:</b>"))
        lines += [_contact_line(s, c) for c in first]
        lines.append("")
    lines.append(s._("🆘 <b>Emergency numbers</b> (free, day and night):"))
    lines += [_contact_line(s, c) for c in contacts if c.id not in matched]
    return "\n".join(lines)


def _contact_line(s: Strings, contact: EmergencyContact) -> str:
    """One line per number, read under stress: the number, then what it is for, once."""
    purpose, _ = text_of(s, contact.purpose)
    sms = " " + s._("(text message)") if contact.sms else ""
    return f"📞 <b>{s.isolate(escape(contact.number))}</b>{sms} — {escape(purpose)}"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
