"""EU Financial Sanctions Files, full XML 1.1 (schema: specs/eu_fsf_20171012-FULL-schema-1_1.xsd).

Built to the published schema and tested on fixtures written from it: no full
official file was available offline (README says so). Parsed with lxml without
entities or network; a malformed or truncated file refuses the whole list, as
does an entity that breaks the schema's required parts (logicalId, subjectType,
a name), naming the line.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from lists.model import (
    Address,
    Alias,
    AliasStrength,
    DateOfBirth,
    Designation,
    EntityType,
    Identifier,
    IdentifierType,
    ListCode,
    NameParts,
    entity_id,
)
from lists.parsed import ListFormatError, ParsedList, SourceFile
from lists.scripts import detect_script, is_latin

NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
ROOT = "export"
_SUBJECT_TYPES = {"P": EntityType.PERSON, "E": EntityType.ENTITY}
_ID_TYPES = {
    "passport": IdentifierType.PASSPORT,
    "id": IdentifierType.NATIONAL_ID,
    "nationalid": IdentifierType.NATIONAL_ID,
    "ssn": IdentifierType.NATIONAL_ID,
    "fiscalcode": IdentifierType.TAX_ID,
    "tax": IdentifierType.TAX_ID,
    "regnumber": IdentifierType.REGISTRATION_NUMBER,
    "imo": IdentifierType.IMO,
    "swiftbic": IdentifierType.SWIFT_BIC,
}
_CONTACT_TYPES = {"EMAIL": IdentifierType.EMAIL, "PHONE": IdentifierType.PHONE, "WEB": IdentifierType.WEBSITE}
_UNKNOWN_COUNTRY = {"", "00"}


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _attr(element: etree._Element, name: str) -> str | None:
    text = (element.get(name) or "").strip()
    return text or None


def _country(element: etree._Element) -> str | None:
    code = (element.get("countryIso2Code") or "").strip().upper()
    return None if code in _UNKNOWN_COUNTRY else code


def _is_true(element: etree._Element, name: str) -> bool:
    return (element.get(name) or "").strip().lower() in ("true", "1")


def _name(alias: etree._Element) -> tuple[str | None, NameParts | None]:
    first, middle, last = (_attr(alias, key) for key in ("firstName", "middleName", "lastName"))
    whole = _attr(alias, "wholeName") or " ".join(p for p in (first, middle, last) if p) or None
    parts = NameParts(first=first, middle=middle, last=last) if (first or middle or last) else None
    return whole, parts


def _date_of_birth(element: etree._Element) -> DateOfBirth | None:
    full = _attr(element, "birthdate")
    year, month, day = (_attr(element, key) for key in ("year", "monthOfYear", "dayOfMonth"))
    low, high = _attr(element, "yearRangeFrom"), _attr(element, "yearRangeTo")
    circa = _is_true(element, "circa")
    if full:
        return DateOfBirth(text=full, date_from=full[:10], circa=circa)
    if year:
        text = year
        if month:
            text = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
        return DateOfBirth(text=text, date_from=text, circa=circa)
    if low or high:
        return DateOfBirth(text=f"{low or '?'} to {high or '?'}", date_from=low, date_to=high, circa=circa)
    return None


def _place_of_birth(element: etree._Element) -> str | None:
    parts = [_attr(element, "place"), _attr(element, "city"), _attr(element, "region")]
    country = _attr(element, "countryDescription")
    if country and country.upper() != "UNKNOWN":
        parts.append(country)
    text = ", ".join(p for p in parts if p)
    return text or None


def _address(element: etree._Element) -> Address | None:
    street = ", ".join(p for p in (_attr(element, "street"), _attr(element, "poBox")) if p) or None
    country_name = _attr(element, "countryDescription")
    if country_name and country_name.upper() == "UNKNOWN":
        country_name = None
    address = Address(
        street=street,
        city=_attr(element, "city"),
        state_province=_attr(element, "region"),
        postal_code=_attr(element, "zipCode"),
        country=_country(element),
        country_name=country_name,
        note=_attr(element, "place"),
    )
    return address if any(address.model_dump().values()) else None


def _identifier(element: etree._Element) -> Identifier | None:
    number = _attr(element, "number") or _attr(element, "latinNumber")
    if not number:
        return None
    code = (_attr(element, "identificationTypeCode") or "").lower()
    flags = [
        label
        for attr, label in (
            ("knownFalse", "known false"),
            ("knownExpired", "known expired"),
            ("reportedLost", "reported lost"),
            ("revokedByIssuer", "revoked by issuer"),
            ("diplomatic", "diplomatic"),
        )
        if _is_true(element, attr)
    ]
    return Identifier(
        type=_ID_TYPES.get(code, IdentifierType.OTHER),
        value=number,
        country=_country(element),
        label=_attr(element, "identificationTypeDescription") or code or None,
        issued=_attr(element, "issueDate"),
        expires=_attr(element, "validTo"),
        note="; ".join(flags) or None,
    )


def _designation(path: Path, entity: etree._Element, stats: dict[str, int]) -> Designation:
    line = entity.sourceline
    logical_id = _attr(entity, "logicalId")
    if not logical_id or not logical_id.isdigit():
        raise ListFormatError(path, f"sanctionEntity without a numeric logicalId ({logical_id!r})", line)
    subject = entity.find(_tag("subjectType"))
    code = (subject.get("classificationCode") or "").strip() if subject is not None else ""
    if code not in _SUBJECT_TYPES:
        raise ListFormatError(
            path, f"sanctionEntity {logical_id}: subjectType classificationCode {code!r} is not P or E", line
        )
    entity_type = _SUBJECT_TYPES[code]

    names: list[tuple[str, NameParts | None, bool, str | None]] = []
    title = gender = None
    for alias in entity.iterfind(_tag("nameAlias")):
        whole, parts = _name(alias)
        if not whole:
            continue
        script = detect_script(whole)
        names.append(
            (
                whole,
                parts,
                alias.get("strong", "true").strip().lower() != "false",
                None if is_latin(script) else script,
            )
        )
        title = title or _attr(alias, "title")
        gender = gender or {"M": "male", "F": "female"}.get((alias.get("gender") or "").strip())
    if not names:
        raise ListFormatError(path, f"sanctionEntity {logical_id} has no nameAlias with a name", line)
    # the primary name: the first strong name in Latin script (the file lists the regulation's spelling first)
    primary_index = next((i for i, n in enumerate(names) if n[2] and n[3] is None), 0)
    primary_name, primary_parts, _, _ = names[primary_index]
    aliases = tuple(
        Alias(
            name=name,
            strength=AliasStrength.STRONG if strong else AliasStrength.WEAK,
            script=script,
            parts=parts if entity_type is EntityType.PERSON else None,
        )
        for i, (name, parts, strong, script) in enumerate(names)
        if i != primary_index and name != primary_name
    )
    stats["aliases"] = stats.get("aliases", 0) + len(aliases)

    regulation = entity.find(_tag("regulation"))
    programs: list[str] = []
    extra: dict[str, str] = {}
    if regulation is not None:
        programme = _attr(regulation, "programme")
        if programme:
            programs.append(programme)
        for key in ("numberTitle", "publicationDate", "regulationType"):
            value = _attr(regulation, key)
            if value:
                extra[f"regulation_{key}"] = value
    for key in ("euReferenceNumber", "unitedNationId", "designationDetails"):
        value = _attr(entity, key)
        if value:
            extra[key] = value
    for info in entity.iterfind(_tag("additionalInformation")):
        info_key, info_value = _attr(info, "key"), _attr(info, "value")
        if info_key and info_value:
            extra[f"info_{info_key}"] = info_value

    dates, places = [], []
    for birth in entity.iterfind(_tag("birthdate")):
        dob = _date_of_birth(birth)
        if dob is not None:
            dates.append(dob)
        place = _place_of_birth(birth)
        if place and place not in places:
            places.append(place)
    citizenships = []
    for citizenship in entity.iterfind(_tag("citizenship")):
        country = _country(citizenship)
        if country and country not in citizenships:
            citizenships.append(country)
    addresses, identifiers = [], []
    for element in entity.iterfind(_tag("address")):
        address = _address(element)
        if address is not None:
            addresses.append(address)
        for contact in element.iterfind(_tag("contactInfo")):
            kind = _CONTACT_TYPES.get((contact.get("key") or "").strip().upper())
            value = _attr(contact, "value")
            if kind and value:
                identifiers.append(Identifier(type=kind, value=value))
    for element in entity.iterfind(_tag("identification")):
        identifier = _identifier(element)
        if identifier is not None:
            identifiers.append(identifier)
    remarks = tuple(r.text.strip() for r in entity.iterfind(_tag("remark")) if r.text and r.text.strip())

    return Designation(
        entity_id=entity_id(ListCode.EU, logical_id),
        list=ListCode.EU,
        source_id=logical_id,
        type=entity_type,
        primary_name=primary_name,
        name_parts=primary_parts if entity_type is EntityType.PERSON else None,
        aliases=aliases,
        title=title,
        dates_of_birth=tuple(dates),
        places_of_birth=tuple(places),
        nationalities=tuple(citizenships),
        citizenships=tuple(citizenships),
        addresses=tuple(addresses),
        identifiers=tuple(identifiers),
        programs=tuple(programs),
        gender=gender if entity_type is EntityType.PERSON else None,
        remarks=remarks,
        listed_date=_attr(entity, "designationDate"),
        extra=extra,
    )


def parse_eu_fsf(path: Path) -> ParsedList:
    """Parse an EU FSF full XML file; anything malformed or truncated raises ListFormatError."""
    path = Path(path)
    designations: list[Designation] = []
    stats: dict[str, int] = {}
    warnings: list[str] = []
    seen: dict[str, int] = {}
    publish_date: str | None = None
    try:
        context = etree.iterparse(
            str(path), events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False
        )
        for event, element in context:
            if event == "start":
                if publish_date is None and element.getparent() is None:
                    if element.tag != _tag(ROOT):
                        raise ListFormatError(
                            path,
                            f"root element is {element.tag}, expected <export> in {NAMESPACE}",
                            element.sourceline,
                        )
                    generated = _attr(element, "generationDate")
                    if not generated or len(generated) < 10:
                        raise ListFormatError(path, "<export> lacks its generationDate", element.sourceline)
                    publish_date = generated[:10]
                continue
            if element.tag != _tag("sanctionEntity"):
                continue
            if _attr(element, "delistingDate") and (_attr(element, "delistingDate") or "") <= (
                publish_date or ""
            ):
                stats["delisted_skipped"] = stats.get("delisted_skipped", 0) + 1
                element.clear()
                continue
            designation = _designation(path, element, stats)
            if designation.source_id in seen:
                raise ListFormatError(
                    path,
                    f"duplicate logicalId {designation.source_id} (first on line {seen[designation.source_id]})",
                    element.sourceline,
                )
            seen[designation.source_id] = element.sourceline or 0
            designations.append(designation)
            element.clear()
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(
            path, f"malformed XML ({exc.msg}); the file may be truncated", exc.lineno
        ) from None
    if not designations:
        raise ListFormatError(path, "no sanctionEntity in the file; refusing an empty EU list")
    if stats.get("delisted_skipped"):
        warnings.append(
            f"{path.name}: {stats['delisted_skipped']} entities with a past delistingDate left out"
        )
    for entity_type in EntityType:
        stats[f"type_{entity_type.value}"] = sum(1 for d in designations if d.type is entity_type)
    return ParsedList(
        list_code=ListCode.EU,
        designations=designations,
        source_files=[SourceFile.of(path)],
        publish_date=publish_date,
        warnings=warnings,
        stats=stats,
    )
