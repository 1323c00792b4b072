"""Parser for the firm's own watchlist, a YAML file (schema documented in lists/data/internal/watchlist.yaml).

Entries are validated with pydantic; every problem is reported with the file,
the entry index and id, the field and the YAML line, and the whole file is refused.
Every entry is marked as internal (program INTERNAL-WATCH and a remark) so it can
never be mistaken for a government designation.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

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
    Provenance,
    entity_id,
)
from lists.parsed import ListFormatError, ParsedList, SourceFile
from lists.scripts import detect_script, is_latin

INTERNAL_PROGRAM = "INTERNAL-WATCH"
INTERNAL_REMARK = "Internal watchlist entry of the firm; not a government sanctions designation."
SCHEMA_VERSION = 1

_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _iso_date(value: Any) -> Any:
    """YAML turns 2024-02-16 into a date; the model keeps ISO strings of any precision."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if not _PARTIAL_DATE.match(value):
            raise ValueError(f"{value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
        try:
            dt.date.fromisoformat({4: f"{value}-01-01", 7: f"{value}-01"}.get(len(value), value))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid date") from exc
    return value


def _country(value: Any) -> Any:
    """An ISO 3166 code or a country name; unknown countries are an error, not a silent None."""
    if isinstance(value, str):
        code = country_code(value)
        if code is None:
            raise ValueError(f"unknown country {value!r}")
        return code
    return value


def _name_only(value: Any) -> Any:
    """An alias may be written as a bare string: its other fields take their defaults."""
    return {"name": value} if isinstance(value, str) else value


def _date_only(value: Any) -> Any:
    """A date of birth may be written as a bare date: 1986-12-08, 1986-12 or 1986."""
    return {"from": value} if isinstance(value, str | int | dt.date) else value


IsoDate = Annotated[str, BeforeValidator(_iso_date)]
Country = Annotated[str, BeforeValidator(_country)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AliasEntry(_Strict):
    name: str = Field(min_length=1)
    kind: AliasKind = AliasKind.AKA
    strength: AliasStrength = AliasStrength.STRONG
    script: str | None = Field(default=None, pattern=r"^[A-Z][a-z]{3}$")


class DateOfBirthEntry(_Strict):
    date_from: IsoDate = Field(alias="from")
    date_to: IsoDate | None = Field(default=None, alias="to")
    circa: bool = False
    text: str | None = None


class AddressEntry(_Strict):
    street: str | None = None
    city: str | None = None
    state_province: str | None = None
    postal_code: str | None = None
    country: Country | None = None
    country_name: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _keep_country_as_written(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("country"), str) and "country_name" not in data:
            return {**data, "country_name": data["country"]}
        return data


class IdentifierEntry(_Strict):
    type: IdentifierType
    value: str = Field(min_length=1)
    country: Country | None = None
    label: str | None = None
    currency: str | None = None
    issued: IsoDate | None = None
    expires: IsoDate | None = None
    note: str | None = None


class ProvenanceEntry(_Strict):
    source: str = Field(min_length=1)
    reference: str | None = None
    date_added: IsoDate
    reason: str = Field(min_length=1)


class NamePartsEntry(_Strict):
    first: str | None = None
    middle: str | None = None
    last: str | None = None


class WatchlistEntry(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    type: EntityType
    name: str = Field(min_length=1)
    name_parts: NamePartsEntry | None = None
    aliases: list[Annotated[AliasEntry, BeforeValidator(_name_only)]] = []
    title: str | None = None
    dates_of_birth: list[Annotated[DateOfBirthEntry, BeforeValidator(_date_only)]] = []
    places_of_birth: list[str] = []
    nationalities: list[Country] = []
    citizenships: list[Country] = []
    addresses: list[AddressEntry] = []
    identifiers: list[IdentifierEntry] = []
    programs: list[str] = [INTERNAL_PROGRAM]
    gender: str | None = Field(default=None, pattern=r"^(male|female)$")
    remarks: list[str] = []
    links: list[str] = []
    provenance: ProvenanceEntry
    extra: dict[str, str] = {}


class WatchlistFile(_Strict):
    version: int
    updated: IsoDate | None = None
    entries: list[WatchlistEntry]

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version != SCHEMA_VERSION:
            raise ValueError(f"unsupported schema version {version} (this parser reads {SCHEMA_VERSION})")
        return version


# --- line numbers -------------------------------------------------------------------------------


def _node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (the deepest one that exists)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _duplicate_keys(node: yaml.Node | None) -> list[tuple[str, int]]:
    """Keys written twice in one mapping (PyYAML would silently keep the last)."""
    found: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                found.append((key.value, key.start_mark.line + 1))
            seen.add(key.value)
            found.extend(_duplicate_keys(value))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found.extend(_duplicate_keys(item))
    return found


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for key in loc:
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
    return path


def _describe(error: dict[str, Any], data: Any) -> tuple[str, tuple[Any, ...]]:
    """'entry 0 (id anxun): field aliases[1].name: Field required' for one pydantic error."""
    loc = tuple(error["loc"])
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        index = loc[1]
        entry = data["entries"][index] if isinstance(data.get("entries"), list) else None
        entry_id = entry.get("id") if isinstance(entry, dict) else None
        field = _field_path(loc[2:]) or "(entry)"
        return f"entry {index} (id {entry_id or '?'}): field {field}: {error['msg']}", loc
    return f"field {_field_path(loc) or '(top level)'}: {error['msg']}", loc


# --- conversion ---------------------------------------------------------------------------------


def _alias(entry: AliasEntry) -> Alias:
    script = entry.script or detect_script(entry.name)
    return Alias(
        name=entry.name,
        kind=entry.kind,
        strength=entry.strength,
        script=None if is_latin(script) else script,
    )


def _date_of_birth(entry: DateOfBirthEntry) -> DateOfBirth:
    text = entry.text or (f"{entry.date_from} to {entry.date_to}" if entry.date_to else entry.date_from)
    return DateOfBirth(text=text, date_from=entry.date_from, date_to=entry.date_to, circa=entry.circa)


def _designation(entry: WatchlistEntry) -> Designation:
    programs = list(dict.fromkeys([INTERNAL_PROGRAM, *entry.programs]))
    remarks = list(dict.fromkeys([INTERNAL_REMARK, *entry.remarks]))
    return Designation(
        entity_id=entity_id(ListCode.INTERNAL, entry.id),
        list=ListCode.INTERNAL,
        source_id=entry.id,
        type=entry.type,
        primary_name=entry.name,
        name_parts=NameParts(**entry.name_parts.model_dump()) if entry.name_parts else None,
        aliases=tuple(_alias(a) for a in entry.aliases),
        title=entry.title,
        dates_of_birth=tuple(_date_of_birth(d) for d in entry.dates_of_birth),
        places_of_birth=tuple(entry.places_of_birth),
        nationalities=tuple(entry.nationalities),
        citizenships=tuple(entry.citizenships),
        addresses=tuple(Address(**a.model_dump()) for a in entry.addresses),
        identifiers=tuple(Identifier(**i.model_dump()) for i in entry.identifiers),
        programs=tuple(programs),
        gender=entry.gender,
        remarks=tuple(remarks),
        listed_date=entry.provenance.date_added,
        links=tuple(entry.links),
        provenance=Provenance(**entry.provenance.model_dump()),
        extra=entry.extra,
    )


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is our clear error, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ListFormatError(path, f"not valid UTF-8 at byte {exc.start}") from exc
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ListFormatError(path, f"not valid YAML: {problem}", mark.line + 1 if mark else None) from exc
    duplicates = _duplicate_keys(root)
    if duplicates:
        key, line = duplicates[0]
        raise ListFormatError(path, f"key {key!r} appears twice in one mapping", line)
    if not isinstance(data, dict):
        raise ListFormatError(
            path, "not an internal watchlist: expected a mapping with 'version' and 'entries'", 1
        )
    return data, root


def parse_internal_yaml(path: Path) -> ParsedList:
    """Parse and validate the internal watchlist; the whole file or a ListFormatError."""
    path = Path(path)
    if not path.is_file():
        raise ListFormatError(path, "file not found")
    data, root = _load_yaml(path)
    try:
        watchlist = WatchlistFile.model_validate(data)
    except ValidationError as exc:
        described = [_describe(error, data) for error in exc.errors()]
        message = "; ".join(text for text, _ in described)
        raise ListFormatError(
            path, f"invalid watchlist: {message}", _node_line(root, described[0][1])
        ) from exc

    first_index: dict[str, int] = {}
    for index, entry in enumerate(watchlist.entries):
        if entry.id in first_index:
            raise ListFormatError(
                path,
                f"entry {index} (id {entry.id}): field id: duplicate id, first used by entry {first_index[entry.id]}",
                _node_line(root, ("entries", index, "id")),
            )
        first_index[entry.id] = index

    designations = [_designation(entry) for entry in watchlist.entries]
    added = [entry.provenance.date_added for entry in watchlist.entries]
    publish_date = watchlist.updated or (max(added) if added else None)
    return ParsedList(
        list_code=ListCode.INTERNAL,
        designations=designations,
        source_files=[SourceFile.of(path)],
        publish_date=publish_date,
        stats={"entries": len(designations)},
    )
