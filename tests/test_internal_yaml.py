"""Internal watchlist: the shipped file parses into a clearly internal entry; bad files are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lists.internal_yaml import INTERNAL_PROGRAM, parse_internal_yaml
from lists.model import AliasStrength, EntityType, ListCode
from lists.parsed import ListFormatError
from tests.conftest import BUNDLED_DATA

WATCHLIST = BUNDLED_DATA / "internal" / "watchlist.yaml"

VALID = """\
version: 1
entries:
  - id: first
    type: person
    name: Jane Example
    dates_of_birth:
      - 1980-05-01
      - {from: 1960, to: 1962, circa: true}
    nationalities: [Germany]
    provenance:
      source: analyst
      date_added: 2025-01-02
      reason: test entry
  - id: second
    type: entity
    name: Example Trading LLC
    provenance:
      source: analyst
      date_added: 2025-03-04
      reason: test entry
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> ListFormatError:
    path = _write(tmp_path, text)
    with pytest.raises(ListFormatError) as error:
        parse_internal_yaml(path)
    assert error.value.path == str(path)
    return error.value


def test_shipped_watchlist_has_anxun_as_internal_entry() -> None:
    parsed = parse_internal_yaml(WATCHLIST)
    assert parsed.list_code is ListCode.INTERNAL
    assert parsed.record_count >= 1
    anxun = next(d for d in parsed.designations if d.primary_name.startswith("Shanghai Anxun"))
    assert anxun.entity_id == f"internal:{anxun.source_id}"
    assert anxun.list is ListCode.INTERNAL
    assert anxun.type is EntityType.ENTITY
    assert anxun.primary_name == "Shanghai Anxun Information Technology Co., Ltd."
    names = {a.name: a for a in anxun.aliases}
    assert names["上海安洵信息技术有限公司"].script == "Hans"
    for alias in ("i-SOON", "iSoon", "I-Soon", "Anxun"):
        assert names[alias].strength is AliasStrength.STRONG
        assert names[alias].script is None
    assert (anxun.addresses[0].city, anxun.addresses[0].country) == ("Shanghai", "CN")
    assert anxun.programs == (INTERNAL_PROGRAM,)
    assert any("not a government" in r.lower() for r in anxun.remarks)
    assert anxun.provenance.source == "press reporting"
    assert "February 2024 leak" in anxun.provenance.reason
    assert anxun.listed_date == anxun.provenance.date_added


def test_valid_file_fields_and_internal_marking(tmp_path: Path) -> None:
    parsed = parse_internal_yaml(_write(tmp_path, VALID))
    jane, trading = parsed.designations
    assert jane.entity_id == "internal:first"
    assert jane.nationalities == ("DE",)
    assert [(d.date_from, d.date_to, d.circa) for d in jane.dates_of_birth] == [
        ("1980-05-01", None, False),
        ("1960", "1962", True),
    ]
    # entries that name no program are still marked internal
    assert trading.programs == (INTERNAL_PROGRAM,)
    assert parsed.publish_date == "2025-03-04"


def test_original_script_detected_when_not_given(tmp_path: Path) -> None:
    text = VALID.replace(
        "    name: Example Trading LLC\n", "    name: Example Trading LLC\n    aliases: [Пример]\n"
    )
    parsed = parse_internal_yaml(_write(tmp_path, text))
    assert parsed.designations[1].aliases[0].script == "Cyrl"


def test_missing_name(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("    name: Example Trading LLC\n", ""))
    assert "entry 1 (id second)" in error.message
    assert "field name" in error.message
    assert error.line == 14  # the entry's line: its name is absent


def test_unknown_type(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("type: entity", "type: company"))
    assert "entry 1 (id second): field type" in error.message
    assert error.line == 15


def test_bad_date(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("date_added: 2025-03-04", "date_added: 2025-02-30"))
    assert "entry 1 (id second): field provenance.date_added" in error.message
    assert "2025-02-30" in error.message
    assert error.line == 19


def test_unknown_country_and_unknown_key(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("[Germany]", "[Atlantis]").replace("type: entity", "kind: entity"))
    assert "entry 0 (id first): field nationalities[0]" in error.message
    assert "Atlantis" in error.message
    assert "entry 1 (id second): field kind: Extra inputs are not permitted" in error.message


def test_duplicate_id(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("id: second", "id: first"))
    assert "entry 1 (id first): field id: duplicate id, first used by entry 0" in error.message
    assert error.line == 14


def test_duplicate_key_in_entry(tmp_path: Path) -> None:
    error = _error(tmp_path, VALID.replace("    name: Example Trading LLC\n", "    name: A\n    name: B\n"))
    assert "'name' appears twice" in error.message
    assert error.line == 17


def test_not_yaml(tmp_path: Path) -> None:
    error = _error(tmp_path, "version: 1\nentries:\n  - id: [unclosed\n    type: entity\n")
    assert "not valid YAML" in error.message
    assert error.line is not None


def test_not_a_watchlist(tmp_path: Path) -> None:
    assert "expected a mapping" in _error(tmp_path, "- just\n- a list\n").message
    assert "field entries: Field required" in _error(tmp_path, "version: 1\n").message
    assert "unsupported schema version" in _error(tmp_path, "version: 2\nentries: []\n").message


def test_shipped_file_is_plain_safe_yaml() -> None:
    """The shipped file is plain YAML (no tags), readable by any YAML tool."""
    data = yaml.safe_load(WATCHLIST.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert len(data["entries"]) == parse_internal_yaml(WATCHLIST).record_count
