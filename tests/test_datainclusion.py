"""data·inclusion: our catalogue in the national schema, and drafts made from its dumps."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from data_inclusion.schema.v1 import Service, Structure, Thematique

from bot.catalogue.loader import load_catalogue, load_or_raise
from bot.catalogue.model import THEME_IDS, Action, Catalogue, Operator
from bot.coordinator.datainclusion import (
    FIELD_MAPPING,
    NOT_EXPORTED,
    THEME_THEMATIQUES,
    ExportReport,
    export_datainclusion,
    import_datainclusion,
    mapping_markdown,
)
from tests.conftest import FIXED_TODAY, SHIPPED, TESTVILLE

DUMP = Path(__file__).parent / "fixtures" / "datainclusion"
STRICT = {"ignore_warnings": False}
"""The schema's warnings (a name ending in a full stop) count as errors here."""


def records(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def drafts(paths: list[Path], tmp_path: Path) -> Catalogue:
    """The imported drafts loaded beside the test territory, as a new territory would start."""
    folder = tmp_path / "draft"
    folder.mkdir()
    for path in paths:
        shutil.copy(path, folder)
    shutil.copy(TESTVILLE / "territory.yaml", folder)
    shutil.copy(TESTVILLE / "themes.yaml", folder)
    catalogue, problems = load_catalogue(folder, today=FIXED_TODAY)
    assert catalogue is not None, "\n".join(map(str, problems))
    return catalogue


@pytest.fixture(scope="module")
def poitiers_export(tmp_path_factory) -> tuple[Catalogue, ExportReport]:
    catalogue = load_or_raise(SHIPPED)
    return catalogue, export_datainclusion(catalogue, tmp_path_factory.mktemp("export"))


def test_every_exported_record_is_valid_for_the_national_schema(poitiers_export) -> None:
    _, report = poitiers_export
    for record in records(report.structures_file):
        Structure.model_validate(record, context=STRICT)
    for record in records(report.services_file):
        Service.model_validate(record, context=STRICT)
    assert not [item for item in report.unmapped if item.field == "schema"]


def test_one_structure_per_operator_and_every_service_has_a_thematique(poitiers_export) -> None:
    catalogue, report = poitiers_export
    structures, services = records(report.structures_file), records(report.services_file)
    assert len(structures) == len(catalogue.operators) == report.structures
    running = [a for a in catalogue.actions if not a.valid.until]
    assert len(services) == sum(len(a.operators) for a in running) == report.services
    assert all(service["thematiques"] for service in services)
    assert {s["structure_id"] for s in services} <= {s["id"] for s in structures}
    assert len({s["id"] for s in services}) == len(services)
    unchecked = {i.entry for i in report.unmapped if i.field == "operator.verified_on"}
    assert unchecked == {o.id for o in catalogue.operators.values() if not o.verified_on}


def test_a_service_tells_who_it_is_for_how_to_use_it_and_what_it_costs(poitiers_export) -> None:
    _, report = poitiers_export
    services = {s["id"]: s for s in records(report.services_file)}
    women = services["ctai-poitiers--tdm-language-employment-women"]
    assert women["publics"] == ["personnes-exilees"]
    assert "Priorité aux femmes." in women["publics_precisions"]
    shelter = services["ctai-poitiers--emergency-shelter-115"]
    assert shelter["telephone"] == "115"
    assert shelter["modes_accueil"] == ["a-distance"]
    assert shelter["modes_mobilisation"] == ["telephoner"]
    assert shelter["frais"] == "gratuit"
    both = [s for s in services if s.startswith("ctai-poitiers--school-enrolment--")]
    assert len(both) == 2, "an action with two operators is one service per operator"


def test_testville_comes_back_from_its_own_export(tmp_path: Path) -> None:
    """Kept: names, addresses, coordinates, phones, hours, themes, audience, access. Lost:
    aliases, languages, wheelchair, keywords, other languages, the verification."""
    original = load_or_raise(TESTVILLE)
    export_datainclusion(original, tmp_path / "export")
    back = drafts(import_datainclusion(tmp_path / "export", "38000", tmp_path / "out"), tmp_path)

    assert back.operators.keys() == original.operators.keys()
    for operator_id, before in original.operators.items():
        after = back.operators[operator_id]
        kept = ("name", "address", "coordinates", "phones", "hours")
        assert [getattr(after, f) for f in kept] == [getattr(before, f) for f in kept]
        assert (after.aliases, after.languages, after.wheelchair) == ([], [], None)
        assert not after.verified
        assert f"ctai-testville--{operator_id}" in after.sources[0]
    assert back.actions_by_id.keys() == original.actions_by_id.keys()
    for before in original.actions:
        after = back.actions_by_id[before.id]
        assert after.operators == before.operators
        assert set(after.themes) == set(before.themes)
        assert after.audience == before.audience
        assert after.access == before.access
        assert after.title == {"fr": before.title["fr"]}
        assert after.keywords == {} and not after.verified


def test_a_dump_gives_drafts_for_one_commune_only(tmp_path: Path) -> None:
    poitiers = drafts(import_datainclusion(DUMP, "86194", tmp_path / "86194"), tmp_path)
    assert list(poitiers.operators) == ["tournesol"]
    assert sorted(poitiers.actions_by_id) == ["atelier-cv", "atelier-francais"]

    french = poitiers.actions_by_id["atelier-francais"]
    assert (french.themes, french.access.how, french.hours) == (
        ["language"],
        ["walk-in"],
        "Tu 14:00-16:00",
    )
    assert "mobilite--preparer-un-permis" in french.note
    cv = poitiers.actions_by_id["atelier-cv"]
    assert cv.themes == ["employment"]
    assert cv.eligibility.women == "only", "a service for women only"
    assert (cv.access.how, cv.access.free) == (["referral"], False)
    assert cv.hours is None
    for dropped in ("sante--valeur-inconnue", "envoyer-un-courriel", "zone_eligibilite", "mardi"):
        assert dropped in cv.note
    assert cv.sources == ["data·inclusion dora: dora--atelier-cv"]

    paris = import_datainclusion(DUMP, "75056", tmp_path / "75056")
    assert [a["id"] for a in _yaml(paris[1])["actions"]] == ["accompagnement-emploi"]
    by_postcode = import_datainclusion(DUMP, "86000", tmp_path / "86000")
    assert _yaml(by_postcode[1])["actions"] == [], "an INSEE code, when given, is the one matched"


def test_every_theme_and_field_has_a_documented_place() -> None:
    assert set(THEME_THEMATIQUES) == set(THEME_IDS)
    assert all(isinstance(t, Thematique) for ts in THEME_THEMATIQUES.values() for t in ts)
    for kind, model in (("operator", Operator), ("action", Action)):
        documented = {key.split(".")[1] for key in [*FIELD_MAPPING, *NOT_EXPORTED]
                      if key.startswith(f"{kind}.")}  # fmt: skip
        assert documented == set(model.model_fields), f"{kind} fields: update the mapping"
    table = mapping_markdown()
    assert all(f"| `{theme}` |" in table for theme in THEME_IDS)


def test_the_commands_write_the_export_and_the_drafts_and_refuse_a_wrong_path(
    tmp_path, capsys
) -> None:
    from bot.cli import main

    assert main(["export", "--datainclusion", str(tmp_path / "di")]) == 0
    structures = json.loads((tmp_path / "di" / "structures.json").read_text())
    assert len(structures) == len(load_or_raise(SHIPPED).operators)
    out = tmp_path / "drafts"
    args = ["import", "--datainclusion", str(DUMP), "--commune", "86194", "--out", str(out)]
    assert main(args) == 0
    assert (out / "operators.yaml").exists() and (out / "actions.yaml").exists()
    capsys.readouterr()
    missing = ["import", "--datainclusion", str(tmp_path / "nowhere"), "--commune", "86194",
               "--out", str(out)]  # fmt: skip
    assert main(missing) == 1
    assert "Traceback" not in capsys.readouterr().err
