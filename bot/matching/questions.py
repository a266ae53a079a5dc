"""What a message asks about a service: where it is, when it is open, what it costs, whether
one needs an appointment. The card then answers that first.

Cues are short phrases per language, compared word by word on the normal form (so "ou se
trouve" meets "où se trouve"). A bare French "ou" ("or") is not a cue; "où est" is.
"""

from __future__ import annotations

from bot.matching.normalise import normalise, words

Ask = str
"""One of ``where``, ``when``, ``cost``, ``appointment``."""

CUES: dict[Ask, tuple[str, ...]] = {
    "where": (
        # fr, en
        "où se trouve", "où est", "c'est où", "où aller", "adresse", "where", "address",
        # ar (with Arabizi), fa, ps
        "أين", "وين", "فين", "عنوان", "العنوان", "wein", "wen", "3enwan", "3onwan",
        "کجا", "کجاست", "آدرس", "ادرس", "نشانی", "koja", "kojast", "adres",
        "چېرته", "چیرته", "پته", "cherta",
        # ti, so, ru, uk, tr
        "ኣበይ", "ኣድራሻ", "abey", "xagee", "halkee", "cinwaan", "cinwaanka",
        "где", "адрес", "куда идти", "gde", "де знаходиться", "адреса", "куди йти",
        "nerede", "nerde", "adresi",
    ),
    "when": (
        "quand", "horaire", "horaires", "heures d'ouverture", "ouvert", "when", "opening hours",
        "is it open", "open today", "متى", "امتى", "ايمتى", "اوقات الدوام", "ساعات", "الدوام",
        "emta", "chand baz", "کی باز", "چه وقت", "چه زمانی", "ساعت کاری", "کله", "په کوم وخت",
        "መዓስ", "ሰዓት", "goorma", "saacadaha", "когда", "часы работы", "во сколько", "kogda",
        "коли", "години роботи", "о котрій", "koly", "ne zaman", "saat kaçta", "saatleri",
        "çalışma saatleri",
    ),
    "cost": (
        "combien", "prix", "coûte", "tarif", "payant", "gratuit", "how much", "cost", "price",
        "fee", "بكم", "سعر", "تكلفة", "قديش", "مجاني", "ببلاش", "چقدر", "قیمت", "هزینه",
        "رایگان", "مجانی", "څومره", "بیه", "لګښت", "وړیا", "ክንደይ", "ዋጋ", "immisa", "qiimaha",
        "bilaash", "сколько стоит", "цена", "стоимость", "бесплатно", "платно", "skolko stoit",
        "скільки коштує", "ціна", "вартість", "безкоштовно", "ne kadar", "ücret", "fiyat",
        "ücretsiz",
    ),
    "appointment": (
        "rendez-vous", "rendez vous", "rdv", "appointment", "موعد", "رونديفو", "maw3ed",
        "maw3id", "وقت قبلی", "نوبت", "رندوو", "ቆጸራ", "ballan", "запись", "записаться",
        "zapis", "запис", "записатися", "randevu",
    ),
}  # fmt: skip

_CUES: dict[Ask, list[tuple[str, ...]]] = {
    ask: [tuple(words(normalise(cue))) for cue in cues] for ask, cues in CUES.items()
}


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def asks(text: str) -> tuple[Ask, ...]:
    """The practical questions in ``text``, in a fixed order."""
    tokens = words(normalise(text))
    return tuple(
        ask for ask, phrases in _CUES.items() if any(_contains(tokens, p) for p in phrases)
    )
