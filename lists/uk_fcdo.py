"""The UK Sanctions List published by the FCDO, CSV (it replaced OFSI's consolidated list in January 2026).

One row per name: rows sharing a "Unique ID" are one designation; "Name type"
says which is the primary name, "Alias strength" which aliases are weak. The
columns are found by their header names (the row after the "Report Date" line),
so an added or reordered column does not shift fields; a missing required
column refuses the file naming it. Built to the published column layout and
tested on fixtures written from it: no full official file was available offline
(README says so). The CSV carries no end marker or record count: a cut inside a
row is refused by the strict CSV reader, a designation left without its primary
name row is refused, and the store's shrink guard is the last line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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
    VesselInfo,
    entity_id,
)
from lists.ofac_csv import decode
from lists.parsed import ListFormatError, ParsedList, SourceFile
from lists.scripts import detect_script, is_latin

REQUIRED = ("Unique ID", "Name 6", "Name type", "Designation Type", "Regime Name")
_TYPES = {"individual": EntityType.PERSON, "entity": EntityType.ENTITY, "ship": EntityType.VESSEL}
_PRIMARY = {"primary name"}
_WEAK = {"low quality", "low"}
_DOB = re.compile(r"^(\d{1,2}|dd|00)[/.-](\d{1,2}|mm|00)[/.-](\d{4})$", re.I)
_SPLIT = re.compile(r"\s*[\r\n]+\s*|\s*\|\s*")


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", header.replace("\ufeff", "")).strip().lower()


@dataclass
class _Group:
    line: int
    rows: list[dict[str, str]] = field(default_factory=list)


def _values(rows: list[dict[str, str]], column: str) -> list[str]:
    """Every distinct value of a column over a designation's rows (cells may hold several, one a line)."""
    found: list[str] = []
    for row in rows:
        for value in _SPLIT.split(row.get(_norm(column), "") or ""):
            value = value.strip()
            if value and value not in found:
                found.append(value)
    return found


def _first(rows: list[dict[str, str]], column: str) -> str | None:
    values = _values(rows, column)
    return values[0] if values else None


def _report_date(first_line: list[str]) -> str | None:
    text = " ".join(first_line)
    found = re.search(r"(\d{1,2})[/.-](\d{1,2}|[A-Za-z]{3})[/.-](\d{4})", text)
    if not found:
        return None
    day, month, year = found.groups()
    for pattern in ("%d/%m/%Y", "%d/%b/%Y"):
        try:
            return datetime.strptime(f"{day}/{month}/{year}", pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _rows(path: Path) -> tuple[str | None, Iterator[tuple[int, dict[str, str]]]]:
    data = path.read_bytes()
    if not data.strip():
        raise ListFormatError(path, "file is empty", 1)
    reader = csv.reader(io.StringIO(decode(path, data), newline=""), strict=True)
    report_date = None
    header: list[str] | None = None
    try:
        for row in reader:
            if any(_norm(cell) == "unique id" for cell in row):
                header = [_norm(cell) for cell in row]
                break
            report_date = report_date or _report_date(row)
    except csv.Error as exc:
        raise ListFormatError(path, f"malformed CSV ({exc})", reader.line_num) from None
    if header is None:
        raise ListFormatError(path, "no header row with a 'Unique ID' column: not the UK Sanctions List CSV")
    missing = [name for name in REQUIRED if _norm(name) not in header]
    if missing:
        raise ListFormatError(path, f"missing required column(s): {', '.join(missing)}", reader.line_num)
    header_line = reader.line_num

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ListFormatError(
                    path, f"malformed CSV ({exc}); the file may be truncated", reader.line_num
                ) from None
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ListFormatError(
                    path,
                    f"expected {len(header)} columns as in the header (line {header_line}), found {len(row)}: "
                    "malformed or truncated record",
                    start,
                )
            yield start, dict(zip(header, row, strict=True))

    return report_date, records()


def _dob(text: str) -> DateOfBirth:
    found = _DOB.match(text)
    if not found:
        return DateOfBirth(text=text)
    day, month, year = found.groups()
    if not month.isdigit() or int(month) == 0:
        return DateOfBirth(text=text, date_from=year)
    if not day.isdigit() or int(day) == 0:
        return DateOfBirth(text=text, date_from=f"{year}-{int(month):02d}")
    return DateOfBirth(text=text, date_from=f"{year}-{int(month):02d}-{int(day):02d}")


def _person_name(row: dict[str, str]) -> tuple[str, NameParts | None]:
    given = [row.get(f"name {i}", "").strip() for i in range(1, 6)]
    surname = row.get("name 6", "").strip()
    given = [g for g in given if g]
    name = " ".join([*given, surname]).strip()
    parts = NameParts(
        first=given[0] if given else None, middle=" ".join(given[1:]) or None, last=surname or None
    )
    return name, parts


def _designation(path: Path, uid: str, group: _Group) -> Designation:
    rows = group.rows
    type_text = (_first(rows, "Designation Type") or "").lower()
    entity_type = _TYPES.get(type_text)
    if entity_type is None:
        raise ListFormatError(path, f"{uid}: unknown Designation Type {type_text!r}", group.line)
    names: list[tuple[str, NameParts | None, bool, bool]] = []  # name, parts, primary, weak
    for row in rows:
        name, parts = _person_name(row)
        if not name:
            continue
        name_type = _norm(row.get("name type", ""))
        weak = _norm(row.get("alias strength", "")) in _WEAK
        names.append((name, parts if entity_type is EntityType.PERSON else None, name_type in _PRIMARY, weak))
    primary = next((n for n in names if n[2]), None)
    if primary is None:
        raise ListFormatError(
            path,
            f"{uid}: no 'Primary Name' row among its {len(rows)} rows (a cut or inconsistent file)",
            group.line,
        )
    aliases: list[Alias] = []
    for name, parts, is_primary, weak in names:
        if is_primary or name == primary[0] or any(a.name == name for a in aliases):
            continue
        aliases.append(
            Alias(
                name=name,
                kind=AliasKind.AKA,
                strength=AliasStrength.WEAK if weak else AliasStrength.STRONG,
                parts=parts,
            )
        )
    for original in _values(rows, "Name non-latin script"):
        script = detect_script(original)
        aliases.append(Alias(name=original, script=None if is_latin(script) else script))

    nationalities = [c for c in (country_code(v) for v in _values(rows, "Nationality(/ies)")) if c]
    identifiers = [
        Identifier(type=IdentifierType.PASSPORT, value=v) for v in _values(rows, "Passport number")
    ]
    identifiers += [
        Identifier(type=IdentifierType.NATIONAL_ID, value=v)
        for v in _values(rows, "National Identifier number")
    ]
    identifiers += [
        Identifier(type=IdentifierType.REGISTRATION_NUMBER, value=v)
        for v in _values(rows, "Business registration number (s)")
    ]
    identifiers += [Identifier(type=IdentifierType.IMO, value=v) for v in _values(rows, "IMO number")]
    identifiers += [Identifier(type=IdentifierType.EMAIL, value=v) for v in _values(rows, "Email address")]
    identifiers += [Identifier(type=IdentifierType.WEBSITE, value=v) for v in _values(rows, "Website")]
    identifiers += [Identifier(type=IdentifierType.PHONE, value=v) for v in _values(rows, "Phone number")]

    addresses: list[Address] = []
    for row in rows:
        street = (
            ", ".join(
                cell.strip()
                for i in range(1, 7)
                if (cell := row.get(f"address line {i}", "")) and cell.strip()
            )
            or None
        )
        country_name = (row.get("address country", "") or "").strip() or None
        postal = (row.get("address postal code", "") or "").strip() or None
        if street or country_name or postal:
            address = Address(
                street=street,
                postal_code=postal,
                country=country_code(country_name) if country_name else None,
                country_name=country_name,
            )
            if address not in addresses:
                addresses.append(address)

    towns: list[str | None] = [*_values(rows, "Town of birth")] or [None]
    countries: list[str | None] = [*_values(rows, "Country of birth")] or [None]
    places = [
        ", ".join(p for p in (town, country) if p)
        for town, country in zip(towns, countries, strict=False)
        if town or country
    ]
    vessel = None
    if entity_type is EntityType.VESSEL:
        vessel = VesselInfo(
            vessel_type=_first(rows, "Type of ship"),
            flag=_first(rows, "Current believed flag of ship"),
            tonnage=_first(rows, "Tonnage of ship"),
            owner=_first(rows, "Current owner/operator (s)"),
        )
    extra = {
        key: value
        for key, column in (
            ("ofsi_group_id", "OFSI Group ID"),
            ("un_reference", "UN Reference Number"),
            ("sanctions_imposed", "Sanctions Imposed"),
            ("designation_source", "Designation source"),
            ("position", "Position"),
            ("last_updated", "Last Updated"),
        )
        if (value := "; ".join(_values(rows, column)))
    }
    remarks = tuple(_values(rows, "Other Information") + _values(rows, "UK Statement of Reasons"))
    gender = (_first(rows, "Gender") or "").lower() or None
    return Designation(
        entity_id=entity_id(ListCode.UK, uid),
        list=ListCode.UK,
        source_id=uid,
        type=entity_type,
        primary_name=primary[0],
        name_parts=primary[1],
        aliases=tuple(aliases),
        title=_first(rows, "Title"),
        dates_of_birth=tuple(_dob(v) for v in _values(rows, "Date of birth")),
        places_of_birth=tuple(places),
        nationalities=tuple(dict.fromkeys(nationalities)),
        addresses=tuple(addresses),
        identifiers=tuple(identifiers),
        programs=tuple(_values(rows, "Regime Name")),
        gender=gender if gender in ("male", "female") and entity_type is EntityType.PERSON else None,
        remarks=remarks,
        listed_date=_iso(_first(rows, "Date Designated")),
        vessel=vessel,
        extra=extra,
    )


def _iso(text: str | None) -> str | None:
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y"):
        try:
            return datetime.strptime(text.strip()[:11], pattern).date().isoformat()
        except ValueError:
            continue
    return None


def parse_uk_fcdo(path: Path) -> ParsedList:
    """Parse the UK Sanctions List CSV; a malformed, cut or inconsistent file raises ListFormatError."""
    path = Path(path)
    report_date, records = _rows(path)
    groups: dict[str, _Group] = {}
    for line, row in records:
        uid = row.get("unique id", "").strip()
        if not uid:
            raise ListFormatError(path, "row without a Unique ID", line)
        groups.setdefault(uid, _Group(line=line)).rows.append(row)
    if not groups:
        raise ListFormatError(path, "no designation rows after the header; refusing an empty UK list")
    designations = [_designation(path, uid, group) for uid, group in groups.items()]
    stats = {f"type_{t.value}": sum(1 for d in designations if d.type is t) for t in EntityType}
    stats["name_rows"] = sum(len(g.rows) for g in groups.values())
    return ParsedList(
        list_code=ListCode.UK,
        designations=designations,
        source_files=[SourceFile.of(path)],
        publish_date=report_date,
        stats=stats,
    )
