"""OFAC legacy sdn.xml (schema specs/ofac_sdn_xml.xsd) into the same model as the CSV files.

The XML carries in separate lists what the CSV packs into Remarks (IDs, DOB, POB,
nationality, weak aliases...). Each idList entry is mapped with the same rules as
the matching Remarks phrase, so one real row gives the same designation in both
formats. Parsed with lxml without entity resolution or network access.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from lists.countries import country_code
from lists.model import (
    Address,
    Alias,
    AliasKind,
    AliasStrength,
    Designation,
    EntityType,
    ListCode,
    NameParts,
    VesselInfo,
    entity_id,
)
from lists.ofac_remarks import RemarkFacts, apply_phrase, parse_dob, parse_remarks
from lists.parsed import ListFormatError, ParsedList, SourceFile

_TYPES = {
    "individual": EntityType.PERSON,
    "entity": EntityType.ENTITY,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
}
_ALIAS_KINDS = {"a.k.a.": AliasKind.AKA, "f.k.a.": AliasKind.FKA, "n.k.a.": AliasKind.NKA}
_STRENGTHS = {"strong": AliasStrength.STRONG, "weak": AliasStrength.WEAK}


def _text(element: etree._Element | None, tag: str) -> str | None:
    """Stripped text of a direct child in any namespace, or None when absent or empty."""
    if element is None:
        return None
    child = element.find(f"{{*}}{tag}")
    if child is None or child.text is None:
        return None
    text = child.text.strip()
    return text or None


def _children(element: etree._Element, list_tag: str, item_tag: str) -> list[etree._Element]:
    return element.findall(f"{{*}}{list_tag}/{{*}}{item_tag}")


def _full_name(first: str | None, last: str | None) -> str:
    """The CSV spelling of a name: 'LAST, First' for names with a first name."""
    if first and last:
        return f"{last}, {first}"
    return last or first or ""


def _iso_publish_date(text: str | None) -> str | None:
    """'06/19/2024' -> '2024-06-19'."""
    if not text:
        return None
    parts = text.strip().split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        month, day, year = parts
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    return text.strip()


def parse_ofac_xml(path: Path, list_code: ListCode = ListCode.OFAC) -> ParsedList:
    """Parse a legacy OFAC sdn.xml file; a malformed or truncated file raises ListFormatError."""
    path = Path(path)
    if not path.is_file():
        raise ListFormatError(path, "no such file")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ListFormatError(path, f"malformed XML ({exc.msg}); the file may be truncated", line) from None
    if etree.QName(root).localname != "sdnList":
        raise ListFormatError(
            path, f"root element is <{etree.QName(root).localname}>, expected <sdnList>", root.sourceline
        )

    publish = root.find("{*}publshInformation")
    publish_date = _iso_publish_date(_text(publish, "Publish_Date"))
    designations: list[Designation] = []
    seen: dict[str, int] = {}
    for entry in root.iterfind("{*}sdnEntry"):
        designation = _designation(path, entry, list_code)
        if designation.source_id in seen:
            raise ListFormatError(
                path,
                f"duplicate uid {designation.source_id} (first on line {seen[designation.source_id]})",
                entry.sourceline,
            )
        seen[designation.source_id] = entry.sourceline or 0
        designations.append(designation)

    warnings: list[str] = []
    stats: dict[str, int] = {
        f"type_{t.value}": sum(1 for d in designations if d.type is t) for t in EntityType
    }
    record_count = _text(publish, "Record_Count")
    if record_count is not None and (not record_count.isdigit() or int(record_count) != len(designations)):
        raise ListFormatError(
            path,
            f"incomplete: publshInformation/Record_Count says {record_count}, the file holds "
            f"{len(designations)} sdnEntry records; refusing the whole list",
            publish.sourceline if publish is not None else None,
        )
    return ParsedList(
        list_code=list_code,
        designations=designations,
        source_files=[SourceFile.of(path)],
        publish_date=publish_date,
        warnings=warnings,
        stats=stats,
    )


def _designation(path: Path, entry: etree._Element, list_code: ListCode) -> Designation:
    line = entry.sourceline
    uid = _text(entry, "uid")
    if not uid or not uid.isdigit():
        raise ListFormatError(path, f"sdnEntry without a numeric uid ({uid!r})", line)
    first, last = _text(entry, "firstName"), _text(entry, "lastName")
    name = _full_name(first, last)
    if not name:
        raise ListFormatError(path, f"sdnEntry {uid} has no name", line)
    type_text = (_text(entry, "sdnType") or "").lower()
    entity_type = _TYPES.get(type_text)
    if entity_type is None:
        raise ListFormatError(path, f"sdnEntry {uid}: unknown sdnType {type_text!r}", line)
    is_person = entity_type is EntityType.PERSON

    facts = RemarkFacts()
    for item in _children(entry, "idList", "id"):
        _apply_id(facts, item)
    for item in _children(entry, "dateOfBirthList", "dateOfBirthItem"):
        text = _text(item, "dateOfBirth")
        if text:
            dob = parse_dob(text)
            if dob:
                facts.dates_of_birth.append(dob)
            else:
                facts.remarks.append(f"DOB {text}")
    for item in _children(entry, "placeOfBirthList", "placeOfBirthItem"):
        text = _text(item, "placeOfBirth")
        if text:
            facts.places_of_birth.append(text)
    for list_tag, item_tag, target in (
        ("nationalityList", "nationality", facts.nationalities),
        ("citizenshipList", "citizenship", facts.citizenships),
    ):
        for item in _children(entry, list_tag, item_tag):
            country = _text(item, "country")
            code = country_code(country) if country else None
            if code and code not in target:
                target.append(code)
            elif country and not code:
                facts.remarks.append(f"{'nationality' if item_tag == 'nationality' else 'citizen'} {country}")
    parse_remarks(_text(entry, "remarks"), facts)

    strong: list[Alias] = []
    weak: list[Alias] = []
    for item in _children(entry, "akaList", "aka"):
        alias_name = _full_name(_text(item, "firstName"), _text(item, "lastName"))
        if not alias_name:
            continue
        kind = _ALIAS_KINDS.get((_text(item, "type") or "a.k.a.").lower(), AliasKind.AKA)
        strength = _STRENGTHS.get((_text(item, "category") or "strong").lower(), AliasStrength.STRONG)
        if strength is AliasStrength.WEAK:
            weak.append(Alias(name=alias_name, kind=kind, strength=strength))
        else:
            parts = _parts(_text(item, "firstName"), _text(item, "lastName")) if is_person else None
            strong.append(Alias(name=alias_name, kind=kind, strength=strength, parts=parts))

    addresses = [a for a in (_address(item) for item in _children(entry, "addressList", "address")) if a]
    vessel_element = entry.find("{*}vesselInfo")
    vessel = None
    if vessel_element is not None or entity_type is EntityType.VESSEL:
        vessel = VesselInfo(
            call_sign=_text(vessel_element, "callSign"),
            vessel_type=_text(vessel_element, "vesselType"),
            flag=_text(vessel_element, "vesselFlag"),
            owner=_text(vessel_element, "vesselOwner"),
            tonnage=_text(vessel_element, "tonnage"),
            gross_registered_tonnage=_text(vessel_element, "grossRegisteredTonnage"),
        )
    programs = tuple(
        p.text.strip() for p in entry.findall("{*}programList/{*}program") if p.text and p.text.strip()
    )
    return Designation(
        entity_id=entity_id(list_code, uid),
        list=list_code,
        source_id=uid,
        type=entity_type,
        primary_name=name,
        name_parts=_parts(first, last) if is_person else None,
        aliases=tuple(strong + weak + facts.aliases),
        title=_text(entry, "title"),
        dates_of_birth=tuple(facts.dates_of_birth),
        places_of_birth=tuple(facts.places_of_birth),
        nationalities=tuple(facts.nationalities),
        citizenships=tuple(facts.citizenships),
        addresses=tuple(addresses),
        identifiers=tuple(facts.identifiers),
        programs=programs,
        gender=facts.gender,
        remarks=tuple(facts.remarks),
        vessel=vessel,
        links=tuple(facts.links),
        extra=facts.extra,
    )


def _parts(first: str | None, last: str | None) -> NameParts | None:
    if not first and not last:
        return None
    return NameParts(first=first, last=last)


def _apply_id(facts: RemarkFacts, item: etree._Element) -> None:
    """An idList entry, mapped by the same rules as the Remarks phrase it stands for.

    Going through the phrase (not the idType alone) matters: OFAC writes e.g. idType
    "Vessel Registration Identification" with idNumber "IMO 9187629".
    """
    id_type = _text(item, "idType") or ""
    number = _text(item, "idNumber") or ""
    country = _text(item, "idCountry")
    issued, expires = _text(item, "issueDate"), _text(item, "expirationDate")
    if id_type == "Gender" and number.lower() in ("male", "female"):
        facts.gender = number.lower()
        return
    phrase = " ".join(p for p in (id_type, number) if p)
    if country:
        phrase += f" ({country})"
    if issued:
        phrase += f" issued {issued}"
    if expires:
        phrase += f" expires {expires}"
    apply_phrase(facts, phrase)


def _address(item: etree._Element) -> Address | None:
    street = ", ".join(p for p in (_text(item, f"address{i}") for i in (1, 2, 3)) if p) or None
    city, state, postal = _text(item, "city"), _text(item, "stateOrProvince"), _text(item, "postalCode")
    country_name = _text(item, "country")
    region = _text(item, "region")
    if not any((street, city, state, postal, country_name, region)):
        return None
    return Address(
        street=street,
        city=city,
        state_province=state,
        postal_code=postal,
        country=country_code(country_name) if country_name else None,
        country_name=country_name,
        note=f"region: {region}" if region else None,
    )
