"""One normal form for keywords and messages, so that spelling variants meet.

Applied once to the catalogue when the index is built and to each message: people type
without accents, with Arabic letters on a Persian keyboard, with Arabic-Indic digits.
"""

from __future__ import annotations

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
"""A word: letters and digits, apostrophes kept inside ("aujourd'hui", "l'école")."""


def _strip_marks(text: str) -> str:
    """Drop combining marks (Latin accents, Cyrillic breve) but keep Ethiopic and Arabic letters."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept)


def normalise(text: str) -> str:
    """The comparable form of ``text``: lower case, no accents, unified letters, one space."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = text.casefold().translate(_LETTERS).translate(_DIGITS)
    text = _ARABIC_MARKS.sub("", text)
    text = _strip_marks(text)
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The words of an already normalised text."""
    return _WORD.findall(text)
