"""French phone numbers, normalised to E.164 so that a tap on the number dials it."""

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")
_NATIONAL = re.compile(r"^0([1-9][0-9]{8})$")
_INTERNATIONAL = re.compile(r"^(?:\+|00)33([1-9][0-9]{8})$")
_SHORT = re.compile(r"^(?:1[0-9]{1,2}|116[0-9]{3}|3[0-9]{3})$")
"""National short numbers: 15, 115, 119, 116 006, 3949, 34 00."""


def normalise_phone(raw: str) -> str:
    """``05 49 41 00 00`` → ``+33549410000``; raises ValueError for anything else."""
    compact = _SEPARATORS.sub("", raw)
    if _SHORT.match(compact):
        return compact
    match = _NATIONAL.match(compact) or _INTERNATIONAL.match(compact)
    if not match:
        raise ValueError(
            f"{raw!r} is not a French phone number (expected 10 digits like 05 49 00 00 00, "
            "+33 5 49 00 00 00, or a national short number like 3949)"
        )
    return "+33" + match.group(1)


def display_phone(e164: str) -> str:
    """``+33549410000`` → ``05 49 41 00 00``, the way people in France read it."""
    if not e164.startswith("+"):
        return e164
    digits = "0" + e164.removeprefix("+33")
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
