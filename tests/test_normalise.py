"""Spelling variants people type meet the catalogue's keywords."""

import pytest

from bot.matching.normalise import normalise


@pytest.mark.parametrize(
    ("typed", "catalogue"),
    [
        ("Où apprendre le FRANÇAIS", "ou apprendre le francais"),
        ("كار ميخواهم", "کار می‌خواهم"),  # Persian typed on an Arabic keyboard, with ZWNJ
        ("أَبْحَثُ عَنْ سَكَنٍ", "ابحث عن سكن"),  # diacritics, hamza on alef
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("ـــسكـــن", "سکن"),  # tatweel
        ("١٥ ۱۵", "15 15"),  # Arabic-Indic and Persian digits
        ("Işık", "isik"),  # Turkish dotless i
        ("ёлка", "елка"),
        ("l'école", "ecole"),  # elided article
        ("квартиру", "квартира"),  # inflection
        ("السکن", "سکن"),  # Arabic article
    ],
)
def test_variants_meet(typed: str, catalogue: str) -> None:
    assert normalise(typed) == normalise(catalogue)


def test_apostrophes_inside_words_are_kept() -> None:
    assert "aujourd'hu" in normalise("aujourd’hui")


def test_invisible_and_bidi_characters_vanish() -> None:
    assert normalise("\u202elogement\u200b\u2066") == normalise("logement")
    assert normalise("\ud800") == ""


def test_an_arabic_clitic_glued_to_a_french_word_is_cut_off() -> None:
    """ "كيف بقدم عالRSA" (how do I apply for the RSA) got a job card: "عالRSA" was one
    Arabic word. A glued article or preposition goes, any other Arabic word stays."""
    assert normalise("كيف بقدم عالRSA").split()[-1] == normalise("RSA")
    assert normalise("الrécépissé") == normalise("récépissé")
    assert normalise("بالpréfecture") == normalise("préfecture")
    assert normalise("مرحباbonjour") == f"{normalise('مرحبا')} bonjour"
    assert normalise("سكنHLM") == f"{normalise('سكن')} hlm"  # a word of three letters stays
    assert normalise("عمر15") == f"{normalise('عمر')} 15"
    assert normalise("ع١٠") == "10"
