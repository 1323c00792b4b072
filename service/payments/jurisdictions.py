"""The configurable table of comprehensively sanctioned jurisdictions, and finding them in fields.

Countries are matched by ISO code (address country, a BIC's country, an IBAN's
prefix); regions without a code of their own (Crimea, the so-called DNR and LNR)
only by their town and region names inside addresses. The default table and its
sources are in data/sanctioned_jurisdictions.yaml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from screening.normalize import normalize_latin

ENV_JURISDICTIONS = "SANCTIONS_PAYMENT_JURISDICTIONS"
DEFAULT_TABLE = Path(__file__).with_name("data") / "sanctioned_jurisdictions.yaml"


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    id: str
    code: str | None
    name: str
    source: str

    def describe(self) -> dict[str, str | None]:
        return {"id": self.id, "code": self.code, "name": self.name, "source": self.source}


class JurisdictionTableError(ValueError):
    """The table file is unusable; the message names the file and entry."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(normalize_latin(text).split())


class JurisdictionTable:
    def __init__(self, jurisdictions: list[tuple[Jurisdiction, list[str]]]) -> None:
        self.jurisdictions = [j for j, _ in jurisdictions]
        self._by_code = {j.code: j for j in self.jurisdictions if j.code}
        # first word -> (all words, jurisdiction), longest first so "NORTH KOREA" beats "KOREA"
        self._by_word: dict[str, list[tuple[tuple[str, ...], Jurisdiction]]] = {}
        for jurisdiction, names in jurisdictions:
            for name in names:
                words = _words(name)
                if words:
                    self._by_word.setdefault(words[0], []).append((words, jurisdiction))
        for entries in self._by_word.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    @classmethod
    def load(cls, path: Path | None = None) -> JurisdictionTable:
        path = path or Path(os.environ.get(ENV_JURISDICTIONS) or DEFAULT_TABLE)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise JurisdictionTableError(f"{path}: {exc}") from None
        entries = data.get("jurisdictions") if isinstance(data, dict) else None
        if not isinstance(entries, list) or not entries:
            raise JurisdictionTableError(f"{path}: expected a non-empty 'jurisdictions' list")
        table = []
        for number, entry in enumerate(entries, 1):
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
                raise JurisdictionTableError(f"{path}: jurisdiction {number} needs an id and a name")
            code = entry.get("code")
            if code is not None and (not isinstance(code, str) or len(code) != 2 or not code.isalpha()):
                raise JurisdictionTableError(
                    f"{path}: {entry['id']}: code must be ISO 3166-1 alpha-2 or null"
                )
            names = [str(n) for n in entry.get("names") or []]
            if code is None and not names:
                raise JurisdictionTableError(f"{path}: {entry['id']}: a region without a code needs names")
            table.append(
                (
                    Jurisdiction(
                        str(entry["id"]),
                        code.upper() if code else None,
                        str(entry["name"]),
                        str(entry.get("source") or ""),
                    ),
                    names,
                )
            )
        return cls(table)

    def by_code(self, code: str | None) -> Jurisdiction | None:
        return self._by_code.get(code.strip().upper()) if code else None

    def in_text(self, text: str) -> list[tuple[str, Jurisdiction]]:
        """(the words found, jurisdiction) for each jurisdiction named in an address text."""
        words = _words(text)
        found: dict[str, tuple[str, Jurisdiction]] = {}
        for start, word in enumerate(words):
            for name, jurisdiction in self._by_word.get(word, ()):
                if words[start : start + len(name)] == name and jurisdiction.id not in found:
                    found[jurisdiction.id] = (" ".join(name).upper(), jurisdiction)
                    break
        return list(found.values())
