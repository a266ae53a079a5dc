"""Russian and Ukrainian typed in Latin letters, back into Cyrillic.

People without a Cyrillic keyboard write "kak poluchit vid na zhitelstvo". The keywords and
the embedding model know "как получить вид на жительство"; a few spelling rules (the usual
phone transliterations, longest first) bring one to the other. Other scripts are left alone:
Arabizi and romanised Persian have no single spelling to undo.
"""

from __future__ import annotations

import re

_COMMON = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ts", "ц"), ("yu", "ю"), ("ju", "ю"), ("ya", "я"), ("ja", "я"), ("yo", "ё"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("z", "з"),
    ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"), ("x", "кс"),
    ("q", "к"), ("'", "ь"),
]  # fmt: skip
_RULES = {
    "ru": [("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("ii", "ий"), ("e", "е"), ("i", "и"),
           ("y", "ы"), ("j", "й"), *_COMMON],
    "uk": [("ye", "є"), ("yi", "ї"), ("ji", "ї"), ("iy", "ій"), ("e", "е"), ("i", "і"),
           ("y", "и"), ("j", "й"), *_COMMON],
}  # fmt: skip
_PATTERNS = {
    lang: (
        re.compile("|".join(re.escape(src) for src, _ in sorted(rules, key=lambda r: -len(r[0])))),
        dict(rules),
    )
    for lang, rules in _RULES.items()
}
_LATIN_WORD = re.compile(r"[A-Za-z']+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_KEEP = frozenset(
    "caf ofii rsa apl pass chu cph ufolep prefecture titre sejour rendez vous carte vitale "
    "ameli france travail poitiers".split()
)
"""French words people mix in: left as they are, the catalogue knows them in Latin letters."""


def to_cyrillic(text: str, lang: str) -> str | None:
    """``text`` spelt in Cyrillic, or None for other languages and for text that already has
    Cyrillic letters."""
    if lang not in _PATTERNS or _CYRILLIC.search(text):
        return None  # written in Cyrillic already: its Latin words are names (Coallia, CAF)
    pattern, table = _PATTERNS[lang]

    def word(match: re.Match[str]) -> str:
        latin = match.group(0)
        if latin.lower() in _KEEP:
            return latin
        return pattern.sub(lambda m: table[m.group(0)], latin.lower())

    converted = _LATIN_WORD.sub(word, text)
    return converted if converted != text else None
