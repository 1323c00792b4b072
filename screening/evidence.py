"""Secondary evidence: what besides the name makes a match more or less likely.

Date of birth, country or nationality, gender, entity type and identifiers move a
name score a little up or down; each adjustment is reported with its effect so an
analyst sees why. The facts of a designation are prepared once at index build
(`DesignationFacts`) so screening a query costs a few comparisons per candidate.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from lists.countries import country_code
from lists.model import Designation, IdentifierType
from screening.explanation import EvidenceItem, EvidenceKind

# Effects on the score, in score points (the score is in [0, 1]).
DOB_EXACT = 0.06
DOB_SWAPPED = 0.04  # day and month swapped (08/12 vs 12/08): a common data-entry slip
DOB_PARTIAL = 0.03  # same year (or year and month) where one side is partial
DOB_IN_RANGE = 0.03
DOB_SAME_YEAR_OTHER_DAY = 0.0
DOB_YEAR_OFF_BY_ONE = -0.03
DOB_CONFLICT = -0.10
COUNTRY_MATCH = 0.02
COUNTRY_CONFLICT = -0.03
GENDER_MATCH = 0.01
GENDER_CONFLICT = -0.08
TYPE_PERSON_MISMATCH = -0.15  # a person screened against a company, vessel or aircraft
TYPE_OTHER_MISMATCH = -0.05  # entity vs vessel vs aircraft: lists and files blur these
IDENTIFIER_WEAK_MATCH = 0.05  # same e-mail, phone, website or unlabelled number

# The most evidence can add: candidates whose name score is below threshold minus this are skipped.
MAX_POSITIVE_EFFECT = DOB_EXACT + 2 * COUNTRY_MATCH + GENDER_MATCH + IDENTIFIER_WEAK_MATCH

# An exact match on one of these is decisive on its own.
STRONG_IDENTIFIER_TYPES = frozenset(
    {
        IdentifierType.PASSPORT,
        IdentifierType.NATIONAL_ID,
        IdentifierType.TAX_ID,
        IdentifierType.IMO,
        IdentifierType.MMSI,
        IdentifierType.SWIFT_BIC,
        IdentifierType.USCC,
        IdentifierType.REGISTRATION_NUMBER,
        IdentifierType.DIGITAL_CURRENCY_ADDRESS,
    }
)
# Too short to be distinctive even when typed as a passport or registration number.
MIN_STRONG_IDENTIFIER_LENGTH = 5

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_PREFIXES = {IdentifierType.IMO: "IMO", IdentifierType.MMSI: "MMSI"}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}


# --- identifiers -------------------------------------------------------------------------------


def identifier_type(text: str | None) -> IdentifierType | None:
    """The IdentifierType a query's free-text identifier type names, or None if unknown."""
    if not text:
        return None
    key = text.strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {
        "passport_number": "passport",
        "national_id_number": "national_id",
        "id": "national_id",
        "cedula": "national_id",
        "imo_number": "imo",
        "swift": "swift_bic",
        "bic": "swift_bic",
        "tin": "tax_id",
        "vat": "tax_id",
        "unified_social_credit_code": "uscc",
        "wallet": "digital_currency_address",
        "crypto": "digital_currency_address",
        "digital_currency": "digital_currency_address",
        "registration": "registration_number",
        "company_number": "registration_number",
    }
    key = aliases.get(key, key)
    try:
        return IdentifierType(key)
    except ValueError:
        return None


def normalize_identifier(value: str, type: IdentifierType | None = None) -> str:
    """Identifier value reduced to upper-case letters and digits ("IMO 9 123-456" -> "9123456")."""
    normalized = _NON_ALNUM.sub("", value).upper()
    prefix = _PREFIXES.get(type) if type is not None else None
    if prefix and normalized.startswith(prefix) and len(normalized) > len(prefix):
        normalized = normalized[len(prefix) :]
    return normalized


# --- dates of birth ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


def _valid(year: int, month: int | None, day: int | None) -> PartialDate | None:
    if not 1800 <= year <= 2100:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        if month is None:
            return None
        try:
            date(year, month, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)


def parse_date(text: str | None) -> PartialDate | None:
    """A full or partial date: ISO ("1986-12-08", "1986-12", "1986"), "08/12/1986", "8 Dec 1986"."""
    if not text:
        return None
    text = text.strip()
    m = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", text)
    if m:
        return _valid(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if m:  # day first (the international habit); a US month-first date shows up as a swap
        return _valid(int(m[3]), int(m[2]), int(m[1])) or _valid(int(m[3]), int(m[1]), int(m[2]))
    m = re.fullmatch(r"(?:(\d{1,2})\s+)?([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})", text)
    if m and m[2].lower() in _MONTHS:
        return _valid(int(m[3]), _MONTHS[m[2].lower()], int(m[1]) if m[1] else None)
    return None


@dataclass(frozen=True, slots=True)
class ListDob:
    text: str
    start: PartialDate
    end: PartialDate | None  # a range ("1960 to 1962"); None for a single date
    circa: bool


def _compare_single(query: PartialDate, dob: ListDob) -> tuple[float, str]:
    listed = dob.start
    if query.year != listed.year:
        diff = abs(query.year - listed.year)
        if diff == 1 or (dob.circa and diff <= 2):
            return DOB_YEAR_OFF_BY_ONE, f"year {query.year} vs {listed.year} (close)"
        return DOB_CONFLICT, f"{query} conflicts with {dob.text}"
    if query.month and listed.month:
        if query.month == listed.month and (not query.day or not listed.day or query.day == listed.day):
            if query.day and listed.day:
                return DOB_EXACT, f"{query} exact"
            return DOB_PARTIAL, f"{query} matches {dob.text} to the month"
        if query.day and listed.day and query.day == listed.month and query.month == listed.day:
            return DOB_SWAPPED, f"{query} matches {dob.text} with day and month swapped"
        return DOB_SAME_YEAR_OTHER_DAY, f"same year {query.year}, day/month differ from {dob.text}"
    return DOB_PARTIAL, f"year {query.year} matches {dob.text}"


def compare_dob(query: PartialDate, dob: ListDob) -> tuple[float, str]:
    """Effect and reason of one query date against one listed date of birth."""
    if dob.end is None:
        return _compare_single(query, dob)
    if dob.start.year <= query.year <= dob.end.year:
        return DOB_IN_RANGE, f"{query} within {dob.text}"
    gap = min(abs(query.year - dob.start.year), abs(query.year - dob.end.year))
    if gap == 1:
        return DOB_YEAR_OFF_BY_ONE, f"{query} just outside {dob.text}"
    return DOB_CONFLICT, f"{query} outside {dob.text}"


def _list_dob(dob_from: str | None, dob_to: str | None, text: str, circa: bool) -> ListDob | None:
    start = parse_date(dob_from) or parse_date(text)
    if start is None:
        return None
    end = parse_date(dob_to)
    return ListDob(text or str(start), start, end if end and end != start else None, circa)


# --- designation facts -------------------------------------------------------------------------


def _gender(text: str | None) -> str | None:
    if not text:
        return None
    key = text.strip().lower()
    if key in {"m", "male", "man"}:
        return "male"
    if key in {"f", "female", "woman"}:
        return "female"
    return None


@dataclass(frozen=True, slots=True)
class DesignationFacts:
    """The evidence-relevant facts of one designation, normalised once at index build."""

    type: str
    dobs: tuple[ListDob, ...]
    nationalities: frozenset[str]  # nationalities and citizenships
    countries: frozenset[str]  # all countries: nationality, address, vessel flag
    gender: str | None
    identifiers: frozenset[tuple[str, str]]  # (type, normalised value)

    @classmethod
    def of(cls, designation: Designation) -> DesignationFacts:
        dobs = tuple(
            d
            for d in (_list_dob(x.date_from, x.date_to, x.text, x.circa) for x in designation.dates_of_birth)
            if d is not None
        )
        nationalities = frozenset(
            c for c in (country_code(x) for x in designation.nationalities + designation.citizenships) if c
        )
        countries = set(nationalities)
        for address in designation.addresses:
            code = address.country or country_code(address.country_name)
            if code:
                countries.add(code.upper())
        if designation.vessel is not None and designation.vessel.flag:
            flag = country_code(designation.vessel.flag)
            if flag:
                countries.add(flag)
        identifiers = frozenset(
            (i.type.value, normalize_identifier(i.value, i.type)) for i in designation.identifiers
        )
        return cls(
            type=designation.type.value,
            dobs=dobs,
            nationalities=nationalities,
            countries=frozenset(countries),
            gender=_gender(designation.gender),
            identifiers=identifiers,
        )


# --- query evidence ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryFacts:
    """The evidence-relevant facts of one query, normalised once per query."""

    type: str
    dob: PartialDate | None
    dob_text: str | None
    country: str | None
    nationality: str | None
    gender: str | None
    identifiers: tuple[tuple[str | None, str], ...]  # (type or None, normalised value)
    # A legal form in an untyped query's name ("RAD D.O.O."): it names an organisation, never a person.
    legal_forms: tuple[str, ...] = ()

    @classmethod
    def of(cls, query, legal_forms: tuple[str, ...] = ()) -> QueryFacts:  # query: screening.query.Query
        """`legal_forms`: those found in the query's name (kept only when the query is untyped)."""
        if (
            query.dob is None
            and query.country is None
            and query.nationality is None
            and query.gender is None
            and not query.identifiers
        ):
            return _name_only_facts(query.type, legal_forms if query.type == "any" else ())
        identifiers = []
        for ident in query.identifiers:
            kind = identifier_type(ident.type)
            identifiers.append((kind.value if kind else None, normalize_identifier(ident.value, kind)))
        return cls(
            type=query.type,
            dob=parse_date(query.dob),
            dob_text=query.dob,
            country=country_code(query.country) if query.country else None,
            nationality=country_code(query.nationality) if query.nationality else None,
            gender=_gender(query.gender),
            identifiers=tuple(identifiers),
            legal_forms=legal_forms if query.type == "any" else (),
        )

    @property
    def empty(self) -> bool:
        """No evidence at all: the score is the name score (no evaluation needed)."""
        return not self.legal_forms and self.can_only_lower

    @property
    def can_only_lower(self) -> bool:
        """No evidence that could raise a score (an inferred organisation only lowers persons')."""
        return (
            self.type == "any"
            and self.dob is None
            and self.country is None
            and self.nationality is None
            and self.gender is None
            and not self.identifiers
        )


@functools.lru_cache(maxsize=256)
def _name_only_facts(type_: str, legal_forms: tuple[str, ...]) -> QueryFacts:
    """The facts of a query that carries nothing but a name (most payment parties), made once.

    A frozen dataclass's construction went through object.__setattr__ per field: 2% of a query.
    """
    return QueryFacts(
        type=type_,
        dob=None,
        dob_text=None,
        country=None,
        nationality=None,
        gender=None,
        identifiers=(),
        legal_forms=legal_forms,
    )


def _item(kind: EvidenceKind, effect: float, detail: str) -> EvidenceItem:
    return EvidenceItem(kind=kind, effect=round(effect, 4), detail=detail)


def _country_evidence(kind: EvidenceKind, code: str, listed: frozenset[str]) -> EvidenceItem | None:
    if not listed:
        return None
    if code in listed:
        return _item(kind, COUNTRY_MATCH, f"{code} is listed")
    return _item(kind, COUNTRY_CONFLICT, f"{code} not among listed {', '.join(sorted(listed))}")


def _type_evidence(query_type: str, listed_type: str) -> EvidenceItem | None:
    if query_type == "any" or query_type == listed_type:
        return None
    effect = TYPE_PERSON_MISMATCH if "person" in (query_type, listed_type) else TYPE_OTHER_MISMATCH
    return _item("type", effect, f"query is a {query_type}, list entry a {listed_type}")


def evaluate(query: QueryFacts, facts: DesignationFacts) -> tuple[float, list[EvidenceItem]]:
    """Total score effect of the secondary evidence, and one explained item per piece."""
    items: list[EvidenceItem] = []
    if query.dob is not None and facts.dobs:
        best = max((compare_dob(query.dob, d) for d in facts.dobs), key=lambda r: r[0])
        items.append(_item("dob", best[0], best[1]))
    if query.nationality:
        item = _country_evidence("nationality", query.nationality, facts.nationalities or facts.countries)
        if item:
            items.append(item)
    if query.country and query.country != query.nationality:
        item = _country_evidence("country", query.country, facts.countries)
        if item:
            items.append(item)
    if query.gender and facts.gender:
        if query.gender == facts.gender:
            items.append(_item("gender", GENDER_MATCH, f"{query.gender} as listed"))
        else:
            items.append(_item("gender", GENDER_CONFLICT, f"query {query.gender}, listed {facts.gender}"))
    type_item = _type_evidence(query.type, facts.type)
    if type_item:
        items.append(type_item)
    elif query.legal_forms and facts.type == "person":
        forms = ", ".join(query.legal_forms)
        items.append(
            _item(
                "type",
                TYPE_PERSON_MISMATCH,
                f"query names an organisation (legal form {forms}), list entry a person",
            )
        )
    listed_values = {value for _, value in facts.identifiers}
    for _, value in query.identifiers:
        if value in listed_values:
            items.append(_item("identifier", IDENTIFIER_WEAK_MATCH, f"{value} appears on the entry"))
            break
    return sum((i.effect for i in items), 0.0), items
