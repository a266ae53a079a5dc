"""What an action, a theme or the emergency numbers look like on a small phone screen."""

from __future__ import annotations

import datetime as dt
import math

from babel import Locale

from bot.catalogue.hours import DAYS, is_open, parse_hours
from bot.catalogue.model import Action, Catalogue, EmergencyContact, Operator, Theme, pick
from bot.catalogue.phones import display_phone
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
    by_day: dict[int, list[str]] = {}
    for span in parse_hours(hours):
        by_day.setdefault(span.day, []).append(f"{span.start:%H:%M}–{span.end:%H:%M}")
    groups: list[tuple[int, int, str]] = []
    for day in range(len(DAYS)):
        windows = ", ".join(by_day.get(day, []))
        if windows and groups and groups[-1][1] == day - 1 and groups[-1][2] == windows:
            groups[-1] = (groups[-1][0], day, windows)
        elif windows:
            groups.append((day, day, windows))
    return "; ".join(f"{_days(s, first, last)} {s.isolate(w)}" for first, last, w in groups)


def _operator_lines(s: Strings, operator: Operator, now: dt.datetime) -> list[str]:
    lines = [f"🏢 <b>{s.isolate(escape(operator.name))}</b>"]
    if operator.address:
        a = operator.address
        lines.append("📍 " + s.isolate(escape(f"{a.street}, {a.postcode} {a.city}")))
    for phone in operator.phones:
        lines.append("📞 " + s.isolate(escape(display_phone(phone))))
    if operator.email:
        lines.append("✉️ " + s.isolate(escape(operator.email)))
    if operator.website:
        lines.append("🌐 " + s.isolate(escape(operator.website)))
    if operator.hours:
        state = s._("open now") if is_open(parse_hours(operator.hours), now) else s._("closed now")
        lines.append(f"🕒 {hours_text(s, operator.hours)} — <i>{state}</i>")
    if operator.languages:
        names = ", ".join(language_name(lang) for lang in operator.languages)
        lines.append(s._("🗣 Languages spoken there: {languages}", languages=names))
    if operator.wheelchair is not None:
        lines.append(
            s._("♿ Wheelchair access") if operator.wheelchair else s._("♿ No wheelchair access")
        )
    if not (operator.address or operator.phones or operator.email or operator.website):
        lines.append(s._("ℹ️ Address and phone not known yet: ask your social worker."))
    return lines


def audience_text(s: Strings, action: Action) -> Markup:
    if set(action.audience) == {"bpi", "primo-arrivant"}:
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
    return Markup(", ".join([who, *extra]))


def access_text(s: Strings, action: Action) -> str | None:
    modes = {
        "walk-in": s._("you can just come"),
        "appointment": s._("by appointment"),
        "referral": s._("a social worker must refer you"),
    }
    parts = [modes[m] for m in action.access.how]
    if action.access.free:
        parts.append(s._("free"))
    details, _ = text_of(s, action.access.details)
    if details:
        parts.append(escape(details))
    return ", ".join(parts) or None


def action_card(s: Strings, catalogue: Catalogue, action: Action, now: dt.datetime) -> str:
    """Everything a person needs to go there: what, for whom, where, when, how."""
    title, title_fell_back = text_of(s, action.title)
    summary, summary_fell_back = text_of(s, action.summary)
    lines = [f"<b>{escape(title)}</b>", escape(summary), ""]
    lines.append(s._("👥 For: {who}", who=audience_text(s, action)))
    access = access_text(s, action)
    lines.append(
        s._("🚪 How to get in: {how}", how=Markup(access))
        if access
        else s._("🚪 How to get in: call or go there and ask.")
    )
    schedule, _ = text_of(s, action.schedule)
    if schedule:
        lines.append("📅 " + escape(schedule))
    for operator_id in action.operators:
        lines.append("")
        lines.extend(_operator_lines(s, catalogue.operators[operator_id], now))
    operators = [catalogue.operators[o] for o in action.operators]
    if not action.verified or not all(o.verified for o in operators):
        lines += ["", s._("⚠️ Not verified yet: call or ask your social worker before you go.")]
    if title_fell_back or summary_fell_back:
        lines.append(s._("ℹ️ Not yet translated into your language: shown in another language."))
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
    label, _ = text_of(s, contact.label)
    purpose, _ = text_of(s, contact.purpose)
    sms = " " + s._("(text message)") if contact.sms else ""
    return (
        f"📞 <b>{s.isolate(escape(contact.number))}</b>{sms} — {escape(label)}: {escape(purpose)}"
    )


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
