"""The catalogue in data·inclusion's national schema, and catalogue drafts from its dumps.

data·inclusion (data.inclusion.gouv.fr) gathers France's social and employment services from
every producer: exporting there lets social workers' tools find our services, and importing a
dump lets a new territory start from national data instead of a blank page. Every record is
checked by the schema's own pydantic models (package data-inclusion-schema, v1), and every
value that has no place on the other side is named, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from data_inclusion.schema.v1 import (
    Categorie,
    Frais,
    ModeAccueil,
    ModeMobilisation,
    PersonneMobilisatrice,
    Public,
    ReseauPorteur,
    Service,
    Structure,
    Thematique,
    TypeService,
)
from pydantic import BaseModel, ValidationError

from bot.catalogue.model import (
    THEME_IDS,
    AccessMode,
    Action,
    Audience,
    Catalogue,
    Operator,
    ThemeId,
    pick,
)

THEME_THEMATIQUES: dict[ThemeId, tuple[Thematique, ...]] = {
    "language": (Thematique.LECTURE_ECRITURE_CALCUL__MAITRISER_LE_FRANCAIS,),
    "housing": (
        Thematique.LOGEMENT_HEBERGEMENT__SINFORMER_SUR_LES_DEMARCHES_LIEES_A_LACCES_AU_LOGEMENT,
    ),
    "health": (Thematique.SANTE__ACCES_AUX_SOINS,),
    "employment": (
        Thematique.PREPARER_SA_CANDIDATURE__ORGANISER_SES_DEMARCHES_DE_RECHERCHE_DEMPLOI,
    ),
    "rights": (
        Thematique.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_AUX_DEMARCHES_ADMINISTRATIVES,
        Thematique.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES__ACCOMPAGNEMENT_POUR_LACCES_AUX_DROITS,
    ),
    "sport": (Thematique.REMOBILISATION__ACTIVITES_SPORTIVES_ET_CULTURELLES,),
    "culture": (Thematique.REMOBILISATION__ACTIVITES_SPORTIVES_ET_CULTURELLES,),
    "digital": (
        Thematique.NUMERIQUE__ACCEDER_A_DES_SERVICES_EN_LIGNE,
        Thematique.NUMERIQUE__MAITRISER_LES_FONDAMENTAUX_DU_NUMERIQUE,
    ),
    "parenting": (Thematique.FAMILLE__SOUTIEN_A_LA_PARENTALITE_ET_A_LEDUCATION,),
    "food": (Thematique.EQUIPEMENT_ET_ALIMENTATION__ALIMENTATION,),
    "money": (Thematique.DIFFICULTES_FINANCIERES__ACQUERIR_UNE_AUTONOMIE_BUDGETAIRE,),
}
"""Export: our themes are broad, the schema's thematiques narrow; each theme gets the ones
that describe all of its services, not the ones that fit some."""

THEMATIQUE_THEMES: dict[Categorie | Thematique, tuple[ThemeId, ...]] = {
    Categorie.CHOISIR_UN_METIER: ("employment",),
    Categorie.CREER_UNE_ENTREPRISE: ("employment",),
    Categorie.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES: ("rights",),
    Categorie.DIFFICULTES_FINANCIERES: ("money",),
    Categorie.EQUIPEMENT_ET_ALIMENTATION: ("food",),
    Thematique.EQUIPEMENT_ET_ALIMENTATION__AIDE_MENAGERE: (),
    Thematique.EQUIPEMENT_ET_ALIMENTATION__ELECTROMENAGER: (),
    Categorie.FAMILLE: ("parenting",),
    Thematique.FAMILLE__PRISE_EN_CHARGE_PERSONNE_DEPENDANTE: (),
    Thematique.FAMILLE__SOUTIEN_AIDANTS: (),
    Categorie.LECTURE_ECRITURE_CALCUL: ("language",),
    Thematique.LECTURE_ECRITURE_CALCUL__MAITRISER_LE_CALCUL: (),
    Categorie.LOGEMENT_HEBERGEMENT: ("housing",),
    Categorie.MOBILITE: (),
    Categorie.NUMERIQUE: ("digital",),
    Categorie.PREPARER_SA_CANDIDATURE: ("employment",),
    Categorie.REMOBILISATION: (),
    Thematique.REMOBILISATION__ACTIVITES_SPORTIVES_ET_CULTURELLES: ("sport", "culture"),
    Categorie.SANTE: ("health",),
    Categorie.SE_FORMER: ("employment",),
    Categorie.SOUVRIR_A_LINTERNATIONAL: (),
    Categorie.TROUVER_UN_EMPLOI: ("employment",),
}
"""Import: a thematique's own entry if it has one, else its category's; ``()`` means we have
no theme for it (mobility, working abroad), so the value is dropped and named."""

AUDIENCE_PUBLICS: dict[Audience, Public] = {
    "bpi": Public.PERSONNES_EXILEES,
    "primo-arrivant": Public.PERSONNES_EXILEES,
    "asylum": Public.PERSONNES_EXILEES,
}
"""The schema has one public for all three ("Réfugiés, demandeurs d'asile, personnes
immigrées"); which of ours it is goes in ``publics_precisions``, after "Statut :"."""

AUDIENCE_PRECISIONS: dict[Audience, str] = {
    "bpi": "bénéficiaires d'une protection internationale (réfugiés, protection subsidiaire)",
    "primo-arrivant": "primo-arrivants avec un premier titre de séjour",
    "asylum": "demandeurs d'asile",
}
STATUS = "Statut :"
"""Starts our sentence in ``publics_precisions``; the import reads statuses only from it, so
another producer's "réfugiés, demandeurs d'asile" is not taken for "asylum seekers only"."""

ELIGIBILITY_PRECISIONS: tuple[tuple[str, str, object], ...] = (
    ("Réservé aux femmes", "women", "only"),
    ("Priorité aux femmes", "women", "priority"),
    ("Réservé aux habitants des quartiers prioritaires", "priority_neighbourhood", True),
    ("Réservé aux parents", "parents", True),
)
"""(sentence in ``publics_precisions``, our eligibility field, its value), both ways."""

SINGLE_PUBLIC_ELIGIBILITY: dict[Public, tuple[str, object]] = {
    Public.FEMMES: ("women", "only"),
    Public.RESIDENTS_QPV_FRR: ("priority_neighbourhood", True),
    Public.FAMILLES: ("parents", True),
}
"""Import: a service for one of these publics only is restricted to it (publics are "any
of", so with other publics it restricts nothing)."""

HOW_ACCUEIL: dict[AccessMode, ModeAccueil] = {
    "walk-in": ModeAccueil.EN_PRESENTIEL,
    "appointment": ModeAccueil.EN_PRESENTIEL,
    "phone": ModeAccueil.A_DISTANCE,
    "online": ModeAccueil.A_DISTANCE,
    "post": ModeAccueil.A_DISTANCE,
}
HOW_MOBILISATION: dict[AccessMode, ModeMobilisation] = {
    "walk-in": ModeMobilisation.SE_PRESENTER,
    "phone": ModeMobilisation.TELEPHONER,
    "online": ModeMobilisation.UTILISER_LIEN_MOBILISATION,
}
"""Appointments and post have no mode of their own in the schema; "referral" is
``mobilisable_par: professionnels``."""

FIELD_MAPPING: dict[str, str] = {
    "operator.id": "structure `id`: `ctai-<territory>--<id>`",
    "operator.name": "`nom`",
    "operator.description": "`description` (French)",
    "operator.caveat": "appended to `description`: « À vérifier : … »",
    "operator.address": "`adresse`, `code_postal`, `commune` (no `code_insee`: we have none)",
    "operator.location": "`complement_adresse` (French)",
    "operator.coordinates": "`latitude`, `longitude`",
    "operator.phones": "`telephone` (the first number: the schema holds one)",
    "operator.email": "`courriel`",
    "operator.website": "`site_web`",
    "operator.hours": "`horaires_accueil` (both in OpenStreetMap's format)",
    "operator.place": "its services' `modes_accueil`: `a-distance` when false",
    "operator.verified_on": "`date_maj` (the export day when absent)",
    "action.id": "service `id`: `ctai-<territory>--<id>`, `--<operator>` added when several",
    "action.operators": "`structure_id`: one service per operator (a service has one)",
    "action.title": "`nom` (French)",
    "action.summary": "`description` (French)",
    "action.schedule": "appended to `description`: « Horaires : … »",
    "action.caveat": "appended to `description`: « À vérifier : … »",
    "action.themes": "`thematiques` (table above)",
    "action.audience": "`publics` and `publics_precisions` (« Statut : … »)",
    "action.eligibility": "`publics_precisions` (women, priority neighbourhoods, parents)",
    "action.access": "`modes_accueil`, `modes_mobilisation`, `mobilisable_par`, `frais`, "
    "`mobilisation_precisions` (details, French)",
    "action.online": "`lien_mobilisation` (its url, else the operator's website)",
    "action.cost": "`frais_precisions` (French)",
    "action.hours": "`horaires_accueil`",
    "action.valid": "an action whose `until` has passed is not exported",
    "action.verified_on": "`date_maj` (the export day when absent)",
}
"""Documentation of what goes where, for the README (see mapping_markdown)."""

NOT_EXPORTED: dict[str, str] = {
    "operator.aliases": "no field for other names",
    "operator.examples": "no field for example questions",
    "operator.languages": "no field for the languages spoken",
    "operator.wheelchair": "accessibilite_lieu is a link to an Accèslibre page, not yes/no",
    "operator.phone_cost": "no field for what a call costs",
    "operator.phone_hours": "no field for when the phone answers",
    "operator.notices": "no field for temporary changes",
    "operator.note": "the coordinator's own note",
    "operator.sources": "no field for where a fact was found (lien_source is the entry's "
    "page on the producer's site)",
    "operator.verified": "no field saying an entry is unchecked",
    "action.ctai": "no field for the funding contract",
    "action.translations": "French only",
    "action.keywords": "no field for search words",
    "action.examples": "no field for example questions",
    "action.notices": "no field for temporary changes",
    "action.note": "the coordinator's own note",
    "action.sources": "no field for where a fact was found",
    "action.verified": "no field saying an entry is unchecked",
    "action.valid": "no field for the dates a service runs",
    "action.online.name": "lien_mobilisation holds the link only",
    "action.eligibility.trade": "no public or field for a trade",
    "action.access.how": "no mode of mobilisation for appointments or post",
}
"""Our fields with no place in the schema: listed per entry in the export report."""


ENUM_FIELDS: dict[str, type[Enum]] = {
    "thematiques": Thematique,
    "publics": Public,
    "modes_accueil": ModeAccueil,
    "modes_mobilisation": ModeMobilisation,
    "mobilisable_par": PersonneMobilisatrice,
    "reseaux_porteurs": ReseauPorteur,
    "frais": Frais,
    "type": TypeService,
}
"""Reference lists: a value this version of the schema does not know (a newer dump) is
dropped alone, not with its whole record."""

M = TypeVar("M", bound=BaseModel)


def _validated(
    model: type[M], raw: dict[str, Any], context: dict[str, Any] | None = None
) -> tuple[M | None, dict[str, Any], list[str]]:
    """The record as ``model`` reads it, after dropping (and naming) each optional value it
    refuses; None when a required one is refused."""
    record, dropped = dict(raw), []
    for name, enum in ENUM_FIELDS.items():
        value = record.get(name)
        if name not in model.model_fields or value is None:
            continue
        known = {member.value for member in enum}
        values = value if isinstance(value, list) else [value]
        kept = [v for v in values if isinstance(v, str) and v in known]
        dropped += [f"{name} {v!r} (not in the schema's list)" for v in values if v not in kept]
        record[name] = (kept or None) if isinstance(value, list) else next(iter(kept), None)
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    while True:
        try:
            return model.model_validate(record, context=context), record, dropped
        except ValidationError as exc:
            refused = {str(e["loc"][0]): e["msg"] for e in exc.errors() if e["loc"]}
            if not refused or set(refused) & required or not set(refused) <= set(record):
                return None, record, [*dropped, *(f"{k}: {m}" for k, m in refused.items())]
            for name, message in refused.items():
                dropped.append(f"{name} {record.pop(name)!r} ({message})")


# Export ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unmapped:
    """One value of one entry that the other side cannot hold, and why."""

    field: str
    entry: str
    why: str


@dataclass(frozen=True)
class ExportReport:
    """What was written, and every value left behind, for the coordinator to read."""

    structures_file: Path
    services_file: Path
    structures: int
    services: int
    unmapped: tuple[Unmapped, ...]

    def summary(self) -> str:
        """One line per field that was not exported, with how many entries lost it."""
        by_field: dict[str, list[Unmapped]] = defaultdict(list)
        for item in self.unmapped:
            by_field[item.field].append(item)
        lines = [f"{self.structures} structures, {self.services} services"]
        for name, items in sorted(by_field.items()):
            examples = ", ".join(dict.fromkeys(i.entry for i in items[:3]))
            lines.append(f"  {name}: {len(items)} ({items[0].why}; e.g. {examples})")
        return "\n".join(lines)


def source_name(catalogue: Catalogue) -> str:
    """Our producer identifier in data·inclusion, one per territory."""
    return f"ctai-{catalogue.territory.id}"


def export_datainclusion(
    catalogue: Catalogue, out: Path, *, today: dt.date | None = None
) -> ExportReport:
    """Write ``structures.json`` (one per operator) and ``services.json`` (one per action and
    operator: a service has one structure) in ``out``, each record checked by the schema."""
    today = today or dt.date.today()
    source = source_name(catalogue)
    lost: list[Unmapped] = []
    structures: dict[str, dict[str, Any]] = {}
    for operator in catalogue.operators.values():
        record = _structure(operator, source, today, lost)
        if record := _checked(Structure, record, operator.id, lost):
            structures[operator.id] = record
    services: list[dict[str, Any]] = []
    for action in catalogue.actions:
        if action.valid.until and action.valid.until < today:
            lost.append(Unmapped("action.valid", action.id, f"ended on {action.valid.until}"))
            continue
        for operator_id in action.operators:
            if operator_id not in structures:
                why = f"its operator {operator_id!r} was refused by the schema"
                lost.append(Unmapped("action.operators", action.id, why))
                continue
            operator = catalogue.operators[operator_id]
            record = _service(action, operator, structures[operator_id], today, lost)
            if record := _checked(Service, record, action.id, lost):
                services.append(record)
    out.mkdir(parents=True, exist_ok=True)
    structures_file, services_file = out / "structures.json", out / "services.json"
    _write_json(structures_file, list(structures.values()))
    _write_json(services_file, services)
    return ExportReport(
        structures_file, services_file, len(structures), len(services), tuple(dict.fromkeys(lost))
    )


def _checked(
    model: type[BaseModel], record: dict[str, Any], entry: str, lost: list[Unmapped]
) -> dict[str, Any] | None:
    """The record as the schema takes it, warnings included; a refused value is reported."""
    accepted, record, refused = _validated(model, record, {"ignore_warnings": False})
    lost += [Unmapped("schema", entry, f"refused by the schema: {why}") for why in refused]
    return record if accepted else None


def _write_json(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _structure(
    operator: Operator, source: str, today: dt.date, lost: list[Unmapped]
) -> dict[str, Any]:
    def french(name: str) -> str | None:
        return _french(getattr(operator, name), operator.id, f"operator.{name}", lost)

    record: dict[str, Any] = {
        "source": source,
        "id": f"{source}--{operator.id}",
        "nom": _name(operator.name),
        "date_maj": _date_maj(operator, "operator", today, lost),
        "description": _description(french("description"), ("À vérifier", french("caveat"))),
        "site_web": operator.website,
        "horaires_accueil": operator.hours,
        "complement_adresse": french("location"),
        "courriel": operator.email,
    }
    if operator.address:
        record["adresse"] = operator.address.street
        record["code_postal"] = operator.address.postcode
        record["commune"] = operator.address.city
    if operator.coordinates:
        record["latitude"] = operator.coordinates.lat
        record["longitude"] = operator.coordinates.lon
    if operator.phones:
        record["telephone"] = operator.phones[0]
    for extra in operator.phones[1:]:
        why = f"one number only: {extra} left out"
        lost.append(Unmapped("operator.phones", operator.id, why))
    _not_exported(operator, "operator", lost)
    return _present(record)


PLACE_FIELDS = (
    "adresse",
    "complement_adresse",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "telephone",
    "courriel",
)
"""Where a service happens and whom to ask: its operator's, copied onto each service, as
consumers often read services alone."""


def _service(
    action: Action,
    operator: Operator,
    structure: dict[str, Any],
    today: dt.date,
    lost: list[Unmapped],
) -> dict[str, Any]:
    def french(name: str) -> str | None:
        return _french(getattr(action, name), action.id, f"action.{name}", lost)

    source = structure["source"]
    suffix = f"--{operator.id}" if len(action.operators) > 1 else ""
    title = french("title") or action.id
    thematiques = {t.value for theme in action.themes for t in THEME_THEMATIQUES[theme]}
    record: dict[str, Any] = {
        "source": source,
        "structure_id": structure["id"],
        "id": f"{source}--{action.id}{suffix}",
        "nom": _name(title),
        "description": _description(
            french("summary") or title,
            ("Horaires", french("schedule")),
            ("À vérifier", french("caveat")),
        ),
        "date_maj": _date_maj(action, "action", today, lost),
        "thematiques": sorted(thematiques),
        "publics": sorted({AUDIENCE_PUBLICS[a].value for a in action.audience}),
        "publics_precisions": _publics_precisions(action, lost),
        "frais_precisions": french("cost"),
        "horaires_accueil": action.hours,
        **{name: structure[name] for name in PLACE_FIELDS if name in structure},
        **_access(action, operator, lost),
    }
    _not_exported(action, "action", lost)
    return _present(record)


def _access(action: Action, operator: Operator, lost: list[Unmapped]) -> dict[str, Any]:
    access = action.access
    accueil = {HOW_ACCUEIL[mode] for mode in access.how if mode in HOW_ACCUEIL}
    if not operator.place:
        accueil.add(ModeAccueil.A_DISTANCE)
    link = action.online.url if action.online else None
    if "online" in access.how and not link:
        link = operator.website
    modes = {HOW_MOBILISATION[mode] for mode in access.how if mode in HOW_MOBILISATION}
    if ModeMobilisation.UTILISER_LIEN_MOBILISATION in modes and not link:
        modes.discard(ModeMobilisation.UTILISER_LIEN_MOBILISATION)
        why = "online, but neither its url nor its operator's website is known"
        lost.append(Unmapped("action.access.how", action.id, why))
    for mode in access.how:
        if mode in ("appointment", "post"):
            lost.append(Unmapped("action.access.how", action.id, f"{mode}: no mode for it"))
    mobilisable_par = {PersonneMobilisatrice.PROFESSIONNELS} if "referral" in access.how else set()
    if set(access.how) - {"referral"}:
        mobilisable_par.add(PersonneMobilisatrice.USAGERS)
    frais = None if access.free is None else Frais.GRATUIT if access.free else Frais.PAYANT
    return {
        "modes_accueil": sorted(m.value for m in accueil) or None,
        "modes_mobilisation": sorted(m.value for m in modes) or None,
        "mobilisable_par": sorted(m.value for m in mobilisable_par) or None,
        "lien_mobilisation": link,
        "frais": frais.value if frais else None,
        "mobilisation_precisions": _french(
            access.details, action.id, "action.access.details", lost
        ),
    }


def _publics_precisions(action: Action, lost: list[Unmapped]) -> str:
    statuses = ", ".join(AUDIENCE_PRECISIONS[a] for a in action.audience)
    sentences = [f"{STATUS} {statuses}."]
    for sentence, name, value in ELIGIBILITY_PRECISIONS:
        if getattr(action.eligibility, name) == value:
            sentences.append(f"{sentence}.")
    if action.eligibility.trade:
        why = f"{NOT_EXPORTED['action.eligibility.trade']}: {action.eligibility.trade}"
        lost.append(Unmapped("action.eligibility.trade", action.id, why))
    return " ".join(sentences)


def _not_exported(entry: Operator | Action, kind: str, lost: list[Unmapped]) -> None:
    for name in entry.model_dump(exclude_defaults=True):
        key = f"{kind}.{name}"
        if key in NOT_EXPORTED and name != "verified":
            lost.append(Unmapped(key, entry.id, NOT_EXPORTED[key]))
    if not entry.verified:
        lost.append(Unmapped(f"{kind}.verified", entry.id, NOT_EXPORTED[f"{kind}.verified"]))
    if isinstance(entry, Action) and entry.online:
        lost.append(Unmapped("action.online.name", entry.id, NOT_EXPORTED["action.online.name"]))


def _date_maj(entry: Operator | Action, kind: str, today: dt.date, lost: list[Unmapped]) -> str:
    if entry.verified_on and entry.verified_on <= today:
        return entry.verified_on.isoformat()
    why = "in the future" if entry.verified_on else "absent"
    lost.append(Unmapped(f"{kind}.verified_on", entry.id, f"{why}: date_maj is the export day"))
    return today.isoformat()


def _french(texts: dict[str, str], entry: str, name: str, lost: list[Unmapped]) -> str | None:
    found = pick(texts, "fr")
    if found and found.fell_back:
        lost.append(Unmapped(name, entry, f"no French text: the {found.lang} one is exported"))
    return found.text if found else None


def _name(text: str) -> str:
    """The schema warns about names ending in a full stop."""
    text = text.strip()
    return text if text.endswith("etc.") else text.rstrip(".")


def _description(main: str | None, *extras: tuple[str, str | None]) -> str | None:
    parts = [main] if main else []
    parts += [f"{label} : {text}" for label, text in extras if text]
    return "\n\n".join(parts) or None


def _present(record: dict[str, Any]) -> dict[str, Any]:
    """Without empty values, so a record or draft shows only what is known."""
    cleaned = {}
    for key, value in record.items():
        if isinstance(value, dict):
            value = _present(value)
        if value is not None and value != {} and value != []:
            cleaned[key] = value
    return cleaned


def mapping_markdown() -> str:
    """The mapping as Markdown tables, for the README."""
    lines = [
        "| Our theme | data·inclusion `thematiques` (export) |",
        "|---|---|",
        *(
            f"| `{theme}` | {', '.join(f'`{t.value}`' for t in THEME_THEMATIQUES[theme])} |"
            for theme in THEME_IDS
        ),
        "",
        "| data·inclusion thematique or category (import) | Our themes |",
        "|---|---|",
        *(
            f"| `{key.value}` | {', '.join(f'`{t}`' for t in themes) or 'none: dropped'} |"
            for key, themes in THEMATIQUE_THEMES.items()
        ),
        "",
        "| Our audience | `publics` | `publics_precisions` |",
        "|---|---|---|",
        *(
            f"| `{a}` | `{AUDIENCE_PUBLICS[a].value}` | {STATUS} {AUDIENCE_PRECISIONS[a]} |"
            for a in get_args(Audience)
        ),
        *(
            f"| eligibility `{name}: {str(value).lower()}` | | {sentence}. |"
            for sentence, name, value in ELIGIBILITY_PRECISIONS
        ),
        "",
        "| Our field | data·inclusion |",
        "|---|---|",
        *(f"| `{ours}` | {theirs} |" for ours, theirs in FIELD_MAPPING.items()),
        "",
        "| Not exported | Why |",
        "|---|---|",
        *(f"| `{ours}` | {why} |" for ours, why in NOT_EXPORTED.items()),
    ]
    return "\n".join(lines) + "\n"


# Import ------------------------------------------------------------------------------------

STRUCTURE_NOT_KEPT = ("siret", "accessibilite_lieu", "reseaux_porteurs")
SERVICE_NOT_KEPT = (
    "type",
    "zone_eligibilite",
    "contact_nom_prenom",
    "volume_horaire_hebdomadaire",
    "nombre_semaines",
)
"""Schema fields our catalogue has no place for: named in the draft entry's note."""

MOBILISATION_HOW: dict[ModeMobilisation, AccessMode] = {
    mode: how for how, mode in HOW_MOBILISATION.items()
}


def read_dump(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Structures and services from a folder holding ``structures*.json`` and
    ``services*.json`` (as our export writes them), or from one JSON file: an object with
    ``structures`` and ``services``, or one list of both. Each list may also be an API page,
    ``{"items": [...]}``."""
    if path.is_dir():
        structures = [r for f in sorted(path.glob("structures*.json")) for r in _records(f)]
        services = [r for f in sorted(path.glob("services*.json")) for r in _records(f)]
        if not structures and not services:
            raise ValueError(f"{path}: no structures*.json or services*.json here")
        return structures, services
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and ("structures" in data or "services" in data):
        return _items(data.get("structures", []), path), _items(data.get("services", []), path)
    records = _items(data, path)
    return (
        [r for r in records if "structure_id" not in r],
        [r for r in records if "structure_id" in r],
    )


def _records(path: Path) -> list[dict[str, Any]]:
    return _items(json.loads(path.read_text(encoding="utf-8")), path)


def _items(data: Any, path: Path) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list of records")
    return [record for record in data if isinstance(record, dict)]


def _in_commune(record: dict[str, Any], commune: str) -> bool | None:
    """By the INSEE code, or by the postcode when a record has no INSEE code (as ours): a
    postcode can equal another commune's INSEE code, so the two are never mixed on one
    record. None when the record says neither."""
    if record.get("code_insee"):
        return record["code_insee"] == commune
    if record.get("code_postal"):
        return record["code_postal"] == commune
    return None


def _held_in(service: dict[str, Any], structures: dict[Any, dict[str, Any]], commune: str) -> bool:
    """Where the service says it happens, else where its structure is."""
    here = _in_commune(service, commune)
    if here is None:
        here = _in_commune(structures.get(service.get("structure_id"), {}), commune)
    return bool(here)


def import_datainclusion(
    dump: Path, commune: str, out_dir: Path, *, today: dt.date | None = None
) -> list[Path]:
    """Draft ``operators.yaml`` and ``actions.yaml`` in ``out_dir`` from the services of a
    data·inclusion dump held in ``commune`` (a service without a place goes by its
    structure's), every entry unverified, with its origin and what was not kept."""
    today = today or dt.date.today()
    raw_structures, raw_services = read_dump(dump)
    by_id = {raw.get("id"): raw for raw in raw_structures}
    raw_here = [raw for raw in raw_services if _held_in(raw, by_id, commune)]
    wanted = {raw.get("structure_id") for raw in raw_here}
    wanted |= {raw.get("id") for raw in raw_structures if _in_commune(raw, commune)}
    skipped: list[str] = []
    structures: dict[str, tuple[Structure, list[str]]] = {}
    for raw in raw_structures:
        if raw.get("id") in wanted:
            structure, _, dropped = _validated(Structure, raw)
            if structure is None:
                skipped.append(f"structure {raw.get('id')!r}: {'; '.join(dropped)}")
            else:
                structures[structure.id] = (structure, dropped)
    services: list[tuple[Service, list[str]]] = []
    for raw in raw_here:
        service, _, dropped = _validated(Service, raw)
        if service is None:
            skipped.append(f"service {raw.get('id')!r}: {'; '.join(dropped)}")
        else:
            services.append((service, dropped))
    operators, operator_ids = _operators(structures, services, today, skipped)
    actions = _actions(services, structures, operator_ids, today, skipped)
    out_dir.mkdir(parents=True, exist_ok=True)
    header = [
        f"Drafted from the data·inclusion dump {dump.name} for commune {commune} on {today}.",
        "Every entry is unverified: check each fact with the service, then set verified: true.",
        *(f"Not imported: {line}" for line in skipped),
    ]
    paths = [out_dir / "operators.yaml", out_dir / "actions.yaml"]
    _write_yaml(paths[0], {"operators": operators}, header)
    _write_yaml(paths[1], {"actions": actions}, header)
    return paths


def _write_yaml(path: Path, data: dict[str, Any], header: list[str]) -> None:
    comment = "".join(f"# {line}\n" for line in header)
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(comment + body, encoding="utf-8")


def _origin(record: Structure | Service, today: dt.date, dropped: list[str]) -> dict[str, Any]:
    note = (
        f"Drafted on {today} from data·inclusion ({record.id}, updated there on "
        f"{record.date_maj}): check every fact, then set verified: true."
    )
    if dropped:
        note += " Not kept: " + "; ".join(dropped) + "."
    sources = [f"data·inclusion {record.source}: {record.id}"]
    if record.lien_source:
        sources.append(str(record.lien_source))
    return {"verified": False, "note": note, "sources": sources}


def _not_kept(record: BaseModel, names: tuple[str, ...]) -> list[str]:
    values = {name: getattr(record, name) for name in names}
    return [f"{name} {_plain(value)}" for name, value in values.items() if value]


def _plain(value: Any) -> str:
    if isinstance(value, set | list):
        return ", ".join(sorted(str(getattr(v, "value", v)) for v in value))
    return repr(str(getattr(value, "value", value)))


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-")


def _new_id(record: Structure | Service, taken: set[str], fallback: str) -> str:
    """Our id from the producer's own part of the record id, unique among ``taken``."""
    base = _slug(record.id.removeprefix(f"{record.source}--")) or fallback
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = base[: 40 - len(suffix)].rstrip("-") + suffix, n + 1
    taken.add(candidate)
    return candidate


def _operators(
    structures: dict[str, tuple[Structure, list[str]]],
    services: list[tuple[Service, list[str]]],
    today: dt.date,
    skipped: list[str],
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Operator drafts, and our id for each structure id."""
    taken: set[str] = set()
    entries, ids = [], {}
    for key, (structure, dropped) in structures.items():
        modes = [s.modes_accueil for s, _ in services if s.structure_id == key]
        remote = bool(modes) and all(m == {ModeAccueil.A_DISTANCE} for m in modes)
        draft = _operator(structure, _new_id(structure, taken, "structure"), remote)
        operator, entry, refused = _validated(Operator, draft)
        if operator is None:
            skipped.append(f"structure {structure.id!r}: {'; '.join(refused)}")
            continue
        if entry.get("place") is False and not {"phones", "website", "email"} & entry.keys():
            del entry["place"]  # its only way in was refused: the loader would refuse it
        not_kept = _not_kept(structure, STRUCTURE_NOT_KEPT)
        entries.append(entry | _origin(structure, today, [*dropped, *not_kept, *refused]))
        ids[key] = operator.id
    return entries, ids


def _operator(structure: Structure, operator_id: str, remote: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": operator_id, "name": structure.nom}
    entry["description"] = {"fr": structure.description}
    where = [structure.complement_adresse]
    if structure.adresse and structure.code_postal and structure.commune:
        entry["address"] = {
            "street": structure.adresse,
            "postcode": structure.code_postal,
            "city": structure.commune,
        }
    else:
        where = [structure.adresse, *where, structure.code_postal, structure.commune]
    entry["location"] = {"fr": ", ".join(filter(None, where)) or None}
    if structure.latitude is not None and structure.longitude is not None:
        entry["coordinates"] = {"lat": structure.latitude, "lon": structure.longitude}
    entry["phones"] = [structure.telephone] if structure.telephone else None
    entry["email"] = structure.courriel
    entry["website"] = str(structure.site_web) if structure.site_web else None
    entry["hours"] = structure.horaires_accueil
    if remote and "address" not in entry and "coordinates" not in entry:
        entry["place"] = False
    return _present(entry)


def _themes(thematiques: set[Thematique]) -> tuple[list[str], list[str]]:
    """Our themes in catalogue order, and the thematiques we have none for."""
    themes: set[str] = set()
    unknown = []
    for thematique in sorted(thematiques):
        found = THEMATIQUE_THEMES.get(thematique)
        if found is None:
            found = THEMATIQUE_THEMES.get(Categorie(thematique.value.split("--")[0]), ())
        themes.update(found)
        if not found:
            unknown.append(thematique.value)
    return [t for t in THEME_IDS if t in themes], unknown


def _audience(service: Service, dropped: list[str]) -> tuple[list[str], dict[str, object]]:
    """Our statuses from our own "Statut :" sentence, else all three (a public such as
    "jeunes" restricts age, not status); eligibility from sentences or a single public."""
    text = (service.publics_precisions or "").replace("’", "'")
    match = re.search(rf"{re.escape(STATUS)}([^.]*)\.", text)
    audience = [a for a, p in AUDIENCE_PRECISIONS.items() if match and p in match.group(1)]
    eligibility = {
        name: value
        for sentence, name, value in ELIGIBILITY_PRECISIONS
        if sentence.lower() in text.lower()
    }
    publics = service.publics or set()
    single = next(iter(publics)) if len(publics) == 1 else None
    if single in SINGLE_PUBLIC_ELIGIBILITY:
        name, value = SINGLE_PUBLIC_ELIGIBILITY[single]
        eligibility.setdefault(name, value)
    else:
        others = sorted(p.value for p in publics - {Public.TOUS_PUBLICS, Public.PERSONNES_EXILEES})
        if others:
            dropped.append(f"publics {', '.join(others)} (check who may use it)")
    if text and not match:
        dropped.append(f"publics_precisions {service.publics_precisions!r}")
    return audience or list(get_args(Audience)), eligibility


def _actions(
    services: list[tuple[Service, list[str]]],
    structures: dict[str, tuple[Structure, list[str]]],
    operator_ids: dict[str, str],
    today: dt.date,
    skipped: list[str],
) -> list[dict[str, Any]]:
    taken: set[str] = set()
    entries = []
    for service, dropped_here in services:
        if service.structure_id not in operator_ids:
            skipped.append(f"service {service.id!r}: its structure is missing or refused")
            continue
        structure, _ = structures[service.structure_id]
        dropped = list(dropped_here)
        for name in (*PLACE_FIELDS, "code_insee"):
            value = getattr(service, name)
            if value is not None and value != getattr(structure, name):
                dropped.append(f"the service's own {name} {value!r} (an action has no place)")
        themes, unknown = _themes(service.thematiques or set())
        dropped += [f"thematique {value} (no theme of ours)" for value in unknown]
        if not themes:
            skipped.append(f"service {service.id!r}: no theme of ours in {unknown or 'none'}")
            continue
        audience, eligibility = _audience(service, dropped)
        link = str(service.lien_mobilisation) if service.lien_mobilisation else None
        draft = {
            "id": _new_id(service, taken, "service"),
            "operators": [operator_ids[service.structure_id]],
            "themes": themes,
            "audience": audience,
            "eligibility": eligibility,
            "title": {"fr": service.nom},
            "summary": {"fr": service.description},
            "translations": {"fr": "source"},
            "access": _access_back(service, dropped),
            "online": {"name": {"fr": service.nom}, "url": link} if link else None,
            "cost": {"fr": service.frais_precisions},
            "hours": service.horaires_accueil,
        }
        action, entry, refused = _validated(Action, _present(draft))
        if action is None:
            skipped.append(f"service {service.id!r}: {'; '.join(refused)}")
            continue
        dropped += _not_kept(service, SERVICE_NOT_KEPT)
        entries.append(entry | _origin(service, today, [*dropped, *refused]))
    return entries


def _access_back(service: Service, dropped: list[str]) -> dict[str, Any]:
    modes = service.modes_mobilisation or set()
    how = {MOBILISATION_HOW[m] for m in modes if m in MOBILISATION_HOW}
    if ModeMobilisation.ENVOYER_UN_COURRIEL in modes:
        dropped.append("modes_mobilisation envoyer-un-courriel (no e-mail access mode)")
    if service.mobilisable_par == {PersonneMobilisatrice.PROFESSIONNELS}:
        how.add("referral")
    details = "\n\n".join(filter(None, [service.conditions_acces, service.mobilisation_precisions]))
    return {
        "how": [mode for mode in get_args(AccessMode) if mode in how],
        "free": None if service.frais is None else service.frais == Frais.GRATUIT,
        "details": {"fr": details or None},
    }
