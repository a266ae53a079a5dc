"""The static website: a social worker at a desk, or someone without Telegram, finds every
service in their language, on small pages that work offline, print and read aloud."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from bot.catalogue.loader import load_or_raise
from bot.catalogue.model import Catalogue
from bot.coordinator.browser import FLAGS, chromium, render
from bot.coordinator.site import STYLE, build_site, service_file, theme_file
from bot.dialogue.i18n import I18n
from tests.conftest import SHIPPED, TESTVILLE

needs_chromium = pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")
BOT = "ctai_test_bot"
MAX_PAGE_BYTES = 50_000


@dataclass(frozen=True)
class Site:
    catalogue: Catalogue
    i18n: I18n
    root: Path
    files: list[Path]

    @property
    def pages(self) -> list[Path]:
        return [path for path in self.files if path.suffix == ".html"]


def _build(directory: Path, root: Path) -> Site:
    catalogue = load_or_raise(directory)
    i18n = I18n(catalogue.territory.languages)
    return Site(catalogue, i18n, root, build_site(catalogue, i18n, root, BOT))


@pytest.fixture(scope="module")
def poitiers_site(tmp_path_factory) -> Site:
    return _build(SHIPPED, tmp_path_factory.mktemp("poitiers-site"))


@pytest.fixture(scope="module")
def testville_site(tmp_path_factory) -> Site:
    return _build(TESTVILLE, tmp_path_factory.mktemp("testville-site"))


def browse(page: Path, query: str = "") -> tuple[str, list[str]]:
    """The page's DOM after its scripts ran, and every line it wrote to the console."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
             "--v=0", "--dump-dom", page.as_uri() + query],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
    return done.stdout, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


def test_every_language_has_its_topics_services_and_search(poitiers_site: Site) -> None:
    catalogue, root = poitiers_site.catalogue, poitiers_site.root
    assert len(catalogue.territory.languages) == 10
    expected = {"index.html", "search.html", "search-index.js"}
    expected |= {theme_file(t.id) for t in catalogue.themes}
    expected |= {service_file(a.id) for a in catalogue.actions}
    for lang in catalogue.territory.languages:
        assert {p.name for p in (root / lang).iterdir()} == expected, lang
    assert (root / "index.html").exists()
    assert set(poitiers_site.files) == {p for p in root.rglob("*") if p.is_file()}


def test_every_page_is_small_enough_for_a_weak_connection(poitiers_site: Site) -> None:
    sizes = {page: page.stat().st_size for page in poitiers_site.pages}
    largest = max(sizes, key=sizes.__getitem__)
    assert sizes[largest] < MAX_PAGE_BYTES, f"{largest}: {sizes[largest]} bytes"
    assert all("<svg" in page.read_text() for page in poitiers_site.pages), "QR code inline"


def test_arabic_dari_and_pashto_pages_read_right_to_left(poitiers_site: Site) -> None:
    for page in poitiers_site.pages:
        lang = page.parent.name if page.parent != poitiers_site.root else "fr"
        direction = "rtl" if lang in ("ar", "fa", "ps") else "ltr"
        assert f'<html lang="{lang}" dir="{direction}">' in page.read_text(), page


class Links(HTMLParser):
    """Where a page points to (href, src, form action), and the ids it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.targets += [found[k] or "" for k in ("href", "src", "action") if k in found]
        if found.get("id"):
            self.ids.add(found["id"] or "")


def test_every_link_inside_the_site_leads_to_a_file(poitiers_site: Site) -> None:
    checked = 0
    for page in poitiers_site.pages:
        links = Links()
        links.feed(page.read_text())
        for target in links.targets:
            parts = urlsplit(target)
            if parts.scheme:
                assert parts.scheme in ("http", "https", "tel", "sms", "mailto"), target
                continue
            if parts.path:
                assert (page.parent / parts.path).resolve().is_file(), f"{page}: {target}"
                checked += 1
            else:
                assert parts.fragment in links.ids, f"{page}: {target}"
    assert checked > 10 * len(poitiers_site.pages)


def test_every_page_shows_the_numbers_and_opens_the_bot_on_the_same_screen(
    poitiers_site: Site,
) -> None:
    catalogue, root = poitiers_site.catalogue, poitiers_site.root
    assert {"15", "17", "112"} <= {c.number for c in catalogue.territory.emergency}
    for page in poitiers_site.pages:
        html = page.read_text()
        for contact in catalogue.territory.emergency:
            scheme = "sms" if contact.sms else "tel"
            assert f'href="{scheme}:{contact.number}">{contact.number}</a>' in html, page
        lang = page.parent.name if page.parent != root else catalogue.territory.default_language
        target = re.fullmatch(r"(?:theme|service)-(.+)\.html", page.name)
        payload = f"{lang}_{target.group(1)}" if target else lang
        assert f'href="https://t.me/{BOT}?start={payload}"' in html, page


def test_a_service_page_has_what_the_card_has(poitiers_site: Site, testville_site: Site) -> None:
    # A machine-drafted Arabic text, a service not yet checked, a number to tap.
    page = (poitiers_site.root / "ar" / service_file("find-gp")).read_text()
    s = poitiers_site.i18n["ar"]
    assert "إيجاد طبيب معالج" in page
    assert 'href="tel:3646"' in page
    assert s._("⚠️ Not verified yet: check with your social worker before you go.") in page
    assert "🤖 ترجمة آلية" in page
    assert '<a href="theme-health.html">' in page
    # Where, when and how to get in, with the map at the operator's coordinates.
    page = (testville_site.root / "en" / service_file("french-for-work")).read_text()
    assert "French classes to find a job." in page
    assert "https://www.openstreetmap.org/?mlat=45.19&amp;mlon=4.72" in page
    spans = re.search(r'data-hours="([^"]+)"', page)
    assert spans is not None
    opening = json.loads(spans.group(1).replace("&quot;", '"'))
    assert (
        len(opening) == 10 and [0, "14:00", "17:00"] in opening and [4, "09:00", "12:00"] in opening
    )
    assert "09:00–12:00, 14:00–17:00" in page, "readable without the script"
    assert 'href="tel:+33465710001"' in page
    assert "Not verified" not in page and "🤖" not in page


def test_catalogue_text_cannot_inject_html(testville_copy: Path, tmp_path: Path) -> None:
    actions = testville_copy / "actions.yaml"
    actions.write_text(
        actions.read_text().replace(
            "title: {fr: Colocations,", """title: {fr: "Colocations <script>x()</script> & co","""
        )
    )
    site = _build(testville_copy, tmp_path / "site")
    page = (site.root / "fr" / service_file("shared-flats")).read_text()
    assert "Colocations &lt;script&gt;x()&lt;/script&gt; &amp; co" in page
    assert "<script>x()" not in page
    assert "<script>x()" not in (site.root / "fr" / theme_file("housing")).read_text()


class Accessibility(HTMLParser):
    """What an automated accessibility check looks at (axe-core needs the network)."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.problems: list[str] = []
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self.references: list[str] = []
        self.name: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "html":
            self.lang = found.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img" and "alt" not in found:
            self.problems.append(f"an image without alt: {found.get('src')}")
        elif tag == "label" and found.get("for"):
            self.labels.add(found["for"] or "")
        elif tag == "input" and found.get("type") != "hidden":
            self.inputs.append(found)
        elif tag in ("a", "button"):
            self.name = [found.get("aria-label") or ""]
        if found.get("role") == "img" and not (
            found.get("aria-label") or found.get("aria-labelledby")
        ):
            self.problems.append(f"a <{tag} role=img> without a name")
        if found.get("aria-labelledby"):
            self.references.append(found["aria-labelledby"] or "")

    def handle_data(self, data: str) -> None:
        if self.name is not None:
            self.name.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "button") and self.name is not None:
            if not "".join(self.name).strip():
                self.problems.append(f"a <{tag}> with no text")
            self.name = None

    def report(self) -> list[str]:
        problems = list(self.problems)
        if not self.lang:
            problems.append("no <html lang>")
        if self.headings.count(1) != 1 or self.headings[0] != 1:
            problems.append(f"not one <h1> first: {self.headings}")
        problems += [f"<h{b}> after <h{a}>" for a, b in pairwise(self.headings) if b > a + 1]
        problems += [
            f"an input without a label: {i}"
            for i in self.inputs
            if not i.get("aria-label") and i.get("id") not in self.labels
        ]
        problems += [
            f"aria-labelledby={r} names nothing" for r in self.references if r not in self.ids
        ]
        return problems


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _six_digits(colour: str) -> str:
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


def test_every_page_passes_an_automated_accessibility_check(poitiers_site: Site) -> None:
    for page in poitiers_site.pages:
        checker = Accessibility()
        checker.feed(page.read_text())
        assert checker.report() == [], page
    # Dark text on a light background: every text colour on every background, WCAG AA.
    texts = {_six_digits(c) for c in re.findall(r"(?<![-\w])color: (#[0-9a-f]+)", STYLE)}
    backgrounds = {_six_digits(c) for c in re.findall(r"background: (#[0-9a-f]+)", STYLE)}
    assert texts and backgrounds
    for text in texts:
        for background in backgrounds:
            light, dark = sorted((_luminance(text), _luminance(background)), reverse=True)
            assert (light + 0.05) / (dark + 0.05) >= 4.5, (text, background)


def _with_hours(site: Site, lang: str) -> Path:
    return next(
        p for p in sorted((site.root / lang).glob("service-*")) if "data-hours" in p.read_text()
    )


@needs_chromium
@pytest.mark.parametrize("lang", ["fr", "ar", "ti"])
def test_the_page_says_whether_it_is_open_now_without_console_errors(
    poitiers_site: Site, lang: str
) -> None:
    page = _with_hours(poitiers_site, lang)
    dom, console = browse(page)
    assert console == []
    s = poitiers_site.i18n[lang]
    states = re.findall(r'<b class="now (open|closed)">([^<]+)</b>', dom)
    assert states, "filled in by the script"
    for state, text in states:
        assert text == s._("open now" if state == "open" else "closed now")


@needs_chromium
@pytest.mark.parametrize(
    ("lang", "typed"),
    [("fr", "MEDECIN REMBOURSE"), ("ar", "طبيب"), ("uk", "лікар")],
    ids=["fr-capitals-without-accents", "ar", "uk"],
)
def test_the_search_finds_a_family_doctor_offline(
    poitiers_site: Site, lang: str, typed: str
) -> None:
    dom, console = browse(poitiers_site.root / lang / "search.html", "?q=" + quote(typed))
    assert console == []
    results = re.search(r'<ol class="links" id="results"[^>]*>(.*?)</ol>', dom, re.S)
    assert results is not None
    title = poitiers_site.catalogue.actions_by_id["find-gp"].title[lang]
    assert f'<a href="{service_file("find-gp")}">{title}</a>' in results.group(1)
    assert 0 < results.group(1).count("<li>") < len(poitiers_site.catalogue.actions) / 4
    assert '<p id="none" hidden="">' in dom


@needs_chromium
def test_the_longest_service_prints_on_one_a4_page(poitiers_site: Site, tmp_path: Path) -> None:
    def text_length(page: Path) -> int:
        main = re.search(r"<main>(.*)</main>", page.read_text(), re.S)
        return len(main.group(1)) if main else 0

    longest = max(
        (p for p in poitiers_site.pages if p.name.startswith("service-")), key=text_length
    )
    render(longest, tmp_path / "service.pdf")
    pdf = (tmp_path / "service.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1, longest


@needs_chromium
def test_every_page_loads_in_chromium_without_console_messages(
    poitiers_site: Site, tmp_path: Path
) -> None:
    """Every page of the ten languages at once, each in a frame of one page: every script
    runs, in one start of Chromium."""
    pages = sorted(poitiers_site.root.glob("*/*.html"))
    frames = "".join(f'<iframe src="{page.as_uri()}"></iframe>' for page in pages)
    harness = tmp_path / "all.html"
    harness.write_text(f"<!doctype html><title>all</title>{frames}", encoding="utf-8")
    dom, console = browse(harness)
    assert {page.parent.name for page in pages} == set(poitiers_site.catalogue.territory.languages)
    assert len(pages) > 600 and dom.count("<iframe") == len(pages)
    assert console == []
