"""Whether a person can act on a card: a phone to call, a place to go, a site to open.

A card that only says what a service does sends the person nowhere. These rules decide when a
card needs its theme's "where to ask" entry, and give the coordinator the list of what is
missing, worst first.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalogue.model import Action, Catalogue, Contact, Operator

FIELDS: tuple[str, ...] = ("phone", "address", "hours", "website", "access", "source date")
"""What ``validate`` checks on every card, in the order it lists them."""


def operator_reachable(operator: Operator) -> bool:
    """A phone, an email, a website or a place one can find (street or named place)."""
    return bool(
        operator.phones
        or operator.email
        or operator.website
        or operator.address
        or operator.location
    )


def reachable(catalogue: Catalogue, action: Action) -> bool:
    """The card itself gives a way in: one of its operators can be reached, or the online
    procedure has an address."""
    if action.online and action.online.url:
        return True
    return any(operator_reachable(catalogue.operators[o]) for o in action.operators)


def direct_way_in(catalogue: Catalogue, action: Action) -> bool:
    """A phone, an email, a website, a street address, or a named place with its hours:
    enough to send someone there from another card."""
    if action.online and action.online.url:
        return True
    return any(
        o.phones or o.email or o.website or o.address or (o.location and (o.hours or action.hours))
        for o in (catalogue.operators[i] for i in action.operators)
    )


def contact_reachable(contact: Contact) -> bool:
    return bool(contact.phone or contact.email)


def where_to_ask(catalogue: Catalogue, action: Action) -> Action | None:
    """The entry to show when ``action`` gives no way in: the first of its themes' "where to
    ask" entries that can itself be reached (never the action itself)."""
    for theme_id in action.themes:
        target = catalogue.themes_by_id[theme_id].where_to_ask
        if target and target != action.id and target in catalogue.actions_by_id:
            candidate = catalogue.actions_by_id[target]
            if direct_way_in(catalogue, candidate):
                return candidate
    return None


def actionable(catalogue: Catalogue, action: Action) -> bool:
    """The card, with its fallback, tells the person whom to call, where to go or what to
    open."""
    return (
        reachable(catalogue, action)
        or where_to_ask(catalogue, action) is not None
        or contact_reachable(catalogue.territory.coordinator)
    )


@dataclass(frozen=True)
class ToDo:
    """One card's gaps, for the coordinator."""

    action: Action
    missing: tuple[str, ...]
    reachable: bool
    actionable: bool


def missing(catalogue: Catalogue, action: Action) -> tuple[str, ...]:
    """What a person would miss on this card, among ``FIELDS``."""
    operators = [catalogue.operators[o] for o in action.operators]
    gaps: list[str] = []
    if not any(o.phones for o in operators):
        gaps.append("phone")
    places = [o for o in operators if o.place]
    if places and not any(o.address or o.location for o in places):
        gaps.append("address")
    has_hours = action.hours or any(o.hours or o.phone_hours for o in operators)
    if not has_hours and (places or any(o.phones for o in operators)):
        gaps.append("hours")
    if not any(o.website for o in operators) and not (action.online and action.online.url):
        gaps.append("website")
    if not (action.access.how or action.access.details):
        gaps.append("access")
    if not action.verified_on:
        gaps.append("source date")
    return tuple(gaps)


def to_do(catalogue: Catalogue) -> list[ToDo]:
    """Every card with a gap, those a person cannot act on first, then the most gaps."""
    items = [
        ToDo(a, missing(catalogue, a), reachable(catalogue, a), actionable(catalogue, a))
        for a in catalogue.actions
    ]
    items = [i for i in items if i.missing or not i.actionable]
    return sorted(items, key=lambda i: (i.actionable, i.reachable, -len(i.missing)))


def _has(catalogue: Catalogue, action: Action) -> dict[str, bool]:
    operators = [catalogue.operators[o] for o in action.operators]
    return {
        "phone": any(o.phones for o in operators),
        "address": any(o.address or o.location for o in operators),
        "hours": bool(action.hours or any(o.hours or o.phone_hours for o in operators)),
        "website": any(o.website for o in operators) or bool(action.online and action.online.url),
    }


def figures_table(catalogue: Catalogue) -> str:
    """The README's catalogue figures, as a Markdown table: services per theme, the share
    with each way in, and the share of translations a native speaker has reviewed."""
    columns = ("phone", "address", "hours", "website")
    lines = [
        "| theme | services | with phone | with address or place | with hours | with website |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def row(name: str, actions: list[Action]) -> str:
        shares = [
            f"{sum(_has(catalogue, a)[c] for a in actions) / len(actions):.0%}" if actions else "–"
            for c in columns
        ]
        return f"| {name} | {len(actions)} | " + " | ".join(shares) + " |"

    for theme in catalogue.themes:
        lines.append(row(theme.id, catalogue.actions_for_theme(theme.id)))
    lines.append(row("**all**", list(catalogue.actions)))
    languages = catalogue.territory.languages
    pairs = [(a, lang) for a in catalogue.actions for lang in languages]
    reviewed = sum(a.translations.get(lang) in ("source", "reviewed") for a, lang in pairs)
    ctai = sum(a.ctai for a in catalogue.actions)
    lines += [
        "",
        f"{len(catalogue.actions)} services ({ctai} CTAI actions), "
        f"{len(catalogue.operators)} operators; translations written or reviewed by a person: "
        f"{reviewed}/{len(pairs)} ({reviewed / max(1, len(pairs)):.0%}), the rest machine-drafted.",
    ]
    return "\n".join(lines)
