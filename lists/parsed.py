"""What every parser returns, and the one error type for bad list files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from lists.model import Designation, ListCode


class ListFormatError(ValueError):
    """A list file is malformed. Names the file and, where known, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SourceFile:
    path: str
    sha256: str
    size: int

    @classmethod
    def of(cls, path: Path) -> SourceFile:
        data = path.read_bytes()
        return cls(path=str(path), sha256=hashlib.sha256(data).hexdigest(), size=len(data))


@dataclass
class ParsedList:
    """A whole list as parsed from its files, ready to become a store version."""

    list_code: ListCode
    designations: list[Designation]
    source_files: list[SourceFile]
    publish_date: str | None = None  # ISO date the publisher gave, if any
    # Problems that did not stop the load but must be reported, e.g.
    # "alt.csv: 731 alias rows name ent_nums missing from sdn.csv".
    warnings: list[str] = field(default_factory=list)
    # Counters for the report, e.g. {"orphan_alias_ent_nums": 731}.
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def record_count(self) -> int:
        return len(self.designations)
