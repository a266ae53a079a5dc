"""CATALOGUE.md, the coordinator's reference of every field, generated from the model.

The field list, types, allowed values and required fields come from the pydantic model (the
same JSON Schema editors use); the meaning comes from the model's descriptions, or from
``MEANINGS`` below for the fields whose name says too little on its own.
"""

from __future__ import annotations

from typing import Any

from bot.catalogue.model import CatalogueFile

MEANINGS: dict[str, str] = {
    "Access.how": "how people get in: walk-in (just come), appointment, referral (a social "
    "worker must refer them), phone, online, post",
    "Access.free": "true when it costs nothing",
    "Access.details": 'the concrete first step, per language ("Register on francetravail.fr, '
    'or call 3949.")',
    "Action.id": "a short id, lowercase letters, digits and '-': used in links and QR codes",
    "Action.operators": "the operators that run it (their ids)",
    "Action.themes": "its themes, the main need first (the card opens from that theme)",
    "Action.audience": "who may use it: bpi (refugees and subsidiary protection), "
    "primo-arrivant (other newcomers with a residence permit), asylum (open to people asking "
    "for asylum too)",
    "Action.eligibility": "restrictions beyond the audience; absent means none",
    "Action.title": "the service's name, per language, in plain words (≤ 8 words)",
    "Action.summary": "one or two plain sentences per language: what happens there",
    "Action.translations": "per language: source, machine (machine-drafted) or reviewed",
    "Action.keywords": "words people type, per language (typos and words without accents too)",
    "Action.access": "how to get in",
    "Action.online": "the online procedure, if there is one",
    "Action.schedule": "when it takes place, in words, per language",
    "Action.valid": "the dates it runs between; a warning once it has ended",
    "Action.notices": "temporary notices shown on the card while valid",
    "Address.street": "number and street",
    "Address.postcode": "five digits",
    "Address.city": "the town",
    "Area.lat_min": "southern edge (latitude)",
    "Area.lat_max": "northern edge (latitude)",
    "Area.lon_min": "western edge (longitude)",
    "Area.lon_max": "eastern edge (longitude)",
    "Contact.name": "who to ask",
    "Contact.email": "an email address",
    "Contact.phone": "a phone number, as written in the country (05 49 00 00 00, +33 5 49 00 00 00) or a short number (3949)",
    "Contract.name": "the contract's name, per language",
    "Contract.signed": "the date it was signed",
    "Contract.signatories": "who signed it",
    "Contract.funding": "the funding, by year",
    "Contract.period": "the period it covers, in words",
    "Contract.sources": "where these facts come from",
    "Coordinates.lat": "latitude, e.g. 46.58",
    "Coordinates.lon": "longitude, e.g. 0.34",
    "Eligibility.women": "only or priority: for women only, or mainly",
    "Eligibility.priority_neighbourhood": "true: for people living in priority neighbourhoods",
    "Eligibility.parents": "true: for parents",
    "Eligibility.trade": "the trade it prepares for (an id, e.g. building)",
    "EmergencyContact.id": "a short id",
    "EmergencyContact.number": "the number to dial (2 to 6 digits)",
    "EmergencyContact.purpose": "what it is for, per language (shown beside the number)",
    "EmergencyContact.label": "its short name, per language",
    "EmergencyContact.words": "danger words and phrases, per language: said in a message, "
    "they show this number first",
    "EmergencyContact.sms": "true when it is reached by text message",
    "Funding.amount_eur": "the amount in euros",
    "Funding.year": "the year",
    "Funding.purpose": "what it pays for, per language",
    "Notice.from": "the first day it is shown (optional)",
    "Notice.until": "the last day it is shown",
    "Notice.text": "the notice, per language (the default language at least)",
    "Online.name": "the procedure's name as people see it on the site, per language",
    "Online.url": "the address of the site",
    "Operator.id": "a short id, lowercase letters, digits and '-'",
    "Operator.name": "the official name",
    "Operator.description": "one plain sentence per language: who they are",
    "Operator.address": "the street address, when the sources give it",
    "Operator.coordinates": "the place on a map (shows a map button)",
    "Operator.phones": "phone numbers: 10 digits (05 49 00 00 00) or a national short number "
    "(3949)",
    "Operator.phone_cost": "what a call costs: free, local-call (price of a local call), "
    "free-service (free service, the call at its price)",
    "Operator.email": "an email address",
    "Operator.website": "the website (https://...)",
    "Operator.languages": "languages spoken there",
    "Operator.wheelchair": "true or false: wheelchair access",
    "Operator.notices": "temporary notices shown on its cards while valid",
    "Territory.id": "a short id for the territory",
    "Territory.name": "the town's official name",
    "Territory.default_language": "the language shown when a text is missing in another one",
    "Territory.languages": "the languages the bot speaks here",
    "Territory.timezone": "for 'open now' (Europe/Paris)",
    "Territory.area": "every operator's coordinates must fall inside it",
    "Territory.coordinator": "the CTAI coordinator's contact: shown on cards that give no "
    "other way in",
    "Territory.contract": "the contract, for people who ask who runs the bot",
    "Territory.emergency": "the emergency numbers, always one tap away",
    "Territory.sources": "where these facts come from",
    "Theme.id": "one of the fixed theme ids",
    "Theme.emoji": "the emoji of its menu button",
    "Theme.label": "its name per language (≤ 4 words)",
    "Theme.keywords": "words people type for this theme, per language",
    "Validity.from": "the first day",
    "Validity.until": "the last day",
    "Verification.verified": "true once someone has checked it against the source",
    "Verification.verified_on": "the day it was checked (warning after 6 months)",
    "Verification.note": "for the coordinator: what is old, indirect or unknown (not shown)",
    "Verification.sources": "where each fact comes from (links or names)",
}
VERIFICATION = ("verified", "verified_on", "note", "sources")

EXAMPLE = """\
actions:
  - id: example-french-class
    operators: [toit-du-monde]
    themes: [language]
    audience: [bpi, primo-arrivant]
    title: {fr: Cours de français le soir, en: Evening French classes}
    summary:
      fr: Des cours de français deux soirs par semaine, pour tous les niveaux.
      en: French classes two evenings a week, for every level.
    translations: {fr: source, en: machine}
    keywords: {fr: [cours du soir, français le soir], en: [evening class]}
    examples:
      fr: [je travaille la journée, je cherche des cours de français le soir]
    access:
      how: [walk-in]
      free: true
      details: {fr: Venez le mardi à 18 h., en: Come on Tuesday at 6 pm.}
    hours: Tu,Th 18:00-20:00
    notices:
      - {from: 2026-12-21, until: 2027-01-04, text: {fr: Fermé pendant les vacances., en: Closed for the holidays.}}
    verified: true
    verified_on: 2026-11-28
    sources: [https://example.org/source]
"""


def _type(spec: dict[str, Any]) -> str:
    """A field's type in the coordinator's words."""
    if "anyOf" in spec:
        kinds = [_type(s) for s in spec["anyOf"] if s.get("type") != "null"]
        return " or ".join(kinds)
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in spec:
        return "one of: " + ", ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    kind = spec.get("type")
    if kind == "array":
        return "list of " + _type(spec.get("items", {}))
    if kind == "object":
        inner = spec.get("additionalProperties")
        keys = spec.get("propertyNames", {})
        key = "language" if keys.get("enum") and len(keys["enum"]) == 10 else "key"
        return f"per {key}: " + (_type(inner) if isinstance(inner, dict) else "value")
    names = {"string": "text", "boolean": "true / false", "integer": "whole number"}
    text = names.get(kind, kind or "value")
    if spec.get("format") == "date":
        text = "date (2026-12-31)"
    if spec.get("pattern") and kind == "string":
        text += f" (pattern `{spec['pattern']}`)"
    return text


def reference_markdown() -> str:
    """The whole CATALOGUE.md."""
    schema = CatalogueFile.model_json_schema(by_alias=True)
    defs: dict[str, Any] = schema["$defs"]
    lines = [
        "# The catalogue, field by field",
        "",
        "Generated from the model (`bot/catalogue/model.py`) by `ctai-bot reference --out "
        "CATALOGUE.md`; a test fails when it is out of date. Every catalogue file may hold "
        "the sections `territory`, `themes`, `operators` and `actions`. A field marked "
        "**required** must be there; the others may be left out (write nothing rather than "
        "a guess). Texts per language are written `{fr: ..., en: ...}` or one language per "
        "line; languages are `fr en ar fa ps ti so ru uk tr`.",
        "",
        "Opening hours use the OpenStreetMap style: `Mo-Fr 09:00-12:30,14:00-17:00; Sa "
        "10:00-12:00`, `24/7`; a later rule replaces an earlier one for its days.",
        "",
        "## A complete action",
        "",
        "```yaml",
        EXAMPLE.rstrip(),
        "```",
        "",
    ]
    order = ["Action", "Operator", "Theme", "Territory"]
    order += sorted(name for name in defs if name not in order)
    for name in order:
        model = defs[name]
        props: dict[str, Any] = model.get("properties", {})
        required = set(model.get("required", []))
        lines += [f"## {name}", ""]
        if model.get("description"):
            lines += [" ".join(model["description"].split()), ""]
        lines += ["| field | required | type | meaning |", "|---|---|---|---|"]
        for field, spec in props.items():
            meaning = spec.get("description") or MEANINGS.get(f"{name}.{field}")
            if meaning is None and field in VERIFICATION:
                meaning = MEANINGS[f"Verification.{field}"]
            meaning = " ".join((meaning or "").split()).replace("|", "\\|")
            need = "**required**" if field in required else ""
            kind = _type(spec).replace("|", "\\|")
            lines.append(f"| `{field}` | {need} | {kind} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


def undocumented() -> list[str]:
    """Fields the reference cannot explain: a test keeps this empty."""
    defs = CatalogueFile.model_json_schema(by_alias=True)["$defs"]
    missing = []
    for name, model in defs.items():
        for field, spec in model.get("properties", {}).items():
            known = spec.get("description") or MEANINGS.get(f"{name}.{field}")
            if not known and field not in VERIFICATION:
                missing.append(f"{name}.{field}")
    return missing
