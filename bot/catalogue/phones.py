"""Phone numbers, read and written by libphonenumber (``phonenumbers``): the forms people copy
from a website ("+33 (0)5 49 ...", "05.49...", "0033 5 ..."), national short numbers (15, 115,
3949, 116 006) and foreign numbers, normalised so that a tap on the number dials it."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

REGION = "FR"
"""Where a number written without its country code is read. The catalogue is one
territory's; a territory in another country would set this from its own country."""


def normalise_phone(raw: str, region: str = REGION) -> str:
    """``05 49 41 00 00`` → ``+33549410000``; a short number stays as dialled (``3949``);
    raises ValueError with an example for anything else."""
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number is not None and phonenumbers.is_valid_short_number(number):
        return str(number.national_number)
    raise ValueError(
        f"{raw!r} is not a phone number (write it like 05 49 00 00 00, +33 5 49 00 00 00, "
        "or a national short number like 3949)"
    )


def display_phone(e164: str, region: str = REGION) -> str:
    """``+33549410000`` → ``05 49 41 00 00`` the way people in the territory read it; a foreign
    number keeps its country code."""
    if not e164.startswith("+"):
        return e164
    number = phonenumbers.parse(e164)
    home = phonenumbers.region_code_for_number(number) == region
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    )
