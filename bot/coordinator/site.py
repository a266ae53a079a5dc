"""A static website from the catalogue, for social workers at a desk and people without Telegram.

One folder per language: the topics and the emergency numbers, a page per topic and per
service, and a search page. Plain files that open from a folder or any web server: nothing
is fetched when a page is read, and everything shows without JavaScript; two small inline
scripts only add "open now" and the search. Built again when the catalogue changes (and
daily, for the temporary notices).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.catalogue.hours import parse_hours
from bot.catalogue.model import Action, Catalogue, Operator, pick
from bot.catalogue.phones import display_phone
from bot.catalogue.reach import contact_reachable, reachable, where_to_ask
from bot.coordinator.sharing import deep_link, qr_svg
from bot.dialogue.cards import (
    access_text,
    audience_text,
    caveat_lines,
    hours_text,
    notice_lines,
    place_lines,
    text_of,
    theme_label,
)
from bot.dialogue.i18n import I18n, Markup, Strings, escape, language_name

INDEX, SEARCH, SEARCH_INDEX = "index.html", "search.html", "search-index.js"
"""The search index is a script, not a .json file: browsers refuse to fetch files from a
page opened from a folder (file://), but they run its scripts."""


STYLE = """
@page { size: A4; margin: 12mm; }
html { color: #111; background: #fff; }
body { font: 1.125rem/1.5 "Noto Sans", "Noto Sans Arabic", "Noto Sans Ethiopic", sans-serif;
       max-width: 40rem; margin: 0 auto; padding: 0 1rem 2rem; }
a { color: #0b3d91; }
h1 { font-size: 1.6rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
.lead { font-size: 1.2rem; }
header { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center;
         border-bottom: 1px solid #999; padding: .5rem 0; }
header nav a, .links a, .langs a { display: inline-block; min-height: 44px; min-width: 44px;
         padding: .6rem .75rem; box-sizing: border-box; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; flex: 1; }
input, button { font: inherit; min-height: 44px; }
input { flex: 1; min-width: 8rem; padding: .25rem .5rem; border: 2px solid #555; }
button { padding: 0 1rem; border: 2px solid #555; background: #eee; color: #111; }
.links { list-style: none; padding: 0; }
.links li { margin: .6rem 0; }
.links a { display: block; border: 2px solid #0b3d91; border-radius: .5rem; font-weight: bold;
           text-decoration: none; }
.links span { display: block; padding: .25rem .75rem 0; }
.langs { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem; }
a[href^="tel:"], a[href^="sms:"] { display: inline-block; padding: .3rem .6rem; font-weight: bold;
           border: 2px solid #0b3d91; border-radius: .4rem; text-decoration: none; }
.notice { background: #fff1b8; padding: .5rem .75rem; border-inline-start: 6px solid #8a6d00; }
.mark { background: #f0f0f0; padding: .5rem .75rem; border-inline-start: 6px solid #555; }
.now:not(:empty)::before { content: " — "; }
.open { color: #0a5c24; font-weight: bold; }
.closed { color: #9b0000; font-weight: bold; }
.sos { border: 3px solid #9b0000; border-radius: .5rem; padding: 0 1rem; margin: 1.5rem 0; }
.sos ul { list-style: none; padding: 0; }
.sos li { margin: .4rem 0; }
.qr svg { width: 12rem; height: 12rem; }
.ltr { direction: ltr; unicode-bidi: isolate; overflow-wrap: anywhere; }
@media print {
  body { font-size: 10.5pt; line-height: 1.35; max-width: none; padding: 0; }
  header, footer, .themes { display: none; }
  h1 { font-size: 17pt; margin: 0 0 3mm; }
  h2 { font-size: 12pt; margin: 4mm 0 1mm; break-after: avoid; }
  p { margin: 1mm 0; }
  a { color: #111; }
  .sos { margin: 4mm 0; padding: 0 3mm; break-inside: avoid; }
  .sos ul { columns: 2; font-size: 9pt; margin: 1mm 0; }
  .sos li { margin: 0; }
  a[href^="tel:"], a[href^="sms:"] { border: 0; padding: 0; }
  .bot { break-inside: avoid; }
  .qr { float: inline-end; }
  .qr svg { width: 28mm; height: 28mm; }
}
"""

OPEN_NOW_SCRIPT = """(function () {
  var data = document.currentScript.dataset, part = {};
  new Intl.DateTimeFormat("en-GB", {timeZone: data.tz, weekday: "short", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23"}).formatToParts(new Date())
    .forEach(function (p) { part[p.type] = p.value; });
  var day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(part.weekday);
  var now = part.hour + ":" + part.minute;
  document.querySelectorAll("[data-hours]").forEach(function (el) {
    var open = JSON.parse(el.dataset.hours).some(function (span) {
      return span[0] === day && span[1] <= now && now < span[2];
    });
    var state = el.querySelector(".now");
    state.textContent = open ? data.open : data.closed;
    state.className = "now " + (open ? "open" : "closed");
  });
})();"""
"""Opening hours are in the territory's time, whatever the reader's clock says."""

SEARCH_SCRIPT = """(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/\\p{M}/gu, "").toLowerCase()
      .replace(/[يى]/g, "ی").replace(/ك/g, "ک").replace(/ة/g, "ه").replace(/ı/g, "i");
  }
  var input = document.getElementById("q"), list = document.getElementById("results");
  var none = document.getElementById("none");
  var entries = SEARCH_INDEX.map(function (e) {
    return {file: e[0], title: e[1], summary: e[2], text: fold(e.slice(1).join(" "))};
  });
  function run() {
    var words = fold(input.value).split(/\\s+/).filter(Boolean);
    var found = words.length ? entries.filter(function (e) {
      return words.every(function (w) { return e.text.indexOf(w) >= 0; });
    }) : [];
    list.textContent = "";
    found.forEach(function (e) {
      var item = document.createElement("li"), link = document.createElement("a");
      var summary = document.createElement("span");
      link.href = e.file; link.textContent = e.title; summary.textContent = e.summary;
      item.append(link, summary); list.append(item);
    });
    none.hidden = !words.length || found.length > 0;
  }
  input.value = new URLSearchParams(location.search).get("q") || "";
  input.addEventListener("input", run);
  run();
})();"""
"""Case and accents do not count ("medecin" finds "médecin"), nor Arabic letter variants."""


@dataclass(frozen=True)
class _Site:
    catalogue: Catalogue
    username: str
    today: dt.date


def theme_file(theme_id: str) -> str:
    return f"theme-{theme_id}.html"


def service_file(action_id: str) -> str:
    return f"service-{action_id}.html"


def build_site(catalogue: Catalogue, i18n: I18n, out: Path, username: str) -> list[Path]:
    """Write the site under ``out`` (a page per language, topic and service); the files written."""
    today = dt.datetime.now(ZoneInfo(catalogue.territory.timezone)).date()
    site = _Site(catalogue, username, today)
    written: list[Path] = []

    def write(relative: str, text: str) -> None:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    write(INDEX, _root_page(site, i18n))
    for lang in catalogue.territory.languages:
        s = i18n[lang]
        write(f"{lang}/{INDEX}", _index_page(site, s))
        write(f"{lang}/{SEARCH}", _search_page(site, s))
        write(f"{lang}/{SEARCH_INDEX}", _search_index(site, s))
        for theme in catalogue.themes:
            write(f"{lang}/{theme_file(theme.id)}", _theme_page(site, s, theme.id))
        for action in catalogue.actions:
            write(f"{lang}/{service_file(action.id)}", _service_page(site, s, action))
    return written


def _attr(value: object) -> str:
    return html.escape(str(value), quote=True)


def _text(s: Strings, texts: dict[str, str]) -> str:
    """A catalogue text, escaped; tagged with its language when it fell back to another, so
    that screen readers pronounce it right."""
    found = pick(texts, s.lang)
    if found is None:
        return ""
    text = escape(found.text)
    return f'<bdi lang="{found.lang}">{text}</bdi>' if found.fell_back else text


def _url(url: str) -> str:
    return f'<a class="ltr" href="{_attr(url)}">{escape(url)}</a>'


def _town(catalogue: Catalogue, s: Strings) -> str:
    """بواتييه (Poitiers), as the bot's welcome writes it."""
    territory = catalogue.territory
    local = territory.local_names.get(s.lang)
    return f"{local} ({territory.name})" if local and local != territory.name else territory.name


def _qr(link: str) -> str:
    """The bot's QR code, scalable (a viewBox instead of a fixed size) to print it small."""
    return re.sub(r'width="(\d+)" height="(\d+)"', r'viewBox="0 0 \1 \2"', qr_svg(link), count=1)


def _head(site: _Site, s: Strings, title: str) -> str:
    direction = "rtl" if s.rtl else "ltr"
    return f"""<!doctype html>
<html lang="{s.lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — {escape(_town(site.catalogue, s))}</title>
<style>{STYLE}</style>
</head>
<body>
"""


def _emergency(site: _Site, s: Strings) -> str:
    items = []
    for contact in site.catalogue.territory.emergency:
        scheme = "sms" if contact.sms else "tel"
        sms = " " + s._("(text message)") if contact.sms else ""
        items.append(
            f'<li><a href="{scheme}:{contact.number}">{contact.number}</a>{sms} — '
            f"{_text(s, contact.purpose)}</li>"
        )
    heading = s._("🆘 <b>Emergency numbers</b> (free, day and night):")
    return f'<aside class="sos" id="sos"><h2>{heading}</h2><ul>{"".join(items)}</ul></aside>\n'


def _telegram(site: _Site, s: Strings, target: str | None) -> str:
    """The bot's deep link and QR code, opening this very page's topic or service."""
    link = deep_link(site.catalogue, site.username, s.lang, target)
    scan = s._("📱 Scan this code with your phone to open the bot in Telegram.")
    title = escape(s._("Open in Telegram"))
    return (
        f'<section class="bot"><h2>{title}</h2>'
        f'<div class="qr" role="img" aria-labelledby="scan">{_qr(link)}</div>'
        f'<p id="scan">{scan}</p><p>{_url(link)}</p></section>\n'
    )


def _page(site: _Site, s: Strings, file: str, title: str, heading: str, main: str,
          target: str | None) -> str:  # fmt: skip
    """A page of a language folder: the search box, the content, the numbers, the bot, the
    same page in the other languages."""
    search = escape(s._("Search"))
    languages = "".join(
        f'<li><a href="../{lang}/{file}" lang="{lang}" hreflang="{lang}"'
        + (' aria-current="page"' if lang == s.lang else "")
        + f">{escape(language_name(lang))}</a></li>"
        for lang in site.catalogue.territory.languages
    )
    header = (
        f'<header><nav><a href="{INDEX}">{s._("📋 Menu")}</a> '
        f'<a href="#sos">{s._("🆘 Emergency")}</a></nav>'
        f'<form action="{SEARCH}" role="search"><label for="q">{search}</label> '
        f'<input id="q" name="q" type="search"> <button aria-label="{_attr(search)}">🔎</button>'
        "</form></header>\n"
    )
    script = ""
    if "data-hours=" in main:
        script = (
            f'<script data-tz="{_attr(site.catalogue.territory.timezone)}" '
            f'data-open="{_attr(s._("open now"))}" data-closed="{_attr(s._("closed now"))}">'
            f"{OPEN_NOW_SCRIPT}</script>\n"
        )
    return (
        _head(site, s, title)
        + header
        + f"<main>\n<h1>{heading}</h1>\n{main}</main>\n"
        + _emergency(site, s)
        + _telegram(site, s, target)
        + f'<footer><nav aria-label="{_attr(s._("🌐 Language"))}"><ul class="langs">{languages}'
        f"</ul></nav></footer>\n{script}</body>\n</html>\n"
    )


def _root_page(site: _Site, i18n: I18n) -> str:
    """The site's front door: every language, named in its own script."""
    territory = site.catalogue.territory
    s = i18n[territory.default_language]
    languages = "".join(
        f'<li><a href="{lang}/{INDEX}" lang="{lang}" hreflang="{lang}">'
        f"{escape(language_name(lang))}</a></li>"
        for lang in territory.languages
    )
    title = s._("Choose your language")
    return (
        _head(site, s, title)
        + f'<main>\n<h1>🌐 {title}</h1>\n<ul class="links">{languages}</ul>\n</main>\n'
        + _emergency(site, s)
        + _telegram(site, s, None)
        + "</body>\n</html>\n"
    )


def _index_page(site: _Site, s: Strings) -> str:
    themes = "".join(
        f'<li><a href="{theme_file(t.id)}">{escape(theme_label(s, t))}</a></li>'
        for t in site.catalogue.themes
    )
    heading = s._("Find local help for refugees and newcomers.")
    main = f'<h2>{s._("Topics")}</h2>\n<ul class="links">{themes}</ul>\n'
    return _page(site, s, INDEX, heading, heading, main, None)


def _service_links(s: Strings, actions: list[Action]) -> str:
    items = "".join(
        f'<li><a href="{service_file(a.id)}">{_text(s, a.title)}</a>'
        f"<span>{_text(s, a.summary)}</span></li>"
        for a in actions
    )
    return f'<ul class="links">{items}</ul>\n'


def _theme_page(site: _Site, s: Strings, theme_id: str) -> str:
    label = theme_label(s, site.catalogue.themes_by_id[theme_id])
    actions = site.catalogue.actions_for_theme(theme_id)
    main = (
        _service_links(s, actions)
        if actions
        else f"<p>{s._('Nothing here for your situation yet.')}</p>\n"
    )
    return _page(site, s, theme_file(theme_id), label, escape(label), main, theme_id)


def _search_page(site: _Site, s: Strings) -> str:
    """Filled by its script from the index beside it; ``search.html?q=…`` searches at once."""
    search = escape(s._("Search"))
    none = escape(s._("No service found."))
    main = (
        f'<ol class="links" id="results" aria-live="polite"></ol>\n'
        f'<p id="none" hidden>{none}</p>\n'
        f'<script src="{SEARCH_INDEX}"></script>\n<script>{SEARCH_SCRIPT}</script>\n'
    )
    return _page(site, s, SEARCH, search, "🔎 " + search, main, None)


def _search_index(site: _Site, s: Strings) -> str:
    """Per service: its page, title and summary, and the words people look for it by."""
    rows = []
    for action in site.catalogue.actions:
        words = [
            *action.keywords.get(s.lang, []),
            *(text_of(s, site.catalogue.themes_by_id[t].label)[0] for t in action.themes),
            *(site.catalogue.operators[o].name for o in action.operators),
        ]
        rows.append(
            [
                service_file(action.id),
                text_of(s, action.title)[0],
                text_of(s, action.summary)[0],
                " ".join(words),
            ]
        )
    return f"var SEARCH_INDEX = {json.dumps(rows, ensure_ascii=False, separators=(',', ':'))};\n"


def _clock(time: dt.time) -> str:
    return "24:00" if time == dt.time.max else f"{time:%H:%M}"


def _hours(s: Strings, hours: str) -> str:
    """The hours as text, and the spans for the script that says whether it is open now."""
    spans = [[span.day, _clock(span.start), _clock(span.end)] for span in parse_hours(hours)]
    return (
        f'<span data-hours="{_attr(json.dumps(spans))}">🕒 {escape(hours_text(s, hours))}'
        '<b class="now"></b></span>'
    )


def _phone(s: Strings, operator: Operator, phone: str) -> str:
    costs = {
        "free": s._("free call"),
        "local-call": s._("price of a local call"),
        "free-service": s._("free service, you pay only the call"),
    }
    line = f'📞 <a class="ltr" href="tel:{_attr(phone)}">{escape(display_phone(phone))}</a>'
    if operator.phone_cost:
        line += f" ({costs[operator.phone_cost]})"
    if operator.phone_hours:
        line += " — " + escape(hours_text(s, operator.phone_hours))
    return line


def _where(s: Strings, operator: Operator) -> list[str]:
    """The address or place, and a map: at its coordinates, else a search for its address."""
    lines = []
    address = None
    if operator.address:
        a = operator.address
        address = f"{a.street}, {a.postcode} {a.city}"
        lines.append(f"📍 <bdi>{escape(address)}</bdi>")
    elif operator.location:
        lines.append("📍 " + _text(s, operator.location))
    elif not operator.place:
        lines.append(s._("📵 No office to visit."))
    if operator.coordinates:
        lat, lon = operator.coordinates.lat, operator.coordinates.lon
        url = f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    elif address:
        url = "https://www.openstreetmap.org/search?query=" + quote(address)
    else:
        return lines
    return [*lines, f'<a href="{_attr(url)}">{s._("📍 Map")}</a>']


def _operator(site: _Site, s: Strings, operator: Operator, *, hours: bool) -> str:
    notices = notice_lines(s, operator.notices, site.today)
    lines = _where(s, operator)
    lines += [_phone(s, operator, phone) for phone in operator.phones]
    if operator.email:
        email = escape(operator.email)
        lines.append(f'✉️ <a class="ltr" href="mailto:{_attr(operator.email)}">{email}</a>')
    if operator.website:
        lines.append("🌐 " + _url(operator.website))
    if operator.hours and hours:
        lines.append(_hours(s, operator.hours))
    lines += place_lines(s, operator)
    return (
        f"<section><h2><bdi>{escape(operator.name)}</bdi></h2>\n"
        + "".join(f'<p class="notice">{line}</p>\n' for line in notices)
        + "".join(f"<p>{line}</p>\n" for line in lines)
        + "</section>\n"
    )


def _fallback(site: _Site, s: Strings, action: Action) -> list[str]:
    """As on the card: when the service gives no way in, where to ask instead."""
    if reachable(site.catalogue, action):
        return []
    target = where_to_ask(site.catalogue, action)
    if target:
        link = Markup(f'<a href="{service_file(target.id)}">{_text(s, target.title)}</a>')
        return [s._("❓ <b>No phone or address here yet. You can ask:</b> {title}", title=link)]
    contact = site.catalogue.territory.coordinator
    if not contact_reachable(contact):
        return [s._("❓ Contact details not known yet: ask your social worker.")]
    lines = [s._("❓ <b>No phone or address here yet. You can ask the CTAI coordinator:</b>")]
    if contact.phone:
        phone = escape(display_phone(contact.phone))
        lines.append(f'📞 <a class="ltr" href="tel:{_attr(contact.phone)}">{phone}</a>')
    if contact.email:
        email = escape(contact.email)
        lines.append(f'✉️ <a class="ltr" href="mailto:{_attr(contact.email)}">{email}</a>')
    return lines


def _service_page(site: _Site, s: Strings, action: Action) -> str:
    """Everything the bot's card says, with links to call, write, visit and find on a map."""
    catalogue = site.catalogue
    operators = [catalogue.operators[o] for o in action.operators]
    themes = " · ".join(
        f'<a href="{theme_file(t)}">{escape(theme_label(s, catalogue.themes_by_id[t]))}</a>'
        for t in action.themes
    )
    lines = [s._("👥 For: {who}", who=audience_text(s, action))]
    access = access_text(s, action)
    if access:
        lines.append(s._("🚪 How to get in: {how}", how=Markup(access)))
    if action.online:
        name = _text(s, action.online.name)
        if action.online.url:
            name = f'<a href="{_attr(action.online.url)}">{name}</a>'
        lines.append(s._("💻 Online: {name}", name=Markup(name)))
    if action.cost:
        lines.append("💶 " + _text(s, action.cost))
    if action.schedule:
        lines.append("📅 " + _text(s, action.schedule))
    if action.hours:
        lines.append(_hours(s, action.hours))
    marks = []
    if not action.verified or not all(o.verified for o in operators):
        marks.append(s._("⚠️ Not verified yet: check with your social worker before you go."))
    marks += caveat_lines(s, [action, *operators])
    fell_back = any(text_of(s, texts)[1] for texts in (action.title, action.summary))
    if fell_back:
        marks.append(s._("ℹ️ Not yet translated into your language: shown in another language."))
    elif action.translations.get(s.lang) == "machine":
        marks.append(escape(s._("🤖 Translated by a machine, not yet checked by a person.")))
    notices = notice_lines(s, action.notices, site.today)
    main = (
        f'<p class="themes">{themes}</p>\n'
        + "".join(f'<p class="notice">{notice}</p>\n' for notice in notices)
        + f'<p class="lead">{_text(s, action.summary)}</p>\n'
        + "".join(f"<p>{line}</p>\n" for line in lines)
        + "".join(_operator(site, s, o, hours=not action.hours) for o in operators)
        + "".join(f"<p>{line}</p>\n" for line in _fallback(site, s, action))
        + "".join(f'<p class="mark">{mark}</p>\n' for mark in marks)
    )
    title = text_of(s, action.title)[0]
    file = service_file(action.id)
    return _page(site, s, file, title, _text(s, action.title), main, action.id)
