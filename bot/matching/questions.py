"""What a message asks about a service: where it is, when it is open, what it costs, whether
one needs an appointment. The card then answers that first.

Cues are short phrases per language, compared word by word on the normal form (so "ou se
trouve" meets "où se trouve"); words that also mean something else ("when", "quand",
Persian "چقدر" "so", Arabic "بكم" "with you") are not cues. A bare French "ou" ("or") is not
a cue; "où", with its accent, is.
"""

from __future__ import annotations

import re

from bot.matching.normalise import normalise, words

Ask = str
"""One of ``where``, ``when``, ``cost``, ``appointment``."""

CUES: dict[Ask, tuple[str, ...]] = {
    "where": (
        # fr ("où" itself is read before accents go: "ou" is "or"), en
        "où se trouve", "adresse", "where", "address",
        # ar (with Arabizi), fa, ps
        "أين", "وين", "فين", "عنوان", "العنوان", "wein", "3enwan", "3onwan",
        "کجا", "کجاست", "آدرس", "ادرس", "نشانی", "koja", "kojast",
        "چېرته", "چیرته", "پته", "cherta",
        # ti, so, ru, uk, tr
        "ኣበይ", "ኣድራሻ", "abey", "xagee", "halkee", "cinwaan", "cinwaanka",
        "где", "адрес", "gde", "де знаходиться", "адреса", "nerede", "nerde", "adresi",
    ),
    "when": (
        # Only ways of asking for opening times: a bare "when" starts many other sentences.
        "horaire", "horaires", "heures d'ouverture", "c'est ouvert", "ouvert quand",
        "opening hours", "is it open", "open today", "when does it open", "what time",
        "متى", "امتى", "ايمتى", "اوقات الدوام", "الدوام", "emta",
        "کی باز", "چه وقت باز", "ساعت کاری", "کله خلاص", "په کوم وخت",
        "መዓስ", "ሰዓት ስራሕ", "goorma", "saacadaha shaqada",
        "часы работы", "во сколько", "когда открыт", "когда работает",
        "години роботи", "о котрій", "коли працює", "коли відкрито",
        "saat kaçta", "çalışma saatleri", "ne zaman açık",
    ),
    "cost": (
        "combien", "prix", "coûte", "tarif", "payant", "gratuit", "how much", "cost", "price",
        "fee", "سعر", "تكلفة", "قديش", "مجاني", "ببلاش", "قیمت", "هزینه", "رایگان", "مجانی",
        "څومره", "بیه", "لګښت", "وړیا", "ክንደይ", "ዋጋ", "qiimaha", "bilaash",
        "сколько стоит", "цена", "стоимость", "бесплатно", "платно", "skolko stoit",
        "скільки коштує", "ціна", "вартість", "безкоштовно", "ücret", "fiyat", "ücretsiz",
        "kaç para",
    ),
    "appointment": (
        "rendez-vous", "rendez vous", "rdv", "appointment", "موعد", "رونديفو", "maw3ed",
        "maw3id", "وقت قبلی", "نوبت", "رندوو", "ቆጸራ", "ballan", "запись", "записаться",
        "zapis", "запис", "записатися", "randevu",
    ),
}  # fmt: skip
WHERE_ACCENTED = re.compile(r"(?<!\w)où(?!\w)", re.IGNORECASE)
"""French "où" ("where"), told from "ou" ("or") by its accent, before normalising drops it."""


def _by_first_word() -> dict[str, list[tuple[Ask, tuple[str, ...]]]]:
    """Each cue's words under its first word: a message is read once, whatever its length."""
    index: dict[str, list[tuple[Ask, tuple[str, ...]]]] = {}
    for ask, cues in CUES.items():
        for cue in cues:
            if phrase := tuple(words(normalise(cue))):
                index.setdefault(phrase[0], []).append((ask, phrase))
    return index


_BY_FIRST_WORD = _by_first_word()


def asks(text: str) -> tuple[Ask, ...]:
    """The practical questions in ``text``, in a fixed order."""
    tokens = words(normalise(text))
    found = {
        ask
        for i, token in enumerate(tokens)
        for ask, phrase in _BY_FIRST_WORD.get(token, ())
        if tuple(tokens[i : i + len(phrase)]) == phrase
    }
    if WHERE_ACCENTED.search(text):
        found.add("where")
    return tuple(ask for ask in CUES if ask in found)
