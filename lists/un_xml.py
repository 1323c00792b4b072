"""Parser for the UN Security Council Consolidated List XML (schema: specs/un_consolidated.xsd).

Streams the file with lxml's iterparse (no entities, no network, no huge-tree
mode) so a hostile or oversized file cannot expand, and refuses the whole file
on the first structural problem: a partial list must never become active.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from lists.countries import country_code
from lists.model import (
    Address,
    Alias,
    AliasKind,
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
from lists.scripts import char_script, detect_script, is_latin, is_script_neutral

ROOT_TAG = "CONSOLIDATED_LIST"
NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

# UN alias QUALITY -> (kind, strength). "Low" quality aliases are the UN's weak aliases.
ALIAS_QUALITY = {
    "good": (AliasKind.AKA, AliasStrength.STRONG),
    "a.k.a.": (AliasKind.AKA, AliasStrength.STRONG),
    "low": (AliasKind.AKA, AliasStrength.WEAK),
    "f.k.a.": (AliasKind.FKA, AliasStrength.STRONG),
}

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$")
_BETWEEN_MONTHS = re.compile(
    r"^between\s+([A-Za-z]{3})[a-z]*\.?\s+and\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})$", re.I
)
_NAME_MARKERS = re.compile(r"\(?\s*original script\s*\)?:?|-\s*sub-unit name", re.I)
_NON_LATIN_RUN = re.compile(r"N(?:Z*N)*")
_NATIONAL = re.compile(r"\bnational\b|identity|identification|tazkira|social security|personal", re.I)


def _clean(text: str | None) -> str | None:
    """Collapse the list's hard line wraps and padding; empty becomes None."""
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned or None


def _child(el: etree._Element, tag: str) -> str | None:
    return _clean(el.findtext(tag))


def _values(el: etree._Element, tag: str) -> list[str]:
    """The VALUE children of a repeated field such as NATIONALITY or TITLE."""
    values = (_clean(v.text) for v in el.findall(f"{tag}/VALUE"))
    return [v for v in values if v]


def _unique(items: list) -> tuple:
    return tuple(dict.fromkeys(items))


def _join(*parts: str | None, sep: str = ", ") -> str | None:
    kept = [p for p in dict.fromkeys(parts) if p]
    return sep.join(kept) if kept else None


class _Collector:
    """Counters and warnings shared by the per-record functions."""

    def __init__(self) -> None:
        self.stats: dict[str, int] = {
            "individuals": 0,
            "entities": 0,
            "aliases": 0,
            "weak_aliases": 0,
            "original_script_names": 0,
            "empty_alias_rows": 0,
            "unknown_nationalities": 0,
            "documents_without_number": 0,
        }
        self.warnings: list[str] = []

    def count(self, key: str, by: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + by


def _month_date(text: str) -> tuple[str | None, str | None]:
    """ "Nov. 1973" -> ("1973-11", None); "Between Aug. and Sep. 1977" -> ("1977-08", "1977-09")."""
    if match := _MONTH_YEAR.match(text):
        month = _MONTHS.get(match.group(1).lower())
        return (f"{match.group(2)}-{month:02d}" if month else None), None
    if match := _BETWEEN_MONTHS.match(text):
        start, end = _MONTHS.get(match.group(1).lower()), _MONTHS.get(match.group(2).lower())
        if start and end:
            year = match.group(3)
            return f"{year}-{start:02d}", f"{year}-{end:02d}"
    return None, None


def _date_of_birth(el: etree._Element) -> DateOfBirth | None:
    kind = (_child(el, "TYPE_OF_DATE") or "").upper()
    exact = _child(el, "DATE") or _child(el, "YEAR")
    from_year, to_year = _child(el, "FROM_YEAR"), _child(el, "TO_YEAR")
    note = _child(el, "NOTE")
    if not (exact or from_year or to_year or note):
        return None
    circa = kind == "APPROXIMATELY" or (note or "").lower() == "approximately"
    date_to = None
    if kind == "BETWEEN" and (from_year or to_year):
        date_from, date_to = from_year, to_year
        text = f"{from_year or '?'} to {to_year or '?'}"
    elif exact:
        date_from, text = exact, exact
    else:
        # Only a note, e.g. "Nov. 1973" or "24/06/1402 (Hijri Calendar)": keep its words.
        date_from, date_to = _month_date(note or "")
        text = note or ""
    if circa:
        text = f"circa {text}"
    if note and note != text and note.lower() != "approximately":
        text = f"{text} ({note})"
    return DateOfBirth(text=text, date_from=date_from, date_to=date_to, circa=circa)


def _place_of_birth(el: etree._Element) -> str | None:
    place = _join(
        _child(el, "STREET"), _child(el, "CITY"), _child(el, "STATE_PROVINCE"), _child(el, "COUNTRY")
    )
    note = _child(el, "NOTE")
    if place and note:
        return f"{place} ({note})"
    return place or note


def _address(el: etree._Element) -> Address | None:
    fields = {
        "street": _child(el, "STREET"),
        "city": _child(el, "CITY"),
        "state_province": _child(el, "STATE_PROVINCE"),
        "postal_code": _child(el, "ZIP_CODE"),
        "country_name": _child(el, "COUNTRY"),
        "note": _child(el, "NOTE"),
    }
    if not any(fields.values()):
        return None
    return Address(country=country_code(fields["country_name"]), **fields)


def _identifier_type(label: str) -> IdentifierType:
    lowered = label.lower()
    if any(word in lowered for word in ("passport", "passeport", "pasaporte")):
        return IdentifierType.PASSPORT
    if "tax" in lowered or "fiscal" in lowered:
        return IdentifierType.TAX_ID
    if _NATIONAL.search(lowered):
        return IdentifierType.NATIONAL_ID
    return IdentifierType.OTHER


def _document(el: etree._Element, designation_remarks: list[str], collector: _Collector) -> Identifier | None:
    """An INDIVIDUAL_DOCUMENT as an Identifier; one without a NUMBER is kept as a remark."""
    primary_label, detail_label = _child(el, "TYPE_OF_DOCUMENT"), _child(el, "TYPE_OF_DOCUMENT2")
    number = _child(el, "NUMBER")
    country_name = _child(el, "ISSUING_COUNTRY") or _child(el, "COUNTRY_OF_ISSUE")
    issued, city = _child(el, "DATE_OF_ISSUE"), _child(el, "CITY_OF_ISSUE")
    note = _child(el, "NOTE")
    if not any((primary_label, detail_label, number, country_name, issued, city, note)):
        return None
    label = detail_label or primary_label
    if not number:
        collector.count("documents_without_number")
        details = _join(
            note,
            f"issuing country {country_name}" if country_name else None,
            f"issued {issued}" if issued else None,
            f"issued in {city}" if city else None,
            sep="; ",
        )
        designation_remarks.append(f"Document ({label or 'unspecified'}): {details or 'no number given'}")
        return None
    country = country_code(country_name)
    note_parts = [note, f"issued in {city}" if city else None]
    if country_name and not country:
        note_parts.append(f"issuing country: {country_name}")
    return Identifier(
        type=_identifier_type(label) if label else IdentifierType.OTHER,
        value=number,
        country=country,
        label=label,
        issued=issued,
        note=_join(*note_parts, sep="; "),
    )


def _split_alias(raw: str) -> list[tuple[str, str | None]]:
    """Names and their scripts in one alias; mixed-script aliases are split.

    The UN writes some aliases as "حسن غول (Hassan Ghul; Hassan Gul)" or
    "Abubakar (original script: Абубакар)": each original-script run becomes its
    own name tagged with its script, and the Latin rest is split on ( ) ; into names.
    """
    mask = "".join(
        "Z" if is_script_neutral(ch) else ("L" if char_script(ch) == "Latn" else "N") for ch in raw
    )
    if "L" not in mask or "N" not in mask:
        script = detect_script(raw)
        return [(raw, None if is_latin(script) else script)]
    names: list[tuple[str, str | None]] = []
    latin_rest = list(raw)
    for run in _NON_LATIN_RUN.finditer(mask):
        text = raw[run.start() : run.end()].strip()
        names.append((text, detect_script(text)))
        latin_rest[run.start() : run.end()] = [";"] * (run.end() - run.start())
    rest = _NAME_MARKERS.sub(";", "".join(latin_rest))
    for piece in re.split(r"[;()]", rest):
        piece = _clean(piece.strip(" ,.-")) or ""
        if sum(ch.isalpha() for ch in piece) >= 2:
            names.append((piece, None))
    return names


def _aliases(
    record: etree._Element,
    tag: str,
    primary_name: str,
    remarks: list[str],
    dates_of_birth: list[DateOfBirth],
    collector: _Collector,
) -> list[Alias]:
    aliases: list[Alias] = []
    for el in record.findall(tag):
        name, quality = _child(el, "ALIAS_NAME"), _child(el, "QUALITY")
        if not name:
            # The UN emits <QUALITY/><ALIAS_NAME/> placeholders for "no alias".
            if quality:
                collector.warnings.append(
                    f"line {el.sourceline}: alias row with quality {quality!r} but no name"
                )
            collector.count("empty_alias_rows")
            continue
        kind, strength = ALIAS_QUALITY.get((quality or "").lower(), (AliasKind.AKA, AliasStrength.STRONG))
        if quality and quality.lower() not in ALIAS_QUALITY:
            collector.warnings.append(
                f"line {el.sourceline}: unknown alias quality {quality!r}, kept {name!r} as strong"
            )
        names = _split_alias(name)
        aliases.extend(Alias(name=n, kind=kind, strength=strength, script=script) for n, script in names)
        if len(names) > 1:
            remarks.append(f"Alias as written: {name}")
        alias_dob = _child(el, "DATE_OF_BIRTH")
        if alias_dob:
            dates_of_birth.append(DateOfBirth(text=f"{alias_dob} (as {name})", date_from=alias_dob))
        facts = _join(
            f"born {alias_dob}" if alias_dob else None,
            _join(_child(el, "CITY_OF_BIRTH"), _child(el, "COUNTRY_OF_BIRTH")),
            _child(el, "NOTE"),
            sep="; ",
        )
        if facts:
            remarks.append(f"Alias {name}: {facts}")
    original = _child(record, "NAME_ORIGINAL_SCRIPT")
    if original:
        script = detect_script(original)
        collector.count("original_script_names")
        if not is_latin(script):
            aliases.append(Alias(name=original, script=script))
        elif original.casefold() != primary_name.casefold():
            aliases.append(Alias(name=original))
    aliases = list(_unique(aliases))
    collector.count("aliases", len(aliases))
    collector.count("weak_aliases", sum(a.strength is AliasStrength.WEAK for a in aliases))
    return aliases


def _extra(record: etree._Element) -> dict[str, str]:
    extra = {
        "dataid": _child(record, "DATAID"),
        "versionnum": _child(record, "VERSIONNUM"),
        "designation": "; ".join(_values(record, "DESIGNATION")) or None,
        "list_type": "; ".join(_values(record, "LIST_TYPE")) or None,
        "last_day_updated": "; ".join(_values(record, "LAST_DAY_UPDATED")) or None,
    }
    return {key: value for key, value in extra.items() if value}


def _designation(record: etree._Element, path: Path, collector: _Collector) -> Designation:
    is_person = record.tag == "INDIVIDUAL"
    reference = _child(record, "REFERENCE_NUMBER")
    if not reference:
        raise ListFormatError(path, f"{record.tag} without REFERENCE_NUMBER", record.sourceline)
    name_parts = [_child(record, tag) for tag in (NAME_TAGS if is_person else NAME_TAGS[:1])]
    given = [part for part in name_parts if part]
    if not given:
        raise ListFormatError(
            path, f"{record.tag} {reference} has no name (FIRST_NAME...)", record.sourceline
        )
    primary_name = " ".join(given)

    remarks: list[str] = []
    comment = _child(record, "COMMENTS1")
    if comment:
        remarks.append(comment)
    dates_of_birth = [d for d in map(_date_of_birth, record.findall("INDIVIDUAL_DATE_OF_BIRTH")) if d]
    aliases = _aliases(
        record,
        "INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS",
        primary_name,
        remarks,
        dates_of_birth,
        collector,
    )

    nationalities: list[str] = []
    for value in _values(record, "NATIONALITY"):
        code = country_code(value)
        if code:
            nationalities.append(code)
        else:
            collector.count("unknown_nationalities")
            remarks.append(f"Nationality: {value}")

    address_tag = "INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS"
    addresses = [a for a in map(_address, record.findall(address_tag)) if a]
    places = [p for p in map(_place_of_birth, record.findall("INDIVIDUAL_PLACE_OF_BIRTH")) if p]
    identifiers = [
        ident for el in record.findall("INDIVIDUAL_DOCUMENT") if (ident := _document(el, remarks, collector))
    ]
    program = _child(record, "UN_LIST_TYPE")
    gender = _child(record, "GENDER")

    collector.count("individuals" if is_person else "entities")
    return Designation(
        entity_id=entity_id(ListCode.UN, reference),
        list=ListCode.UN,
        source_id=reference,
        type=EntityType.PERSON if is_person else EntityType.ENTITY,
        primary_name=primary_name,
        name_parts=_name_parts(given) if is_person else None,
        aliases=tuple(aliases),
        title="; ".join(_values(record, "TITLE")) or None,
        dates_of_birth=_unique(dates_of_birth),
        places_of_birth=_unique(places),
        nationalities=_unique(nationalities),
        addresses=_unique(addresses),
        identifiers=_unique(identifiers),
        programs=(program,) if program else (),
        gender=gender.lower() if gender else None,
        remarks=tuple(remarks),
        listed_date=_child(record, "LISTED_ON"),
        extra=_extra(record),
    )


def _name_parts(given: list[str]) -> NameParts:
    """FIRST_NAME is the first part, the last given part the last, any between the middle."""
    if len(given) == 1:
        return NameParts(first=given[0])
    return NameParts(first=given[0], middle=" ".join(given[1:-1]) or None, last=given[-1])


def _publish_date(root: etree._Element, path: Path) -> str:
    generated = root.get("dateGenerated")
    if not generated or not re.match(r"^\d{4}-\d{2}-\d{2}", generated):
        raise ListFormatError(
            path, f"<{ROOT_TAG}> lacks a valid dateGenerated attribute: {generated!r}", root.sourceline
        )
    return generated[:10]


def parse_un_xml(path: Path) -> ParsedList:
    """Parse the UN consolidated list; the whole file or a ListFormatError, never part of it."""
    path = Path(path)
    if not path.is_file():
        raise ListFormatError(path, "file not found")
    collector = _Collector()
    designations: list[Designation] = []
    first_line: dict[str, int | None] = {}
    publish_date: str | None = None
    events = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, el in events:
            if event == "start":
                if publish_date is None:
                    if etree.QName(el).localname != ROOT_TAG:
                        raise ListFormatError(
                            path,
                            f"not a UN consolidated list: root element <{el.tag}>, expected <{ROOT_TAG}>",
                            el.sourceline,
                        )
                    publish_date = _publish_date(el, path)
                continue
            if el.tag not in ("INDIVIDUAL", "ENTITY"):
                continue
            designation = _designation(el, path, collector)
            if designation.source_id in first_line:
                raise ListFormatError(
                    path,
                    f"duplicate REFERENCE_NUMBER {designation.source_id} "
                    f"(first at line {first_line[designation.source_id]})",
                    el.sourceline,
                )
            first_line[designation.source_id] = el.sourceline
            designations.append(designation)
            el.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(path, f"malformed XML: {exc.msg}", exc.lineno) from exc
    if collector.stats["unknown_nationalities"]:
        collector.warnings.append(
            f"{collector.stats['unknown_nationalities']} nationality values have no ISO code; kept in remarks"
        )
    if collector.stats["documents_without_number"]:
        collector.warnings.append(
            f"{collector.stats['documents_without_number']} documents have no NUMBER; kept in remarks"
        )
    return ParsedList(
        list_code=ListCode.UN,
        designations=designations,
        source_files=[SourceFile.of(path)],
        publish_date=publish_date,
        warnings=collector.warnings,
        stats=collector.stats,
    )
