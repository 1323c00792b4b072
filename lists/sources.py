"""Where list files come from: the bundled snapshots and user-given paths, and their format.

The format is detected from the files themselves (file names for OFAC CSV, the
XML root element, a YAML suffix), never assumed from a command-line flag, and
anything unrecognised is refused naming the file. Parsers are imported only when
used, so this module stays importable whatever parser is missing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lists.model import ListCode
from lists.parsed import ListFormatError, ParsedList

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST_PATH = DATA_DIR / "manifest.yaml"

OFAC_SDN_FILES = ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
OFAC_CONS_FILES = ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")
YAML_SUFFIXES = (".yaml", ".yml")
KNOWN_FORMATS = (
    "expected an OFAC legacy CSV set (sdn.csv or cons_prim.csv with add/alt/comments files), "
    "OFAC sdn.xml, the UN consolidated list XML, the EU Financial Sanctions Files XML, "
    "the UK Sanctions List CSV or an internal watchlist YAML"
)
EU_NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"


class ListFormat(StrEnum):
    OFAC_CSV = "ofac-csv"
    OFAC_XML = "ofac-xml"
    UN_XML = "un-xml"
    EU_FSF_XML = "eu-fsf-xml"
    UK_FCDO_CSV = "uk-fcdo-csv"
    INTERNAL_YAML = "internal-yaml"


@dataclass(frozen=True)
class FileSet:
    """Files parsed together: one OFAC CSV set (a folder or loose files) or one XML/YAML file."""

    format: ListFormat
    list_code: ListCode  # the list these files are, judging by the files themselves
    paths: tuple[Path, ...]


class ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    list: ListCode
    path: str
    role: Literal["full", "delta"] = "full"
    publish_date: date | None = None
    approximate: bool = False
    note: str | None = None

    @property
    def resolved(self) -> Path:
        return (DATA_DIR / self.path).resolve()


@lru_cache(maxsize=1)
def manifest() -> tuple[ManifestEntry, ...]:
    """The bundled sources as recorded in lists/data/manifest.yaml."""
    try:
        raw = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
        return tuple(ManifestEntry.model_validate(item) for item in raw["sources"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as exc:
        raise ListFormatError(MANIFEST_PATH, f"unreadable manifest of bundled lists: {exc}") from exc


def bundled_sources() -> dict[ListCode, list[Path]]:
    """List code -> its bundled files (the full snapshot first, then any deltas), in ListCode order."""
    entries = sorted(manifest(), key=lambda e: (list(ListCode).index(e.list), e.role != "full"))
    sources: dict[ListCode, list[Path]] = {}
    for entry in entries:
        sources.setdefault(entry.list, []).append(entry.resolved)
    return sources


def _manifest_entry(path: Path) -> ManifestEntry | None:
    resolved = path.resolve()
    for entry in manifest():
        if entry.resolved == resolved:
            return entry
    return None


def parse_bundled(list_code: ListCode | str) -> ParsedList:
    """Parse the bundled snapshot of one list (OFAC: the full file plus the 2025 delta)."""
    code = ListCode(list_code)
    paths = bundled_sources().get(code)
    if not paths:
        raise ListFormatError(MANIFEST_PATH, f"no bundled source for list {code.value}")
    return parse_list(code, paths)


# -- format detection ---------------------------------------------------------


def _xml_root(path: Path) -> str:
    """Root element as "{namespace}name" (or "name"), read without resolving entities or touching the network."""
    from lxml import etree

    try:
        for _event, element in etree.iterparse(
            str(path), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
        ):
            return str(element.tag)
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(path, f"not well-formed XML: {exc.msg}", exc.lineno) from None
    raise ListFormatError(path, "empty XML document")


def _looks_like_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def _looks_like_uk_csv(path: Path) -> bool:
    """The UK Sanctions List CSV: a header with 'Unique ID' and 'Name 6' near the top."""
    with path.open("rb") as handle:
        head = handle.read(16_384)
    return b"Unique ID" in head and b"Name 6" in head


def _xml_file_set(path: Path) -> FileSet:
    tag = _xml_root(path)
    if tag == f"{{{EU_NAMESPACE}}}export":
        return FileSet(ListFormat.EU_FSF_XML, ListCode.EU, (path,))
    root = tag.rsplit("}", 1)[-1]
    if root == "CONSOLIDATED_LIST":
        return FileSet(ListFormat.UN_XML, ListCode.UN, (path,))
    if root == "sdnList":
        return FileSet(ListFormat.OFAC_XML, ListCode.OFAC, (path,))
    raise ListFormatError(path, f"unknown list format: XML root element <{root}>; {KNOWN_FORMATS}")


def detect_file(path: Path) -> FileSet:
    """The format of one file (OFAC CSV files by their official names)."""
    name = path.name.lower()
    if name in OFAC_SDN_FILES:
        return FileSet(ListFormat.OFAC_CSV, ListCode.OFAC, (path,))
    if name in OFAC_CONS_FILES:
        return FileSet(ListFormat.OFAC_CSV, ListCode.OFAC_NONSDN, (path,))
    if path.suffix.lower() in YAML_SUFFIXES:
        return FileSet(ListFormat.INTERNAL_YAML, ListCode.INTERNAL, (path,))
    if path.suffix.lower() == ".csv" and _looks_like_uk_csv(path):
        return FileSet(ListFormat.UK_FCDO_CSV, ListCode.UK, (path,))
    if path.suffix.lower() == ".xml" or _looks_like_xml(path):
        return _xml_file_set(path)
    raise ListFormatError(path, f"unknown list format; {KNOWN_FORMATS}")


def detect_dir(path: Path) -> FileSet:
    """The format of a folder: an OFAC CSV set, or a folder holding exactly one list file."""
    names = {child.name.lower(): child for child in path.iterdir() if child.is_file()}
    if "sdn.csv" in names and "cons_prim.csv" in names:
        raise ListFormatError(
            path, "holds both sdn.csv and cons_prim.csv; give each list's folder separately"
        )
    if "sdn.csv" in names:
        return FileSet(ListFormat.OFAC_CSV, ListCode.OFAC, (path,))
    if "cons_prim.csv" in names:
        return FileSet(ListFormat.OFAC_CSV, ListCode.OFAC_NONSDN, (path,))
    candidates = [
        child
        for name, child in sorted(names.items())
        if name.endswith(".xml")
        or child.suffix.lower() in YAML_SUFFIXES
        or (name.endswith(".csv") and _looks_like_uk_csv(child))
    ]
    if len(candidates) == 1:
        return detect_file(candidates[0])
    if not candidates:
        raise ListFormatError(path, f"no list file in this folder; {KNOWN_FORMATS}")
    listed = ", ".join(c.name for c in candidates)
    raise ListFormatError(path, f"more than one list file in this folder ({listed}); name the file")


def file_sets(paths: Iterable[Path | str]) -> list[FileSet]:
    """Detect each path's format; loose OFAC CSV files from one folder form one set."""
    sets: list[FileSet] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = detect_dir(path)
        elif path.is_file():
            found = detect_file(path)
        else:
            raise ListFormatError(path, "no such file or directory")
        previous = sets[-1] if sets else None
        if (
            found.format is ListFormat.OFAC_CSV
            and previous is not None
            and previous.format is ListFormat.OFAC_CSV
            and previous.list_code is found.list_code
            and all(p.is_file() and p.parent == path.parent for p in (*previous.paths, path))
        ):
            sets[-1] = dataclasses.replace(previous, paths=(*previous.paths, path))
        else:
            sets.append(found)
    return sets


def paths_by_list(paths: Iterable[Path | str]) -> dict[ListCode, list[Path]]:
    """Split user-given paths by the list their files are (for a load without --list)."""
    grouped: dict[ListCode, list[Path]] = {}
    for found in file_sets(paths):
        grouped.setdefault(found.list_code, []).extend(found.paths)
    return grouped


# -- parsing ------------------------------------------------------------------


def _parse_set(found: FileSet, list_code: ListCode) -> ParsedList:
    if found.format is ListFormat.OFAC_CSV:
        from lists.ofac_csv import parse_ofac_csv

        return parse_ofac_csv(list(found.paths), list_code)
    if found.format is ListFormat.OFAC_XML:
        from lists.ofac_xml import parse_ofac_xml

        return parse_ofac_xml(found.paths[0], list_code)
    if found.format is ListFormat.UN_XML:
        from lists.un_xml import parse_un_xml

        return parse_un_xml(found.paths[0])
    if found.format is ListFormat.EU_FSF_XML:
        from lists.eu_fsf import parse_eu_fsf

        return parse_eu_fsf(found.paths[0])
    if found.format is ListFormat.UK_FCDO_CSV:
        from lists.uk_fcdo import parse_uk_fcdo

        return parse_uk_fcdo(found.paths[0])
    from lists.internal_yaml import parse_internal_yaml

    return parse_internal_yaml(found.paths[0])


def _with_manifest_date(parsed: ParsedList, found: FileSet) -> ParsedList:
    """Bundled files get their publish date from the manifest when the file carries none."""
    entry = _manifest_entry(found.paths[0]) if len(found.paths) == 1 else None
    if entry is None or entry.publish_date is None or parsed.publish_date:
        return parsed
    warnings = list(parsed.warnings)
    if entry.approximate:
        warnings.append(
            f"publish date {entry.publish_date} is approximate: the files carry no date, "
            "the estimate is recorded in lists/data/manifest.yaml"
        )
    return dataclasses.replace(parsed, publish_date=entry.publish_date.isoformat(), warnings=warnings)


def _compatible(found: FileSet, list_code: ListCode) -> bool:
    return found.list_code is list_code


def parse_list(list_code: ListCode | str, paths: Sequence[Path | str]) -> ParsedList:
    """Parse one list from files and/or folders, detecting the format from the files.

    OFAC: the first file set is the full list, any further sets are deltas applied
    on top (lists.ofac_delta.merge_deltas). Bundled files are dated from the
    manifest; user files without a date in them get publish_date None.
    """
    code = ListCode(list_code)
    if not paths:
        raise ListFormatError("(no paths)", f"no files given for list {code.value}")
    sets = file_sets(paths)
    for found in sets:
        if not _compatible(found, code):
            raise ListFormatError(
                found.paths[0],
                f"is a {found.list_code.value} list file ({found.format.value}), not {code.value}",
            )
    parsed = [_with_manifest_date(_parse_set(found, code), found) for found in sets]
    if len(parsed) == 1:
        return parsed[0]
    if code not in (ListCode.OFAC, ListCode.OFAC_NONSDN):
        listed = ", ".join(str(found.paths[0]) for found in sets)
        raise ListFormatError(listed, f"list {code.value} is loaded from exactly one file")
    from lists.ofac_delta import merge_deltas

    return merge_deltas(parsed[0], parsed[1:])
