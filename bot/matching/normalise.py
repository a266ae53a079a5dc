"""One normal form for keywords and messages, so that spelling variants meet.

Applied once to the catalogue when the index is built and to each message: people type
without accents, with Arabic letters on a Persian keyboard, with Arabic-Indic digits.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
"""Arabic diacritics (harakat, shadda, sukun, Quranic marks) and tatweel."""
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
"""Zero-width characters (the Persian non-joiner too: "می‌خواهم" meets "میخواهم"), bidi
marks and isolates, soft hyphen."""
_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ې": "ی",  # Pashto
        "ۍ": "ی",
        "ے": "ی",
        "ګ": "گ",
        "ہ": "ه",
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "ı": "i",
        "ё": "е",
        "й": "и",
        "’": "'",
        "ʼ": "'",
        "`": "'",
        "ʻ": "'",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
"""A word: letters and digits, apostrophes kept inside ("aujourd'hui")..."""
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)'(?=[^\W_])")
"""...but not the French elided article or pronoun: "l'école" is "école"."""

_CYRILLIC_ENDINGS = tuple(
    "иями ями ами ого его ому ему ыми ими ах ях ом ем ои еи ую юю ая яя ое ее ые ие ов "
    "ев ам ям ть ти у ю а я ы и е о і ь".split()
)
_LATIN_ENDINGS = tuple("lari leri lar ler dan den nin nun ka ta ga da de te s x a e i u".split())
_ARABIC_PREFIXES = ("وال", "بال", "فال", "کال", "لل", "ال")
_ARABIC_SUFFIXES = ("های", "ها", "ات", "ون", "ین")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")


@functools.lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A crude, language-blind stem: one common ending (or Arabic article) cut off.

    Applied alike to keywords and messages, so "квартиру" meets "квартира", "السکن" meets
    "سکن" and "écoles" meets "école"; fuzzy matching absorbs what this misses.
    """
    if _CYRILLIC.match(word):
        cut = next((e for e in _CYRILLIC_ENDINGS if word.endswith(e)), "")
        return word[: -len(cut)] if cut and len(word) - len(cut) >= 4 else word
    if _ARABIC_SCRIPT.match(word):
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix) :]
                break
        for suffix in _ARABIC_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
        return word
    if word.isascii() and len(word) >= 5:
        cut = next((e for e in _LATIN_ENDINGS if word.endswith(e)), "")
        return word[: -len(cut)] if cut and len(word) - len(cut) >= 4 else word
    return word


def _strip_marks(text: str) -> str:
    """Drop combining marks (Latin accents, Cyrillic breve) but keep Ethiopic and Arabic letters."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


_ETHIOPIC_SYLLABLES = {
    code: chr(0x1200 + (code - 0x1200) // 8 * 8) for code in range(0x1200, 0x135B)
}
"""Ge'ez letters fold to their consonant: Tigrinya inflects by changing a syllable's vowel
("ክሞት", "ክመውት"), so matching on consonants meets more forms of a word."""


_GLUED = re.compile("([\u0600-\u06ff]+)(?=[a-z0-9])")
"""Arabic letters glued to a French word or a number: "عالRSA", "الrécépissé", "سكنHLM"."""
_CLITICS = frozenset("ال بال وال فال کال لل عال عل ب ل و ف ع".split())
"""Articles and prepositions written onto the next word (in their normalised letters)."""


def _unglue(match: re.Match[str]) -> str:
    """A glued article or preposition goes; any other Arabic word is kept, as a word."""
    piece = match.group(1)
    return "" if piece in _CLITICS else piece + " "


def normalise(text: str) -> str:
    """The comparable form of ``text``: lower case, no accents, unified letters, stems."""
    if text.isascii():  # most keywords: nothing below but case and "`" changes them
        text = text.lower().replace("`", "'")
    else:
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = text.casefold().translate(_LETTERS).translate(_DIGITS)
        text = _ARABIC_MARKS.sub("", text)
        text = _strip_marks(text).translate(_ETHIOPIC_SYLLABLES)
        text = _GLUED.sub(_unglue, text)
    return " ".join(stem(_ELISION.sub("", word)) for word in _WORD.findall(text))


def words(text: str) -> list[str]:
    """The words of an already normalised text."""
    return text.split()
