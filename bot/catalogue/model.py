"""The catalogue model: what the coordinator writes in YAML, as typed, validated data.

Pydantic gives us type checking with exact locations (mapped back to YAML lines by the
loader) and the JSON Schema that editors use to complete and validate while typing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.catalogue.hours import check_hours
from bot.catalogue.phones import normalise_phone

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "fa", "ps", "ti", "so", "ru", "uk", "tr")
"""Every language the model knows; a territory picks its supported ones among these."""

THEME_IDS: tuple[str, ...] = (
    "language",
    "housing",
    "health",
    "employment",
    "rights",
    "sport",
    "culture",
    "digital",
    "parenting",
    "food",
    "money",
)
FALLBACK_ORDER: tuple[str, ...] = ("fr", "en")
"""When a text is missing in a language, it is shown in French, then English."""

Lang = Literal["fr", "en", "ar", "fa", "ps", "ti", "so", "ru", "uk", "tr"]
ThemeId = Literal[
    "language", "housing", "health", "employment", "rights", "sport", "culture", "digital",
    "parenting", "food", "money",
]  # fmt: skip
Audience = Literal["bpi", "primo-arrivant", "asylum"]
"""Who may use an action: refugees and subsidiary protection (``bpi``), other newcomers with
a residence permit (``primo-arrivant``), and people asking for asylum (``asylum``: services
open to everyone, such as free care, the 115 or food aid)."""
TranslationStatus = Literal["source", "machine", "reviewed"]
AccessMode = Literal["walk-in", "appointment", "referral", "phone", "online", "post"]
PhoneCost = Literal["free", "local-call", "free-service"]
"""What a call costs: free; the price of a local call; a free service, the call at its price."""
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
NonEmpty = Annotated[str, Field(min_length=1)]
Phone = Annotated[str, AfterValidator(normalise_phone)]
"""A French number, stored in E.164 (``+33549...``) whatever way it was typed; a national
short number (``3949``, ``115``) is kept as its digits."""

Texts = dict[Lang, NonEmpty]
"""A text per language, e.g. ``{fr: "Logement", en: "Housing"}``."""
Keywords = dict[Lang, list[NonEmpty]]
"""Words people actually type, per language (synonyms, misspellings, words without accents)."""
Examples = Annotated[
    dict[Lang, list[NonEmpty]],
    Field(
        description="whole sentences people write, per language (stories, Latin-script "
        "writing, indirect ways of saying it): the semantic stage compares messages with them"
    ),
]


def _check_hours(value: str) -> str:
    return check_hours(value)


class Strict(BaseModel):
    """Base for every catalogue entry: unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Localised:
    """A text and the language it is really in, so the bot can say when it fell back."""

    text: str
    lang: str
    fell_back: bool


def pick(texts: dict[str, str], lang: str) -> Localised | None:
    """The text in ``lang``, else French, else English, else None."""
    for candidate in (lang, *FALLBACK_ORDER):
        if texts.get(candidate):
            return Localised(text=texts[candidate], lang=candidate, fell_back=candidate != lang)
    return None


class Contact(Strict):
    name: str | None = None
    email: str | None = None
    phone: Phone | None = None


class Team(Strict):
    """The people behind "👤 Talk to a person" (the staff Telegram group, CTAI_STAFF_CHAT_ID)."""

    hours: Annotated[str, AfterValidator(_check_hours)] | None = Field(
        default=None,
        description="when someone reads the staff group, e.g. 'Mo-Fr 09:00-17:00': told to the "
        "person before they write, and outside these hours they are told when it will be read",
    )
    answer_within_hours: int = Field(
        default=48,
        ge=1,
        le=720,
        description="if nobody answers a request within this many hours, the person is told "
        "kindly and given the coordinator's contact",
    )


class Area(Strict):
    """The territory's bounding box: operator coordinates must fall inside it."""

    lat_min: float = Field(ge=-90, le=90)
    lat_max: float = Field(ge=-90, le=90)
    lon_min: float = Field(ge=-180, le=180)
    lon_max: float = Field(ge=-180, le=180)


class Funding(Strict):
    amount_eur: int = Field(ge=0)
    year: int
    purpose: Texts


class Contract(Strict):
    """The CTAI contract itself, shown to people who ask who runs the bot."""

    name: Texts
    signed: dt.date | None = None
    signatories: list[NonEmpty] = []
    funding: list[Funding] = []
    period: Texts = {}
    sources: list[NonEmpty] = []


class EmergencyContact(Strict):
    id: Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{2,20}$")]
    number: Annotated[str, Field(pattern=r"^[0-9]{2,6}$")]
    purpose: Texts
    label: Texts
    words: Keywords = {}
    examples: Examples = {}
    themes: list[ThemeId] = Field(
        default=[], description="themes this danger also belongs to (115: housing)"
    )
    then: list[Identifier] = Field(
        default=[],
        description="actions offered after this number (3114: someone to talk to): first, "
        "unless the bot is sure of a card the person asked for, which then comes before them",
    )
    sms: bool = False


class Territory(Strict):
    id: Identifier
    name: NonEmpty
    local_names: Texts = Field(
        default={},
        description="the town's name as readers of each language write it (بواتييه, Пуатье); "
        "shown with the official name in brackets",
    )
    default_language: Lang
    languages: list[Lang] = Field(min_length=1)
    timezone: NonEmpty = "Europe/Paris"
    area: Area
    coordinator: Contact = Contact()
    team: Team = Field(default_factory=Team, description="who answers 'Talk to a person'")
    contract: Contract | None = None
    emergency: list[EmergencyContact] = Field(min_length=1)
    out_of_scope: dict[Lang, list[NonEmpty]] = Field(
        default={},
        description="questions the bot does not answer (prices elsewhere, recipes, weather), "
        "per language: a message closer to these than to any service is not routed",
    )
    ordinary_words: dict[Lang, list[NonEmpty]] = Field(
        default={},
        description="everyday words a letter or two from a danger word, per language: never "
        "read as a typo of one ('ouvrir' is not 'mourir', Turkish 'olmak' is not 'ölmek')",
    )
    false_friends: dict[Lang, list[NonEmpty]] = Field(
        default={},
        description="keywords of other languages that mean something else in this one, per "
        "language: a message in this language does not look for them (Persian 'مکتب' is a "
        "school, Arabic 'مكتب' an office)",
    )
    sources: list[NonEmpty] = []


class Theme(Strict):
    id: ThemeId
    emoji: NonEmpty
    label: Texts
    keywords: Keywords = {}
    context_keywords: Keywords = Field(
        default={},
        description="words that hint at the theme but are often about something else "
        "('my child' in 'my child is sick'): they count less than keywords",
    )
    examples: Examples = {}
    where_to_ask: Identifier | None = Field(
        default=None,
        description="the action to show when a card of this theme has no phone, address or "
        "website (papers: an access-to-rights desk; French: an information point)",
    )


class Address(Strict):
    street: NonEmpty
    postcode: Annotated[str, Field(pattern=r"^[0-9]{5}$")]
    city: NonEmpty


class Coordinates(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Notice(Strict):
    """A temporary change (closed for holidays, moved, new hours from a date): shown on the
    card while it is valid; ``validate`` warns once it has expired."""

    start: dt.date | None = Field(default=None, alias="from")
    until: dt.date
    text: Texts = Field(min_length=1)

    def shown_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and day <= self.until


class Online(Strict):
    """An online procedure: its name as people will see it on the site, and where it is."""

    name: Texts = Field(min_length=1)
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None


class Verification(Strict):
    """Content has a lifecycle: who checked it and when, and why it may be doubtful."""

    verified: bool = False
    verified_on: dt.date | None = None
    note: str | None = None
    caveat: Texts = Field(
        default={},
        description="what a person must know about a doubtful fact (an old number, hours "
        "from 2019), per language: shown on the card, unlike the coordinator's note",
    )
    sources: list[NonEmpty] = []


class Operator(Verification):
    id: Identifier
    name: NonEmpty
    aliases: list[NonEmpty] = Field(
        default=[], description="other names and misspellings, in every script people use"
    )
    description: Texts = {}
    examples: Examples = {}
    place: bool = Field(
        default=True,
        description="false for a service reached only by phone, online or by post: it has "
        "no address to visit, and the card says so",
    )
    address: Address | None = None
    location: Texts = Field(
        default={},
        description="where to find it when no street address is known ('the forum of the "
        "médiathèque', 'the Demi-Lune district')",
    )
    coordinates: Coordinates | None = None
    phones: list[Phone] = []
    phone_cost: PhoneCost | None = None
    phone_hours: Annotated[str, AfterValidator(_check_hours)] | None = Field(
        default=None, description="when the phone line answers, if not the opening hours"
    )
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    website: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    hours: Annotated[str, AfterValidator(_check_hours)] | None = Field(
        default=None,
        description="Opening hours, e.g. 'Mo-Fr 09:00-12:30,14:00-17:00; Sa 09:00-12:00'.",
    )
    languages: list[Lang] = []
    wheelchair: bool | None = None
    notices: list[Notice] = []


class Eligibility(Strict):
    """Restrictions beyond the audience; an absent field means no restriction."""

    women: Literal["only", "priority"] | None = None
    priority_neighbourhood: bool = False
    parents: bool = False
    trade: Identifier | None = None


class Access(Strict):
    how: list[AccessMode] = []
    free: bool | None = None
    details: Texts = {}


class Validity(Strict):
    start: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None


class Action(Verification):
    id: Identifier
    ctai: bool = Field(default=False, description="funded by the territorial contract")
    operators: list[Identifier] = Field(min_length=1)
    themes: list[ThemeId] = Field(min_length=1)
    audience: list[Audience] = Field(min_length=1)
    eligibility: Eligibility = Eligibility()
    title: Texts
    summary: Texts
    translations: dict[Lang, TranslationStatus] = {}
    keywords: Keywords = {}
    examples: Examples = {}
    access: Access = Access()
    online: Online | None = None
    cost: Texts = Field(default={}, description="what it costs, when it is not simply free")
    hours: Annotated[str, AfterValidator(_check_hours)] | None = Field(
        default=None,
        description="this action's own hours when they differ from its operator's "
        "(a desk open two mornings a week in a centre open every day)",
    )
    schedule: Texts = {}
    valid: Validity = Validity()
    notices: list[Notice] = []


class CatalogueFile(Strict):
    """One YAML file of the catalogue directory: any of these sections, merged across files."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"title": "ctai-bot catalogue file"},
    )

    territory: Territory | None = None
    themes: list[Theme] = []
    operators: list[Operator] = []
    actions: list[Action] = []


@dataclass(frozen=True)
class Catalogue:
    """A whole, valid catalogue: what the bot serves until a newer valid one replaces it."""

    territory: Territory
    themes: tuple[Theme, ...]
    operators: dict[str, Operator]
    actions: tuple[Action, ...]
    actions_by_id: dict[str, Action] = field(init=False)
    themes_by_id: dict[str, Theme] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "actions_by_id", {a.id: a for a in self.actions})
        object.__setattr__(self, "themes_by_id", {t.id: t for t in self.themes})

    def actions_for_theme(self, theme_id: str) -> list[Action]:
        return [a for a in self.actions if theme_id in a.themes]
