"""OFAC legacy CSV files (sdn.csv / cons_prim.csv and their add, alt and comments files).

Layout per specs/ofac_sdn_dat_spec.txt: no header, CRLF, `-0-` for empty, a final
`\\x1a` line. The files are decoded as strict UTF-8 (the shipped files are pure
ASCII, which UTF-8 covers; current OFAC exports are UTF-8): an undecodable byte
is an error naming the file and line rather than a silently mangled name.
A malformed file refuses the whole load with `ListFormatError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
from lists.ofac_remarks import RemarkFacts, parse_remarks
from lists.parsed import ListFormatError, ParsedList, SourceFile

NULL = "-0-"
EOF_MARKER = "\x1a"
REMARKS_LIMIT = 1000  # the spec's Remarks width; longer remarks continue in the comments file

PRIMARY_NAMES = ("sdn.csv", "cons_prim.csv")
ADDRESS_NAMES = ("add.csv", "cons_add.csv")
ALIAS_NAMES = ("alt.csv", "cons_alt.csv")
COMMENT_NAMES = ("sdn_comments.csv", "cons_comments.csv")

SDN_COLUMNS = 12
ADD_COLUMNS = 6
ALT_COLUMNS = 5
COMMENT_COLUMNS = 2
# Cross-file consistency: rows of the address/alias/comments files naming entries the primary file
# lacks refuse the load above this fraction of the primary's entries (and at least ORPHAN_TOLERANCE_MIN).
ORPHAN_TOLERANCE = 0.01
ORPHAN_TOLERANCE_MIN = 5

_TYPES = {
    "individual": EntityType.PERSON,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
    "": EntityType.ENTITY,
    "entity": EntityType.ENTITY,
}
_ALIAS_KINDS = {"aka": AliasKind.AKA, "fka": AliasKind.FKA, "nka": AliasKind.NKA}


@dataclass
class OfacFiles:
    """Which file plays which role; only the primary file is required."""

    primary: Path
    addresses: Path | None = None
    aliases: Path | None = None
    comments: Path | None = None
    all: list[Path] = field(default_factory=list)


def value(cell: str) -> str | None:
    """A cell with `-0-` (often `-0- `) and blanks mapped to None."""
    text = cell.strip()
    return None if text in ("", NULL) else text


def split_programs(cell: str) -> tuple[str, ...]:
    """`SDGT] [IRGC` -> ("SDGT", "IRGC")."""
    text = value(cell)
    if not text:
        return ()
    return tuple(p.strip(" []") for p in text.split("] [") if p.strip(" []"))


def person_name_parts(name: str) -> NameParts | None:
    """'YIN, Kecheng' -> NameParts(last='YIN', first='Kecheng')."""
    last, sep, first = name.partition(", ")
    if not sep:
        return NameParts(last=name.strip()) if name.strip() else None
    return NameParts(last=last.strip() or None, first=first.strip() or None)


def find_files(paths: Sequence[Path]) -> OfacFiles:
    """Pick the primary, address, alias and comments files out of directories and/or files."""
    candidates: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            candidates.extend(sorted(p for p in path.iterdir() if p.is_file()))
        elif path.is_file():
            candidates.append(path)
        else:
            raise ListFormatError(path, "no such file or directory")

    def pick(names: tuple[str, ...]) -> Path | None:
        found = [p for p in candidates if p.name.lower() in names]
        if len(found) > 1:
            raise ListFormatError(found[1], f"more than one {'/'.join(names)} given: {found[0]}, {found[1]}")
        return found[0] if found else None

    primary = pick(PRIMARY_NAMES)
    if primary is None:
        where = ", ".join(str(Path(p)) for p in paths) or "(no paths)"
        raise ListFormatError(where, "missing sdn.csv or cons_prim.csv (the OFAC primary file)")
    files = OfacFiles(
        primary=primary,
        addresses=pick(ADDRESS_NAMES),
        aliases=pick(ALIAS_NAMES),
        comments=pick(COMMENT_NAMES),
    )
    files.all = [p for p in (files.primary, files.addresses, files.aliases, files.comments) if p]
    return files


def decode(path: Path, data: bytes) -> str:
    """Strict UTF-8 (BOM tolerated); a bad byte is reported with its line number."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ListFormatError(
            path, f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte offset {exc.start}", line
        ) from None


def read_rows(path: Path, columns: int) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, cells) for each record, checking quoting and column count."""
    data = path.read_bytes()
    if not data.strip():
        raise ListFormatError(path, "file is empty", 1)
    text = decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    seen_eof_marker = False
    while True:
        start = line
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ListFormatError(
                path, f"malformed CSV ({exc}); the file may be truncated", reader.line_num
            ) from None
        line = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) == 1 and row[0].strip() == EOF_MARKER:
            seen_eof_marker = True
            continue
        if seen_eof_marker:
            raise ListFormatError(path, "data after the end-of-file marker \\x1a", start)
        if len(row) != columns:
            raise ListFormatError(
                path,
                f"expected {columns} columns, found {len(row)} (malformed or truncated record)",
                start,
            )
        if not row[0].strip().isdigit():
            raise ListFormatError(path, f"ent_num {row[0]!r} is not a number", start)
        yield start, row
    if not seen_eof_marker:
        raise ListFormatError(
            path,
            "truncated: the file does not end with the end-of-file marker (the byte 0x1A on its own "
            "line, which ends every OFAC legacy CSV file); refusing the whole list",
            line,
        )


def check_consistency(
    related: Path, orphans: set[str], counted: set[str], primary: Path, primary_count: int
) -> str | None:
    """Refuse a set whose rows point at too many entries missing from the primary file.

    `counted` are the orphans that say the primary lost records: every orphan of
    the address file (OFAC writes an address row for every entry), and the alias
    and comment orphans the address file knows (same publication as the primary,
    yet absent from it). Alias and comment rows for ent_nums neither file knows
    come from another publication of that file (the bundled alt.csv is about six
    months newer than sdn.csv: 731 such ent_nums, 0 counted) and only warn.
    Returns the warning to keep when within tolerance.
    """
    if not orphans:
        return None
    tolerance = max(ORPHAN_TOLERANCE_MIN, int(ORPHAN_TOLERANCE * primary_count))
    if len(counted) > tolerance:
        raise ListFormatError(
            related,
            f"{len(counted):,} ent_nums have rows here but are missing from {primary.name} "
            f"(tolerance {tolerance:,}: {ORPHAN_TOLERANCE:.0%} of its {primary_count:,} entries): "
            f"{primary.name} is incomplete or from another publication; refusing the whole list",
        )
    other = len(orphans) - len(counted)
    detail = (
        f" ({other:,} of them unknown to the address file too: rows of another publication)" if other else ""
    )
    return f"{related.name}: {len(orphans):,} ent_nums have rows here but are missing from {primary.name}{detail}"


@dataclass
class _Entry:
    line: int
    row: list[str]
    aliases: list[Alias] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    continuation: str = ""


def parse_ofac_csv(paths: Sequence[Path], list_code: ListCode = ListCode.OFAC) -> ParsedList:
    """Parse OFAC legacy CSV files (SDN or consolidated non-SDN) into the unified model."""
    files = find_files(paths)
    warnings: list[str] = []
    stats: dict[str, int] = {}

    entries: dict[str, _Entry] = {}
    for line, row in read_rows(files.primary, SDN_COLUMNS):
        ent_num = row[0].strip()
        if ent_num in entries:
            raise ListFormatError(
                files.primary, f"duplicate ent_num {ent_num} (first on line {entries[ent_num].line})", line
            )
        entries[ent_num] = _Entry(line=line, row=row)

    address_ids: set[str] | None = None  # every ent_num the address file has rows for
    if files.addresses:
        address_ids = set()
        orphans: set[str] = set()
        for _line, row in read_rows(files.addresses, ADD_COLUMNS):
            ent_num = row[0].strip()
            address_ids.add(ent_num)
            entry = entries.get(ent_num)
            if entry is None:
                orphans.add(ent_num)
                continue
            address = _address(row)
            if address is not None:
                entry.addresses.append(address)
        stats["orphan_address_ent_nums"] = len(orphans)
        warning = check_consistency(files.addresses, orphans, orphans, files.primary, len(entries))
        if warning:
            warnings.append(warning)

    if files.aliases:
        orphans = set()
        for line, row in read_rows(files.aliases, ALT_COLUMNS):
            ent_num = row[0].strip()
            entry = entries.get(ent_num)
            if entry is None:
                orphans.add(ent_num)
                continue
            kind_text = (value(row[2]) or "aka").lower()
            if kind_text not in _ALIAS_KINDS:
                raise ListFormatError(files.aliases, f"unknown alias type {row[2]!r}", line)
            name = value(row[3])
            if not name:
                raise ListFormatError(files.aliases, "alias row without a name", line)
            entry.aliases.append(
                Alias(
                    name=name,
                    kind=_ALIAS_KINDS[kind_text],
                    strength=AliasStrength.STRONG,
                    parts=person_name_parts(name) if _is_person(entry.row) else None,
                )
            )
        stats["orphan_alias_ent_nums"] = len(orphans)
        known = orphans & address_ids if address_ids is not None else orphans
        warning = check_consistency(files.aliases, orphans, known, files.primary, len(entries))
        if warning:
            warnings.append(warning)

    if files.comments:
        _attach_comments(files.comments, entries, files.primary, address_ids, warnings, stats)

    designations: list[Designation] = []
    outcome_totals: dict[str, int] = {}
    for ent_num, entry in entries.items():
        designation, facts = _designation(list_code, ent_num, entry, files.primary)
        designations.append(designation)
        for key, count in facts.outcomes.items():
            outcome_totals[key] = outcome_totals.get(key, 0) + count
    for key, count in outcome_totals.items():
        stats[f"remark_phrases_{key}"] = count
    for entity_type in EntityType:
        stats[f"type_{entity_type.value}"] = sum(1 for d in designations if d.type is entity_type)

    return ParsedList(
        list_code=list_code,
        designations=designations,
        source_files=[SourceFile.of(p) for p in files.all],
        publish_date=None,
        warnings=warnings,
        stats=stats,
    )


def _is_person(row: list[str]) -> bool:
    return (value(row[2]) or "").lower() == "individual"


def _address(row: list[str]) -> Address | None:
    street, city, country_name, note = (value(c) for c in row[2:6])
    if not any((street, city, country_name, note)):
        return None
    return Address(
        street=street,
        city=city,
        country=country_code(country_name) if country_name else None,
        country_name=country_name,
        note=note,
    )


def _attach_comments(
    path: Path,
    entries: dict[str, _Entry],
    primary: Path,
    address_ids: set[str] | None,
    warnings: list[str],
    stats: dict[str, int],
) -> None:
    """Append remark continuations to remarks that were cut at the 1,000-character limit."""
    orphans: set[str] = set()
    superseded = 0
    for _line, row in read_rows(path, COMMENT_COLUMNS):
        ent_num = row[0].strip()
        entry = entries.get(ent_num)
        continuation = row[1]
        if entry is None:
            orphans.add(ent_num)
            continue
        remark = entry.row[11].rstrip()
        if len(entry.row[11]) < REMARKS_LIMIT and remark.endswith(continuation.strip()):
            # The comments file is from another vintage and this remark is already whole.
            superseded += 1
            continue
        entry.continuation += continuation
    stats["orphan_comment_ent_nums"] = len(orphans)
    stats["comments_already_in_remarks"] = superseded
    known = orphans & address_ids if address_ids is not None else orphans
    warning = check_consistency(path, orphans, known, primary, len(entries))
    if warning:
        warnings.append(warning)
    if superseded:
        warnings.append(
            f"{path.name}: {superseded} continuations ignored: the remark in {primary.name} already ends with them"
        )


def _designation(
    list_code: ListCode, ent_num: str, entry: _Entry, path: Path
) -> tuple[Designation, RemarkFacts]:
    row = entry.row
    name = value(row[1])
    if not name:
        raise ListFormatError(path, f"ent_num {ent_num} has no name", entry.line)
    type_text = (value(row[2]) or "").lower()
    entity_type = _TYPES.get(type_text)
    if entity_type is None:
        raise ListFormatError(path, f"unknown SDN type {row[2]!r}", entry.line)
    remarks_text = (value(row[11]) or "") + entry.continuation
    facts = parse_remarks(remarks_text)
    vessel_cells = [value(c) for c in row[5:11]]
    vessel = None
    if entity_type is EntityType.VESSEL or any(vessel_cells):
        call_sign, vessel_type, tonnage, grt, flag, owner = vessel_cells
        vessel = VesselInfo(
            call_sign=call_sign,
            vessel_type=vessel_type,
            tonnage=tonnage,
            gross_registered_tonnage=grt,
            flag=flag,
            owner=owner,
        )
    designation = Designation(
        entity_id=entity_id(list_code, ent_num),
        list=list_code,
        source_id=ent_num,
        type=entity_type,
        primary_name=name,
        name_parts=person_name_parts(name) if entity_type is EntityType.PERSON else None,
        aliases=tuple(entry.aliases + facts.aliases),
        title=value(row[4]),
        dates_of_birth=tuple(facts.dates_of_birth),
        places_of_birth=tuple(facts.places_of_birth),
        nationalities=tuple(facts.nationalities),
        citizenships=tuple(facts.citizenships),
        addresses=tuple(entry.addresses),
        identifiers=tuple(facts.identifiers),
        programs=split_programs(row[3]),
        gender=facts.gender,
        remarks=tuple(facts.remarks),
        vessel=vessel,
        links=tuple(facts.links),
        extra=facts.extra,
    )
    return designation, facts
