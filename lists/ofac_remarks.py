"""The OFAC Remarks mini-language: `; `-separated phrases carrying DOB, IDs, weak aliases...

The legacy CSV files have no columns for most identifying data; OFAC writes it
into the Remarks field as phrases such as `DOB 08 Dec 1986; nationality China;
National ID No. 340121198612082214 (China); a.k.a. 'X'; Linked To: Y.`. This
module turns those phrases into model fields. Nothing is ever dropped: a phrase
no rule understands is kept verbatim in `remarks`, and every phrase is counted
as "field", "free_text" (kept by a known free-text rule) or "unrecognised".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lists.countries import country_code
from lists.model import (
    Alias,
    AliasKind,
    AliasStrength,
    DateOfBirth,
    Identifier,
    IdentifierType,
)

# --- outcome counters ---------------------------------------------------------------------------

FIELD = "field"
FREE_TEXT = "free_text"
UNRECOGNISED = "unrecognised"

# --- identifier labels ------------------------------------------------------------------------
# Label as OFAC writes it -> identifier type. Longest labels are tried first, so
# "Identification Number IMO" wins over "Identification Number".
_T = IdentifierType
ID_LABELS: dict[str, IdentifierType] = {
    # passports
    "Passport": _T.PASSPORT,
    "Diplomatic Passport": _T.PASSPORT,
    "Official Passport": _T.PASSPORT,
    "Service Passport": _T.PASSPORT,
    "Stateless Person Passport": _T.PASSPORT,
    "Refugee ID Card": _T.NATIONAL_ID,
    # personal / national ids
    "National ID No.": _T.NATIONAL_ID,
    "National ID No": _T.NATIONAL_ID,
    "National Foreign ID Number": _T.NATIONAL_ID,
    "Identification Number": _T.NATIONAL_ID,
    "Cedula No.": _T.NATIONAL_ID,
    "C.U.R.P.": _T.NATIONAL_ID,
    "CURP #": _T.NATIONAL_ID,
    "D.N.I.": _T.NATIONAL_ID,
    "Personal ID Card": _T.NATIONAL_ID,
    "Citizen's Card Number": _T.NATIONAL_ID,
    "Kenyan ID No.": _T.NATIONAL_ID,
    "Turkish Identification Number": _T.NATIONAL_ID,
    "Numero de Identidad": _T.NATIONAL_ID,
    "Electoral Registry No.": _T.NATIONAL_ID,
    "Residency Number": _T.NATIONAL_ID,
    "Immigration No.": _T.NATIONAL_ID,
    "SSN": _T.NATIONAL_ID,
    "Social Security Number": _T.NATIONAL_ID,
    "Permanent Resident Number": _T.NATIONAL_ID,
    "Moroccan Personal ID No.": _T.NATIONAL_ID,
    "Bosnian Personal ID No.": _T.NATIONAL_ID,
    "Travel Document Number": _T.PASSPORT,
    "Alien Registration": _T.NATIONAL_ID,
    "Afghan Money Service Provider License Number": _T.REGISTRATION_NUMBER,
    # tax ids
    "Tax ID No.": _T.TAX_ID,
    "Tax ID No": _T.TAX_ID,
    "RFC": _T.TAX_ID,
    "R.F.C.": _T.TAX_ID,
    "NIT #": _T.TAX_ID,
    "RUC #": _T.TAX_ID,
    "RIF #": _T.TAX_ID,
    "RTN": _T.TAX_ID,
    "CUIT": _T.TAX_ID,
    "C.U.I.T.": _T.TAX_ID,
    "V.A.T. Number": _T.TAX_ID,
    "VAT Number": _T.TAX_ID,
    "Fiscal Code": _T.TAX_ID,
    "Italian Fiscal Code": _T.TAX_ID,
    "Tax Identification Number": _T.TAX_ID,
    "TIN": _T.TAX_ID,
    "CNPJ": _T.TAX_ID,
    # vessels
    "Vessel Registration Identification IMO": _T.IMO,
    "Identification Number IMO": _T.IMO,
    "Company Number IMO": _T.IMO,
    "IMO": _T.IMO,
    "MMSI": _T.MMSI,
    # banks and companies
    "SWIFT/BIC": _T.SWIFT_BIC,
    "Unified Social Credit Code (USCC)": _T.USCC,
    "Registration Number": _T.REGISTRATION_NUMBER,
    "Business Registration Number": _T.REGISTRATION_NUMBER,
    "Business Registration Document #": _T.REGISTRATION_NUMBER,
    "Business Number": _T.REGISTRATION_NUMBER,
    "Registration ID": _T.REGISTRATION_NUMBER,
    "Company Number": _T.REGISTRATION_NUMBER,
    "UK Company Number": _T.REGISTRATION_NUMBER,
    "Commercial Registry Number": _T.REGISTRATION_NUMBER,
    "Commercial Registration Number": _T.REGISTRATION_NUMBER,
    "Government Gazette Number": _T.REGISTRATION_NUMBER,
    "Folio Mercantil No.": _T.REGISTRATION_NUMBER,
    "Matricula Mercantil No": _T.REGISTRATION_NUMBER,
    "Trade License No.": _T.REGISTRATION_NUMBER,
    "Chamber of Commerce Number": _T.REGISTRATION_NUMBER,
    "C.R. No.": _T.REGISTRATION_NUMBER,
    "Economic Register Number (CBLS)": _T.REGISTRATION_NUMBER,
    "Central Registration System Number": _T.REGISTRATION_NUMBER,
    "Istanbul Chamber of Comm. No.": _T.REGISTRATION_NUMBER,
    "Public Registration Number": _T.REGISTRATION_NUMBER,
    "Enterprise Number": _T.REGISTRATION_NUMBER,
    "Certificate of Incorporation Number": _T.REGISTRATION_NUMBER,
    "Serial No.": _T.OTHER,
    "United Social Credit Code Certificate (USCCC)": _T.USCC,
    "C.U.I.": _T.TAX_ID,
    "C.I.F.": _T.TAX_ID,
    "US FEIN": _T.TAX_ID,
    "Numero Unico de Identificacao Tributaria (NUIT)": _T.TAX_ID,
    "Dubai Chamber of Commerce Membership No.": _T.REGISTRATION_NUMBER,
    "Branch Unit Number": _T.REGISTRATION_NUMBER,
    "Registered Charity No.": _T.REGISTRATION_NUMBER,
    "LE Number": _T.REGISTRATION_NUMBER,
    "Organization Code": _T.REGISTRATION_NUMBER,
    "File Number": _T.REGISTRATION_NUMBER,
    "Permit Number": _T.OTHER,
    "SRE Permit No.": _T.OTHER,
    "Credencial electoral": _T.NATIONAL_ID,
    "I.F.E.": _T.NATIONAL_ID,
    "Cartilla de Servicio Militar Nacional": _T.OTHER,
    "VisaNumberID": _T.OTHER,
    "Chinese Commercial Code": _T.OTHER,
    "Vessel Registration Identification": _T.OTHER,
    "PHONE": _T.PHONE,
    "FAX": _T.PHONE,
    # contact
    "Email Address": _T.EMAIL,
    "Website": _T.WEBSITE,
    "Phone Number": _T.PHONE,
    "Telephone": _T.PHONE,
    "Telephone No.": _T.PHONE,
    "Fax": _T.PHONE,
    "Fax No.": _T.PHONE,
    # other typed identifiers kept with their label
    "Aircraft Tail Number": _T.OTHER,
    "Previous Aircraft Tail Number": _T.OTHER,
    "Aircraft Manufacturer's Serial Number (MSN)": _T.OTHER,
    "Aircraft Construction Number (also called L/N or S/N or F/N)": _T.OTHER,
    "Aircraft Mode S Transponder Code": _T.OTHER,
    "Aircraft Serial Identification": _T.OTHER,
    "BIK (RU)": _T.OTHER,
    "ISIN": _T.OTHER,
    "Equity Ticker": _T.OTHER,
    "Birth Certificate Number": _T.OTHER,
    "Driver's License No.": _T.OTHER,
    "D-U-N-S Number": _T.OTHER,
    "Legal Entity Number": _T.OTHER,
    "License": _T.OTHER,
    "Stateless Person ID Card": _T.OTHER,
}

# Labelled facts that are not identifiers: label -> value goes to `extra`.
FACT_LABELS: tuple[str, ...] = (
    "Organization Established Date",
    "Target Type",
    "Aircraft Model",
    "Aircraft Manufacture Date",
    "Aircraft Operator",
    "Vessel Year of Build",
    "Former Vessel Flag",
    "Other Vessel Flag",
    "Other Vessel Call Sign",
    "Other Vessel Type",
    "Vessel Type",
    "Vessel Flag",
    "Issuer Name",
    "Nationality of Registration",
    "Listing Date (CMIC)",
    "Effective Date (CMIC)",
    "Purchase/Sales For Divestment Date (CMIC)",
)

# Phrases kept verbatim as free text by an explicit rule (descriptions, not data).
FREE_TEXT_RULES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # scope notes on a branch or identifier
        r"(?i)^(and )?all (other )?(offices|branches|locations) worldwide",
        r"(?i)^for more information",
        r"(?i)^ICTY indictee",
        r"(?i)^arrested ",
        # family relationships
        r"(?i)\b(wife|husband|daughter|son|brother|half-brother|sister|father|mother|nephew|niece|cousin|"
        r"relative|in-law)\b.* of ",
        # positions, ranks, honorifics and memberships
        r"(?i)\b(former|led|oversaw|party|incarcerated|jail|businessman|manufacturer|dealer|Minister|Ministry|Chairman|Chairperson|Vice|Deputy|Director|President|Presidential|"
        r"[Rr]epresentative|Official|Officer|[Mm]ember|Colonel|General|Commander|[Aa]dvisor|Aide|"
        r"Magistrate|Judge|Governor|Ambassador|Secretary|Head|Chief|Manager|Board|Prime|Doctor|"
        r"Haji|Maulana|Hojjatoleslam|Sheikh|Constituent|Lt\.|Col\.|Brigadier|Major|Employee|"
        r"Leader|Founder|Owner|Shareholder|Executive|Chairwoman|Mayor|Senator|Deputy|Commissioner)\b",
    )
)

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1
    )
}
_DATE = r"(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4}"
_DATE_RE = re.compile(r"^(?:(?P<day>\d{1,2}) )?(?:(?P<mon>[A-Z][a-z]{2}) )?(?P<year>\d{4})$")
_DOB_RE = re.compile(rf"^(?P<circa>circa )?(?P<from>{_DATE})(?: to (?P<to>{_DATE}))?$")
_ALIAS_START = re.compile(r"(?:alt\. )?(?P<kind>[afn])\.k\.a\.,? '")
_ALIAS_END = re.compile(r"'(?=\.?(?:; |\s*$))")
_ALIAS_RE = re.compile(r"^(?P<kind>[afn])\.k\.a\.,? '(?P<name>.*)'\.?$")
_BARE_EMAIL = re.compile(
    r"^(?:Email:\s*)?(?P<value>[\w.+-]+@[\w-]+(?:\.[\w-]+)+?)\.?(?: \(email\))?\.?$", re.I
)
_BARE_WEBSITE = re.compile(r"^(?P<value>(?:https?://|www\.)[^\s]+?)\.?(?: \(website\))?\.?$", re.I)
_ALT_PREFIX = re.compile(r"^alt\.\s+", re.IGNORECASE)
_ISSUED_EXPIRES = re.compile(rf"\s+(?P<what>issued|expires)\s+(?P<date>{_DATE})$")
_TRAILING_PARENS = re.compile(r"\s*\((?P<inner>[^()]*)\)$")
_COLON_FACT = re.compile(r"^(?P<label>[A-Za-z][^:]{1,100}?):\s+(?P<value>.+)$")
_DASH_FACT = re.compile(r"^(?P<label>[A-Za-z][\w ./()'-]{1,100}?) - (?P<value>.+)$")
_DIGITAL_CURRENCY = re.compile(r"^Digital Currency Address - (?P<currency>[A-Za-z0-9]+)\s+(?P<value>\S.*)$")
_ABBREVIATIONS = {
    "CO",
    "LTD",
    "INC",
    "CORP",
    "BHD",
    "PLC",
    "JSC",
    "LLC",
    "S.A",
    "S.L",
    "CIA",
    "ST",
    "JR",
    "SR",
}
_KIND = {"a": AliasKind.AKA, "f": AliasKind.FKA, "n": AliasKind.NKA}

_SORTED_ID_LABELS = sorted(ID_LABELS, key=len, reverse=True)
_SORTED_FACT_LABELS = sorted(FACT_LABELS, key=len, reverse=True)


@dataclass
class RemarkFacts:
    """Everything the Remarks field (or the XML feature lists) said about one designation."""

    dates_of_birth: list[DateOfBirth] = field(default_factory=list)
    places_of_birth: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    gender: str | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    unrecognised: list[str] = field(default_factory=list)

    def add_extra(self, label: str, value: str) -> None:
        label = label.strip()
        value = value.strip()
        if label in self.extra:
            if value not in self.extra[label].split("; "):
                self.extra[label] = f"{self.extra[label]}; {value}"
        else:
            self.extra[label] = value


def split_phrases(text: str) -> list[str]:
    """Split Remarks on `; `, except inside a quoted `a.k.a. '...'` (which may hold `;`)."""
    if ".k.a. '" not in text:  # fast path: no quoted weak alias that could hide a "; "
        return [p.strip() for p in text.split("; ") if p.strip()]
    phrases: list[str] = []
    start = 0
    n = len(text)
    while start < n:
        search_from = start
        alias = _ALIAS_START.match(text, start)
        if alias:
            end = _ALIAS_END.search(text, alias.end())
            if end:
                search_from = end.end()
        cut = text.find("; ", search_from)
        if cut < 0:
            phrases.append(text[start:])
            break
        phrases.append(text[start:cut])
        start = cut + 2
    return [p.strip() for p in phrases if p.strip()]


def iso_date(text: str) -> str | None:
    """'08 Dec 1986' -> '1986-12-08', 'Dec 1986' -> '1986-12', '1986' -> '1986'."""
    m = _DATE_RE.match(text.strip())
    if not m:
        return None
    year = m.group("year")
    mon = m.group("mon")
    if mon is None:
        return year if m.group("day") is None else None
    if mon not in _MONTHS:
        return None
    month = f"{year}-{_MONTHS[mon]:02d}"
    day = m.group("day")
    return f"{month}-{int(day):02d}" if day else month


def parse_dob(text: str) -> DateOfBirth | None:
    """DOB text as OFAC writes it: full, partial, `circa`, or `X to Y` ranges."""
    m = _DOB_RE.match(text.strip())
    if not m:
        return None
    date_from = iso_date(m.group("from"))
    date_to = iso_date(m.group("to")) if m.group("to") else None
    if date_from is None or (m.group("to") and date_to is None):
        return None
    return DateOfBirth(text=text.strip(), date_from=date_from, date_to=date_to, circa=bool(m.group("circa")))


def _strip_final_dot(text: str) -> str:
    """Drop the sentence-ending dot but not one that belongs to an abbreviation (CO., S.A.)."""
    text = text.strip()
    if not text.endswith("."):
        return text
    last = text[:-1].rsplit(" ", 1)[-1]
    if "." in last or last.upper() in _ABBREVIATIONS or len(last) == 1:
        return text
    return text[:-1].rstrip()


def make_identifier(
    label: str,
    value: str,
    country: str | None = None,
    issued: str | None = None,
    expires: str | None = None,
) -> Identifier:
    """One typed identifier from an OFAC label; shared by the CSV remarks and the XML idList."""
    id_type = ID_LABELS.get(label, IdentifierType.OTHER)
    currency = None
    m = _DIGITAL_CURRENCY.match(f"{label} {value}") if label.startswith("Digital Currency Address") else None
    if m:
        id_type = IdentifierType.DIGITAL_CURRENCY_ADDRESS
        currency = m.group("currency")
        value = m.group("value")
    country_iso = country_code(country) if country else None
    return Identifier(
        type=id_type,
        value=value.strip(),
        country=country_iso,
        label=label,
        currency=currency,
        issued=_date_or_text(issued),
        expires=_date_or_text(expires),
        note=f"country: {country}" if country and country_iso is None else None,
    )


def _date_or_text(text: str | None) -> str | None:
    if not text:
        return None
    return iso_date(text) or text.strip()


def _split_id_value(rest: str) -> tuple[str, str | None, str | None, str | None]:
    """'D123 (Iran) issued 1999 expires 2004' -> value, country, issued, expires."""
    issued = expires = country = None
    while True:
        m = _ISSUED_EXPIRES.search(rest)
        if not m:
            break
        if m.group("what") == "issued":
            issued = m.group("date")
        else:
            expires = m.group("date")
        rest = rest[: m.start()]
    m = _TRAILING_PARENS.search(rest)
    if m and m.start() > 0 and country_code(m.group("inner")):
        country = m.group("inner")
        rest = rest[: m.start()]
    return rest.strip(), country, issued, expires


def _index_by_first_word(labels: list[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for label in labels:  # already longest first
        index.setdefault(label.split(" ", 1)[0], []).append(label)
    return index


_ID_INDEX = _index_by_first_word(_SORTED_ID_LABELS)
_FACT_INDEX = _index_by_first_word(_SORTED_FACT_LABELS)


def _match_label(phrase: str, index: dict[str, list[str]]) -> tuple[str, str] | None:
    """Longest known label the phrase starts with (followed by a space or colon), and the rest."""
    for label in index.get(phrase.split(" ", 1)[0].rstrip(":"), ()):
        if phrase.startswith(label) and len(phrase) > len(label) and phrase[len(label)] in " :":
            return label, phrase[len(label) :].lstrip(" :")
    return None


def apply_phrase(facts: RemarkFacts, raw: str, previous_label: str | None = None) -> str | None:
    """Map one phrase into `facts`; returns the extra label it set (for continuations)."""
    phrase = raw.strip()
    body = _ALT_PREFIX.sub("", phrase)

    alias = _ALIAS_RE.match(_strip_final_dot(body))
    if alias:
        facts.aliases.append(
            Alias(
                name=alias.group("name").strip(), kind=_KIND[alias.group("kind")], strength=AliasStrength.WEAK
            )
        )
        facts.outcomes[FIELD] += 1
        return None

    body = _strip_final_dot(body)
    if body.startswith("Linked To:"):
        facts.links.append(body[len("Linked To:") :].strip())
        facts.outcomes[FIELD] += 1
        return None

    plain = body.rstrip(".")
    head, _, rest = plain.partition(" ")
    if head == "DOB":
        dob = parse_dob(rest)
        if dob:
            facts.dates_of_birth.append(dob)
            facts.outcomes[FIELD] += 1
            return None
    elif head == "POB" and rest:
        facts.places_of_birth.append(rest.strip())
        facts.outcomes[FIELD] += 1
        return None
    elif head in ("nationality", "citizen"):
        code = country_code(rest)
        if code:
            target = facts.nationalities if head == "nationality" else facts.citizenships
            if code not in target:
                target.append(code)
            facts.outcomes[FIELD] += 1
            return None
    elif head == "Gender" and rest.lower() in ("male", "female"):
        facts.gender = rest.lower()
        facts.outcomes[FIELD] += 1
        return None

    for pattern, id_type_label in ((_BARE_EMAIL, "Email Address"), (_BARE_WEBSITE, "Website")):
        m = pattern.match(body)
        if m:
            facts.identifiers.append(make_identifier(id_type_label, m.group("value")))
            facts.outcomes[FIELD] += 1
            return None

    currency = _DIGITAL_CURRENCY.match(plain)
    if currency:
        facts.identifiers.append(
            make_identifier(
                f"Digital Currency Address - {currency.group('currency')}", currency.group("value")
            )
        )
        facts.outcomes[FIELD] += 1
        return None

    id_match = _match_label(plain, _ID_INDEX)
    if id_match and id_match[1]:
        label, rest = id_match
        value, country, issued, expires = _split_id_value(rest)
        if value:
            facts.identifiers.append(make_identifier(label, value, country, issued, expires))
            facts.outcomes[FIELD] += 1
            return None

    fact_match = _match_label(plain, _FACT_INDEX)
    if fact_match and fact_match[1]:
        label = fact_match[0]
        facts.add_extra(label, fact_match[1])
        facts.outcomes[FIELD] += 1
        return label

    for pattern in (_COLON_FACT, _DASH_FACT):
        m = pattern.match(body)
        if m:
            label = m.group("label")
            facts.add_extra(label, m.group("value"))
            facts.outcomes[FIELD] += 1
            return label

    if previous_label and phrase.startswith("all offices worldwide"):
        facts.extra[previous_label] = f"{facts.extra[previous_label]}; {phrase}"
        facts.outcomes[FIELD] += 1
        return previous_label

    facts.remarks.append(phrase)
    if any(rule.search(phrase) for rule in FREE_TEXT_RULES):
        facts.outcomes[FREE_TEXT] += 1
    else:
        facts.outcomes[UNRECOGNISED] += 1
        facts.unrecognised.append(phrase)
    return None


def parse_remarks(text: str | None, facts: RemarkFacts | None = None) -> RemarkFacts:
    """Parse a whole Remarks field into `facts` (a new RemarkFacts unless one is given)."""
    facts = facts if facts is not None else RemarkFacts()
    if not text:
        return facts
    previous: str | None = None
    for phrase in split_phrases(text.strip()):
        previous = apply_phrase(facts, phrase, previous)
    return facts
