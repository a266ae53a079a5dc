"""Which of the ten languages a message is written in, offline.

The Unicode script decides first (Ethiopic is Tigrinya, ґ є ї і are Ukrainian, ټ ډ ړ are
Pashto); within a script, py3langid's bundled model picks among our languages. Latin letters
are not only French, English and Turkish: Arabic is typed as Arabizi ("abghi ta3allam"),
Persian, Pashto, Tigrinya, Russian and Ukrainian are typed in Latin letters, and Somali is
always written so. Those are recognised by their frequent romanised words
(``romanised.json``: no word listed under two languages) and Arabizi by its digits.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

from py3langid.langid import MODEL_FILE, LanguageIdentifier

_ETHIOPIC = re.compile("[\u1200-\u137f]")
_UKRAINIAN = re.compile("[ґєіїҐЄІЇ]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_PASHTO = re.compile("[ټډړښږځڅڼۍېګ]")
_PERSIAN = re.compile("[پچژگی]")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_LATIN = re.compile("[A-Za-zÀ-ɏ]")
_TURKISH = re.compile("[ğşıİĞŞ]")
_ARABIC_ONLY = re.compile("[ةىئؤ]|\\bال")
_PERSIAN_WORDS = frozenset(
    "است هست هستم هستيم هستي نيست كجاست ميخوام ميخواهم ميخواهيم دارم داريم نداريم كنم ميكنم "
    "براي خانواده زبان".split()
)
"""Persian words as an Arabic keyboard types them (ي, ك: no پ چ ژ گ ی, which tell Persian
already), words Arabic does not have."""
_ARABIC_WORDS = frozenset(
    "انا أنا بدي عندي وين شو ابغى ابي اريد أريد كيف ليش شلون هل ممكن بغيت عايز داير هاد هذا "
    "هذه اللي مش مو".split()
)
"""Everyday Arabic words: with one of them, a Persian-looking word is a borrowing or a typo."""
_ARABIC_WORD = re.compile("[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]+")
"""A word in Arabic letters, without the Arabic question mark and comma around it."""

_SOMALI_WORDS = frozenset(
    "waxaan waxa waa iyo ku ka la aan ma maxaan sidee xaggee halkee waan ayaa ayaan baan "
    "rabaa doonayaa u baahanahay caawimaad caawin guri shaqo dhakhtar iska warran nabad "
    "galab subax fadlan mahadsanid haa maya kuma kama ilmaha carruurta hooyo aabe "
    "luqadda barasho af faransiis qol kiro lacag xafiis dugsi iskuul loo lagu loogu ah "
    "oo ii ama wuu yaa see tahay walaal asc ilig kaliya maayo kari karaa barto waxan igu "
    "iga bay baa buu ayay miyaa maxay goorma meesha halka dumar haween rag qof dad badan "
    "yar weyn wanaagsan bukaan isbitaal daawo ilko shaqada magaalada hadda berri shalay "
    "gabadh wiil naag nin xaas reer degmo".split()
)

_SOMALI_SHAPE = re.compile(r"aa|ii|uu|(ee|oo).*([xqc]|dh|kh)|([xqc]|dh|kh).*(ee|oo)")
_SOMALI_ENDINGS = ("kayga", "tayda", "gayga", "dayda", "ayaa", "aysa", "ayuu", "ada", "aha")


def _looks_somali(token: str) -> bool:
    """Somali spelling: its frequent words, doubled vowels beside x, q, c, dh or kh."""
    return (
        token in _SOMALI_WORDS
        or bool(_SOMALI_SHAPE.search(token))
        or token.endswith(_SOMALI_ENDINGS)
    )


MODEL_LANGUAGES = ("fr", "en", "tr", "ru", "uk", "ar", "fa", "ps")
LATIN_NATIVE = ("fr", "en", "tr")
"""Written in Latin letters by their own alphabet; the others only when typed so."""
_ARABIZI = re.compile(r"[a-z][23579][a-z]|^[23579][a-z]{2,}")
"""Digits standing for Arabic letters inside a word: 3 ع, 7 ح, 9 ق, 2 ء, 5 خ ("ta3allam",
"7abibi"); not a flat type or a level ("T2", "B2")."""


@cache
def _romanised() -> dict[str, tuple[str, ...]]:
    """Each romanised word and the language it belongs to."""
    lists = json.loads((Path(__file__).parent / "romanised.json").read_text("utf-8"))
    by_word: dict[str, list[str]] = {}
    for lang, words in lists.items():
        for word in words:
            by_word.setdefault(word, []).append(lang)
    return {word: tuple(langs) for word, langs in by_word.items()}


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    ).replace("ı", "i")


def _latin_language(text: str) -> str:
    tokens = re.findall(r"[a-z0-9]+", _fold(text))
    counts: Counter[str] = Counter()
    known = _romanised()
    for token in tokens:
        counts.update(known.get(token, ()))
        if _ARABIZI.search(token):
            counts["ar"] += 1
    native = max((counts[lang] for lang in LATIN_NATIVE), default=0)
    typed = [(n, lang) for lang, n in counts.items() if lang not in LATIN_NATIVE]
    if typed:
        n, lang = max(typed)
        if n >= max(native, 1):
            return lang
    if tokens and sum(map(_looks_somali, tokens)) / len(tokens) >= 0.25:
        return "so"
    if native >= 2:
        best = [lang for lang in LATIN_NATIVE if counts[lang] == native]
        if len(best) == 1:
            return best[0]
    return _best_of(text, LATIN_NATIVE)


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(MODEL_LANGUAGES))
    return identifier


def _best_of(text: str, allowed: tuple[str, ...]) -> str:
    for lang, _ in _identifier().rank(text):
        if lang in allowed:
            return lang
    return allowed[0]


ROMANISED = frozenset({"ar", "fa", "ps", "ti"})
"""Languages whose Latin-letter writing the embedding model reads poorly (Arabizi, Finglish):
Russian and Ukrainian in Latin letters are read back in Cyrillic instead."""


def romanised(text: str, lang: str | None) -> bool:
    """``text`` is in Latin letters but in a language usually written in another script."""
    return (
        lang in ROMANISED
        and bool(_LATIN.search(text))
        and not (_ARABIC_SCRIPT.search(text) or _ETHIOPIC.search(text))
    )


def detect_language(text: str) -> str | None:
    """The language code of ``text``, or None when there is nothing to tell it by."""
    if _ETHIOPIC.search(text):
        return "ti"
    if _CYRILLIC.search(text):
        return "uk" if _UKRAINIAN.search(text) else _best_of(text, ("ru", "uk"))
    if _ARABIC_SCRIPT.search(text):
        if _PASHTO.search(text):
            return "ps"
        if _PERSIAN.search(text) and not _ARABIC_ONLY.search(text):
            return _best_of(text, ("fa", "ps"))
        words = set(_ARABIC_WORD.findall(text))
        if words & _PERSIAN_WORDS and not words & _ARABIC_WORDS and not _ARABIC_ONLY.search(text):
            return "fa"
        return _best_of(text, ("ar", "fa", "ps"))
    if _LATIN.search(text):
        if _TURKISH.search(text):
            return "tr"
        return _latin_language(text)
    return None
