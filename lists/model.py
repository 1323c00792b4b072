"""The unified designation model every list format is parsed into.

One shape for OFAC SDN, OFAC non-SDN, UN and the internal watchlist, so the
store, the screening engine and the API never care where an entry came from.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ListCode(StrEnum):
    """Code of a source list; the prefix of every entity id."""

    OFAC = "ofac"
    OFAC_NONSDN = "ofac-nonsdn"
    UN = "un"
    EU = "eu"  # EU Financial Sanctions Files (consolidated list)
    UK = "uk"  # UK Sanctions List (FCDO)
    INTERNAL = "internal"


class EntityType(StrEnum):
    PERSON = "person"
    ENTITY = "entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class AliasKind(StrEnum):
    AKA = "aka"
    FKA = "fka"
    NKA = "nka"


class AliasStrength(StrEnum):
    STRONG = "strong"
    WEAK = "weak"


class IdentifierType(StrEnum):
    """Identifier kinds. `OTHER` keeps the source's own label in `Identifier.label`."""

    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    TAX_ID = "tax_id"
    IMO = "imo"
    MMSI = "mmsi"
    SWIFT_BIC = "swift_bic"
    USCC = "uscc"
    REGISTRATION_NUMBER = "registration_number"
    DIGITAL_CURRENCY_ADDRESS = "digital_currency_address"
    EMAIL = "email"
    WEBSITE = "website"
    PHONE = "phone"
    OTHER = "other"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NameParts(_Frozen):
    """Name parts where the source gives them (UN FIRST_NAME..., OFAC 'LAST, First')."""

    first: str | None = None
    middle: str | None = None
    last: str | None = None
    other: tuple[str, ...] = ()


class Alias(_Frozen):
    name: str
    kind: AliasKind = AliasKind.AKA
    strength: AliasStrength = AliasStrength.STRONG
    # ISO 15924 script code when the name is in its original, non-Latin script
    # (UN NAME_ORIGINAL_SCRIPT, internal entries), e.g. "Hans", "Arab", "Cyrl".
    script: str | None = None
    parts: NameParts | None = None


class DateOfBirth(_Frozen):
    """A full, partial, approximate or ranged date of birth.

    `date_from` and `date_to` are ISO dates of any precision: "1986-12-08",
    "1986-12" or "1986". A single date has `date_to` None; a range
    ("1960 to 1962", UN BETWEEN) sets both. `circa` marks approximations.
    """

    text: str
    date_from: str | None = None
    date_to: str | None = None
    circa: bool = False


class Address(_Frozen):
    street: str | None = None
    city: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where known
    country_name: str | None = None  # as written in the source
    note: str | None = None


class Identifier(_Frozen):
    type: IdentifierType
    value: str
    country: str | None = None  # ISO 3166-1 alpha-2 where known
    label: str | None = None  # the source's own label, e.g. "Cedula No."
    currency: str | None = None  # for digital currency addresses, e.g. "XBT"
    issued: str | None = None
    expires: str | None = None
    note: str | None = None


class VesselInfo(_Frozen):
    call_sign: str | None = None
    vessel_type: str | None = None
    flag: str | None = None  # country name or ISO code as given
    tonnage: str | None = None
    gross_registered_tonnage: str | None = None
    owner: str | None = None


class Provenance(_Frozen):
    """Why an internal watchlist entry exists; government lists leave it empty."""

    source: str
    reference: str | None = None
    date_added: str | None = None
    reason: str | None = None


class Designation(_Frozen):
    """One listed party, as a list publishes it."""

    entity_id: str  # "<list>:<source id>", e.g. "ofac:52749", "un:QDi.001"
    list: ListCode
    source_id: str
    type: EntityType
    primary_name: str
    name_parts: NameParts | None = None
    aliases: tuple[Alias, ...] = ()
    title: str | None = None
    dates_of_birth: tuple[DateOfBirth, ...] = ()
    places_of_birth: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    citizenships: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    gender: str | None = None  # "male" / "female"
    remarks: tuple[str, ...] = ()  # free text the parser kept as-is
    listed_date: str | None = None  # ISO date
    vessel: VesselInfo | None = None
    links: tuple[str, ...] = ()  # names from "Linked To:"
    provenance: Provenance | None = None
    extra: dict[str, str] = Field(default_factory=dict)  # other labelled facts kept verbatim


def entity_id(list_code: ListCode, source_id: str) -> str:
    return f"{list_code.value}:{source_id}"
