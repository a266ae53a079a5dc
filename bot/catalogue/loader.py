"""Load a catalogue directory: every file, every problem, with its file and line.

Each entry is validated on its own so that one mistake never hides the others, then the
entries are checked against each other (ids, references, the territory's area).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from bot.catalogue.model import (
    LANGUAGES,
    THEME_IDS,
    Action,
    Audience,
    Catalogue,
    CatalogueFile,
    Operator,
    Territory,
    Theme,
)
from bot.catalogue.problems import CatalogueError, Problem, Severity
from bot.catalogue.yamlsource import ParsedFile, YamlPath, parse_yaml

STALE_AFTER = dt.timedelta(days=183)
"""An entry not checked for six months may have changed: warn the coordinator."""

_SECTIONS: dict[str, type[BaseModel]] = {
    "themes": Theme,
    "operators": Operator,
    "actions": Action,
}


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that owns the last key of ``loc`` (for "did you mean")."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        fields = {info.alias or name: info for name, info in current.model_fields.items()}
        info = fields.get(part)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind, loc, value = error["type"], error["loc"], error.get("input")
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        choices = _field_names(owner) if owner else []
        hint = difflib.get_close_matches(str(last), choices, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        return f"unknown key {last!r}{suggestion}"
    if kind == "missing":
        return f"missing required field {last!r}"
    if last == "[key]" and kind == "literal_error":
        return f"unknown language code {value!r} (known: {' '.join(LANGUAGES)})"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        choices = re.findall(r"'([^']*)'", expected)
        noun = "language code" if str(value) and len(str(value)) == 2 else "value"
        hint = difflib.get_close_matches(str(value), choices, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        return f"unknown {noun} {value!r}{suggestion}; write one of: {', '.join(choices)}"
    if isinstance(last, int) and len(loc) > 1:  # an item of a list: name the list
        last = f"{loc[-2]} (item {last + 1})"
    if kind == "string_type" and isinstance(value, int | float):
        return (
            f"{last} must be a text: put it in quotes, as written on paper "
            f'(e.g. "05 49 00 00 00", "86000")'
        )
    if kind == "list_type":
        shown = f'"{value}"' if isinstance(value, int | float) else value
        shown = shown if isinstance(shown, str) else "..."
        return f"{last} must be a list, even of one item: write `{last}: [{shown}]`"
    if kind in ("dict_type", "model_type"):
        return f"{last} must be a group of 'key: value' lines (or {{key: value, ...}})"
    if kind in (
        "string_type",
        "bool_type",
        "int_type",
        "float_type",
        "date_from_datetime_parsing",
        "date_parsing",
        "bool_parsing",
        "int_parsing",
        "float_parsing",
    ):
        wanted = {"string_type": "a text", "bool_type": "true or false", "bool_parsing": "true or false",
                  "int_type": "a whole number", "int_parsing": "a whole number",
                  "float_type": "a number", "float_parsing": "a number",
                  "date_parsing": "a date like 2026-12-31",
                  "date_from_datetime_parsing": "a date like 2026-12-31"}[kind]  # fmt: skip
        return f"{last} must be {wanted}, not {value!r}"[:300]
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if pattern.startswith("^[a-z0-9]"):
            return f"{value!r} is not a valid id: use at most 40 lowercase letters, digits and '-'"
        return f"{value!r} has the wrong format"
    message = str(error["msg"]).replace("Input should be", "expected")
    return f"{message}, got {type(value).__name__} {value!r}"[:300]


class _Report:
    """Problems of one load, in file order."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        parsed: ParsedFile,
        path: YamlPath,
        severity: Severity,
        message: str,
        *,
        key: bool = False,
    ) -> None:
        where = parsed.position(path, key=key)
        self.problems.append(Problem(parsed.path, where.line, where.column, severity, message))


def _validate(
    model: type[BaseModel], data: Any, parsed: ParsedFile, path: YamlPath, report: _Report
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if part != "[key]")
            missing = error["type"] == "missing"
            where = (*path, *loc[:-1]) if missing else (*path, *loc)
            key = error["type"] == "extra_forbidden" or error["loc"][-1:] == ("[key]",)
            report.add(parsed, where, "error", _describe(error, model), key=key)
        return None


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def _outside(path: Path, directory: Path) -> bool:
    """A link to a file elsewhere: never read (its content could be quoted back to admins)."""
    return not path.resolve().is_relative_to(directory.resolve())


def last_changed(directory: Path) -> str | None:
    """The catalogue file saved last, for messages about an edit."""
    files = (
        [p for p in _files(directory) if not _outside(p, directory)] if directory.is_dir() else []
    )
    return _display(max(files, key=lambda p: p.stat().st_mtime)) if files else None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Entries:
    """Valid entries with the file and path each came from, for cross-checks."""

    def __init__(self) -> None:
        self.territories: list[tuple[Territory, ParsedFile, YamlPath]] = []
        self.themes: list[tuple[Theme, ParsedFile, YamlPath]] = []
        self.operators: list[tuple[Operator, ParsedFile, YamlPath]] = []
        self.actions: list[tuple[Action, ParsedFile, YamlPath]] = []
        self.broken: set[tuple[str, str]] = set()
        """Entries with their own error, by section and id."""
        self.unreadable = False
        """A file could not be read at all: what it defines is unknown, not missing."""


def _read_file(parsed: ParsedFile, entries: _Entries, report: _Report) -> None:
    data = parsed.data
    if data is None:
        return
    if not isinstance(data, dict):
        report.add(parsed, (), "error", "a catalogue file must be a mapping of sections")
        return
    sections = ["territory", *_SECTIONS]
    for key, value in data.items():
        if key not in sections:
            hint = difflib.get_close_matches(key, sections, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            report.add(parsed, (key,), "error", f"unknown key {key!r}{suggestion}", key=True)
        elif key == "territory":
            territory = _validate(Territory, value, parsed, (key,), report)
            if territory:
                entries.territories.append((territory, parsed, (key,)))
        elif not isinstance(value, list):
            report.add(parsed, (key,), "error", f"{key!r} must be a list of entries ('- id: ...')")
        else:
            for index, item in enumerate(value):
                entry = _validate(_SECTIONS[key], item, parsed, (key, index), report)
                if entry:
                    getattr(entries, key).append((entry, parsed, (key, index)))
                elif isinstance(item, dict) and isinstance(item.get("id"), str):
                    # Its own error is reported; entries naming it must not add more.
                    entries.broken.add((key, item["id"]))


def _unique(
    items: Iterable[tuple[Any, ParsedFile, YamlPath]], kind: str, report: _Report
) -> dict[str, Any]:
    by_id: dict[str, Any] = {}
    first: dict[str, tuple[ParsedFile, YamlPath]] = {}
    for entry, parsed, path in items:
        if entry.id in by_id:
            other_file, other_path = first[entry.id]
            line = other_file.position((*other_path, "id")).line
            report.add(
                parsed,
                (*path, "id"),
                "error",
                f"duplicate {kind} id {entry.id!r} (already used at {other_file.path}:{line})",
            )
            continue
        by_id[entry.id] = entry
        first[entry.id] = (parsed, path)
    return by_id


def _check_verification(
    entry: Operator | Action, parsed: ParsedFile, path: YamlPath, today: dt.date, report: _Report
) -> None:
    kind = "operator" if isinstance(entry, Operator) else "action"
    if not entry.verified:
        reason = f": {entry.note}" if entry.note else ""
        report.add(parsed, (*path, "id"), "warning", f"{kind} {entry.id!r} is unverified{reason}")
    elif entry.verified_on is None:
        report.add(parsed, (*path, "verified"), "warning", "verified without 'verified_on' date")
    elif today - entry.verified_on > STALE_AFTER:
        report.add(
            parsed,
            (*path, "verified_on"),
            "warning",
            f"{kind} {entry.id!r} last verified on {entry.verified_on}, more than 6 months ago",
        )


def _check_notices(
    entry: Operator | Action,
    parsed: ParsedFile,
    path: YamlPath,
    today: dt.date,
    report: _Report,
    default_language: str | None = None,
) -> None:
    for index, notice in enumerate(entry.notices):
        where = (*path, "notices", index)
        if default_language and default_language not in notice.text:
            report.add(
                parsed,
                (*where, "text"),
                "warning",
                f"notice on {entry.id!r} has no text in {default_language}: people reading "
                "other languages fall back to it and would see nothing",
            )
        if notice.start and notice.start > notice.until:
            report.add(
                parsed,
                (*where, "from"),
                "error",
                f"notice starts on {notice.start}, after it ends on {notice.until}",
            )
        elif notice.until < today:
            report.add(
                parsed,
                (*where, "until"),
                "warning",
                f"notice on {entry.id!r} expired on {notice.until} and is no longer shown: "
                "remove it",
            )


def _check_cross(entries: _Entries, report: _Report, today: dt.date) -> Catalogue | None:
    if not entries.territories:
        return None
    territory, *_ = entries.territories[0]
    for _, parsed, path in entries.territories[1:]:
        report.add(parsed, path, "error", "the territory is defined twice; keep one")
    _unique(((e, f, (*p, "emergency", i)) for t, f, p in entries.territories[:1]
             for i, e in enumerate(t.emergency)), "emergency", report)  # fmt: skip
    themes = _unique(entries.themes, "theme", report)
    operators = _unique(entries.operators, "operator", report)
    actions = _unique(entries.actions, "action", report)
    if themes and not entries.unreadable:  # a territory may offer fewer themes, not use more
        for index, contact in enumerate(territory.emergency):
            _, parsed, path = entries.territories[0]
            for theme_id in contact.themes:
                if theme_id not in themes:
                    report.add(
                        parsed,
                        (*path, "emergency", index, "themes"),
                        "error",
                        f"theme {theme_id!r} is not in this catalogue's themes",
                    )
        for action, parsed, path in entries.actions:
            for index, theme_id in enumerate(action.themes):
                if theme_id not in themes:
                    report.add(
                        parsed,
                        (*path, "themes", index),
                        "error",
                        f"theme {theme_id!r} is not in this catalogue's themes "
                        f"(defined: {', '.join(themes)})",
                    )
    area = territory.area
    for operator, parsed, path in entries.operators:
        c = operator.coordinates
        if c and not (
            area.lat_min <= c.lat <= area.lat_max and area.lon_min <= c.lon <= area.lon_max
        ):
            report.add(
                parsed,
                (*path, "coordinates"),
                "error",
                f"coordinates {c.lat}, {c.lon} are outside {territory.name}'s area "
                f"(lat {area.lat_min}..{area.lat_max}, lon {area.lon_min}..{area.lon_max}); "
                "latitude and longitude swapped?",
            )
        _check_verification(operator, parsed, path, today, report)
        _check_notices(operator, parsed, path, today, report, territory.default_language)
        if not operator.place and (operator.address or operator.coordinates):
            report.add(
                parsed,
                (*path, "place"),
                "error",
                f"operator {operator.id!r} has 'place: false' (no office to visit) but an "
                "address or coordinates; remove one or the other",
            )
        if not operator.place and not (operator.phones or operator.website or operator.email):
            report.add(
                parsed,
                (*path, "place"),
                "error",
                f"operator {operator.id!r} has no office to visit (place: false) and no phone, "
                "website or email: a person could not reach it at all",
            )
    for operator, parsed, path in entries.operators:
        if not operator.place and (operator.hours or operator.wheelchair is not None):
            report.add(
                parsed,
                (*path, "place"),
                "warning",
                f"operator {operator.id!r} has no office to visit (place: false) but opening "
                "hours or wheelchair access: use phone_hours for a phone line",
            )
    for theme, parsed, path in entries.themes:
        if theme.where_to_ask and theme.where_to_ask not in actions:
            hint = difflib.get_close_matches(theme.where_to_ask, list(actions), n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            report.add(
                parsed,
                (*path, "where_to_ask"),
                "error",
                f"where_to_ask names unknown action {theme.where_to_ask!r}{suggestion}",
            )
    _, parsed, path = entries.territories[0]
    for index, contact in enumerate(territory.emergency):
        for position, action_id in enumerate(contact.then):
            if action_id not in actions:
                hint = difflib.get_close_matches(action_id, list(actions), n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                report.add(
                    parsed,
                    (*path, "emergency", index, "then", position),
                    "error",
                    f"emergency {contact.id!r}: 'then' names unknown action "
                    f"{action_id!r}{suggestion}",
                )
        named = [actions[a] for a in contact.then if a in actions]
        closed = [
            status
            for status in get_args(Audience)
            if named and not any(status in action.audience for action in named)
        ]
        if closed:
            report.add(
                parsed,
                (*path, "emergency", index, "then"),
                "warning",
                f"emergency {contact.id!r}: no 'then' service is open to {', '.join(closed)}: "
                "they are offered nothing after the number",
            )
    if not (territory.coordinator.phone or territory.coordinator.email):
        _, parsed, path = entries.territories[0]
        report.add(
            parsed,
            (*path, "coordinator"),
            "warning",
            "the coordinator has no phone or email: cards with no way in and no theme "
            "'where_to_ask' can only say 'ask your social worker'",
        )
    for action, parsed, path in entries.actions:
        for index, operator_id in enumerate(action.operators):
            known_broken = ("operators", operator_id) in entries.broken or entries.unreadable
            if operator_id not in operators and not known_broken:
                hint = difflib.get_close_matches(operator_id, list(operators), n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                report.add(
                    parsed,
                    (*path, "operators", index),
                    "error",
                    f"unknown operator {operator_id!r}{suggestion}",
                )
        _check_verification(action, parsed, path, today, report)
        _check_notices(action, parsed, path, today, report, territory.default_language)
        _check_translations(action, territory, parsed, path, report)
        if action.valid.until and action.valid.until < today:
            report.add(
                parsed,
                (*path, "valid", "until"),
                "warning",
                f"action {action.id!r} ended on {action.valid.until}",
            )
    if any(p.severity == "error" for p in report.problems):
        return None
    return Catalogue(
        territory=territory,
        themes=tuple(themes[t] for t in THEME_IDS if t in themes),  # the menu's order
        operators=operators,
        actions=tuple(actions.values()),
    )


def _check_translations(
    action: Action, territory: Territory, parsed: ParsedFile, path: YamlPath, report: _Report
) -> None:
    drafted = [lang for lang in territory.languages if action.translations.get(lang) == "machine"]
    if drafted:
        report.add(
            parsed,
            (*path, "translations"),
            "warning",
            f"{action.id!r} is machine-translated, not reviewed, in: {' '.join(drafted)}",
        )
    for field_name in ("title", "summary", "keywords"):
        texts = getattr(action, field_name)
        missing = [lang for lang in territory.languages if lang not in texts]
        if missing:
            report.add(
                parsed,
                (*path, field_name),
                "warning",
                f"{field_name} of {action.id!r} has no translation in: {' '.join(missing)}",
            )


def load_catalogue(
    directory: Path, *, today: dt.date | None = None
) -> tuple[Catalogue | None, list[Problem]]:
    """Every problem in ``directory``, and the catalogue when there is no error."""
    report = _Report()
    today = today or dt.date.today()
    files = _files(directory) if directory.is_dir() else []
    if not files:
        report.problems.append(
            Problem(str(directory), 1, 1, "error", "no catalogue here: no .yaml file found")
        )
        return None, report.problems
    entries = _Entries()
    for path in files:
        if _outside(path, directory):
            message = "a link to a file outside the catalogue folder: not read (copy the file in)"
            report.problems.append(Problem(_display(path), 1, 1, "error", message))
            entries.unreadable = True
            continue
        parsed = parse_yaml(path, _display(path))
        for where, message in parsed.problems:
            report.problems.append(Problem(parsed.path, where.line, where.column, "error", message))
        entries.unreadable |= parsed.data is None
        _read_file(parsed, entries, report)
    if not entries.territories and not any(p.severity == "error" for p in report.problems):
        report.problems.append(
            Problem(_display(directory), 1, 1, "error", "no 'territory:' section in any file")
        )
    catalogue = _check_cross(entries, report, today)
    return catalogue, report.problems


def count_entries(directory: Path) -> tuple[int, int]:
    """Operators and actions written in the files, valid or not, for the summary line."""
    counts = {"operators": 0, "actions": 0}
    for path in _files(directory) if directory.is_dir() else []:
        if _outside(path, directory):
            continue
        parsed = parse_yaml(path, _display(path))
        if isinstance(parsed.data, dict):
            for section in counts:
                if isinstance(parsed.data.get(section), list):
                    counts[section] += len(parsed.data[section])
    return counts["operators"], counts["actions"]


def load_or_raise(directory: Path) -> Catalogue:
    """The catalogue, or CatalogueError listing every error (warnings are ignored)."""
    catalogue, problems = load_catalogue(directory)
    if catalogue is None:
        raise CatalogueError([p for p in problems if p.severity == "error"])
    return catalogue


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to check a catalogue file while it is typed."""
    schema = CatalogueFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
