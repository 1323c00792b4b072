"""OFAC legacy CSV parser on the shipped files, and its refusal of bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lists.model import AliasKind, AliasStrength, EntityType, IdentifierType, ListCode
from lists.ofac_csv import parse_ofac_csv, split_programs
from lists.ofac_delta import merge_deltas
from lists.parsed import ListFormatError, ParsedList
from tests.conftest import BUNDLED_DATA

OFAC_DIR = BUNDLED_DATA / "ofac"
DELTA_DIR = BUNDLED_DATA / "ofac-delta-2025"
NONSDN_DIR = BUNDLED_DATA / "ofac-nonsdn"


@pytest.fixture(scope="module")
def sdn() -> ParsedList:
    return parse_ofac_csv([OFAC_DIR])


@pytest.fixture(scope="module")
def delta() -> ParsedList:
    return parse_ofac_csv([DELTA_DIR])


def by_id(parsed: ParsedList, entity_id: str):
    matches = [d for d in parsed.designations if d.entity_id == entity_id]
    assert len(matches) == 1, entity_id
    return matches[0]


def test_sdn_counts_by_type(sdn: ParsedList) -> None:
    counts = {t: sum(1 for d in sdn.designations if d.type is t) for t in EntityType}
    assert len(sdn.designations) == 15402
    assert counts == {
        EntityType.PERSON: 6915,
        EntityType.ENTITY: 7252,
        EntityType.VESSEL: 861,
        EntityType.AIRCRAFT: 374,
    }
    assert len({d.entity_id for d in sdn.designations}) == 15402
    assert all(d.entity_id == f"ofac:{d.source_id}" and d.list is ListCode.OFAC for d in sdn.designations)


def test_orphan_alias_rows_are_counted_and_reported(sdn: ParsedList) -> None:
    assert sdn.stats["orphan_alias_ent_nums"] == 731
    assert any("731" in w and "alt.csv" in w for w in sdn.warnings)
    assert sdn.stats["orphan_address_ent_nums"] == 0
    assert sdn.stats["orphan_comment_ent_nums"] == 1  # 17016 is newer than this sdn.csv


def test_source_files_are_hashed(sdn: ParsedList) -> None:
    names = sorted(Path(f.path).name for f in sdn.source_files)
    assert names == ["add.csv", "alt.csv", "sdn.csv", "sdn_comments.csv"]
    assert all(len(f.sha256) == 64 and f.size > 0 for f in sdn.source_files)


def test_entity_row_with_addresses_aliases_and_weak_alias(sdn: ParsedList) -> None:
    cuba_bank = by_id(sdn, "ofac:306")
    assert cuba_bank.primary_name == "BANCO NACIONAL DE CUBA"
    assert cuba_bank.type is EntityType.ENTITY
    assert cuba_bank.programs == ("CUBA",)
    assert any(a.city == "Zurich CH-8022" and a.country == "CH" for a in cuba_bank.addresses)
    assert ("NATIONAL BANK OF CUBA", AliasStrength.STRONG) in {
        (a.name, a.strength) for a in cuba_bank.aliases
    }
    assert ("BNC", AliasStrength.WEAK) in {(a.name, a.strength) for a in cuba_bank.aliases}


def test_multi_program_field_is_split() -> None:
    assert split_programs("SDGT] [IRGC] [IFSR") == ("SDGT", "IRGC", "IFSR")
    assert split_programs("-0- ") == ()


def test_vessel_columns(sdn: ParsedList) -> None:
    vessels = [d for d in sdn.designations if d.type is EntityType.VESSEL]
    assert all(v.vessel is not None for v in vessels)
    with_flag = [v for v in vessels if v.vessel and v.vessel.flag]
    assert len(with_flag) > 500
    assert sum(1 for v in vessels if any(i.type is IdentifierType.IMO for i in v.identifiers)) > 800


def test_person_name_parts_and_title(sdn: ParsedList) -> None:
    persons = [d for d in sdn.designations if d.type is EntityType.PERSON]
    with_parts = [p for p in persons if p.name_parts and p.name_parts.last and p.name_parts.first]
    assert len(with_parts) > 6800
    sample = with_parts[0]
    assert sample.primary_name == f"{sample.name_parts.last}, {sample.name_parts.first}"
    assert sum(1 for p in persons if p.title) > 1000


def test_remark_continuation_from_comments_file(sdn: ParsedList) -> None:
    # 28263's remark was cut at 1,000 characters; sdn_comments.csv holds "hn'; Linked To: LAZARUS GROUP."
    entity = by_id(sdn, "ofac:28263")
    assert "LAZARUS GROUP" in entity.links
    assert any(a.name == "snowsjohn" and a.strength is AliasStrength.WEAK for a in entity.aliases)
    # 34682's remark is already whole in this vintage: the continuation is not appended twice
    whole = by_id(sdn, "ofac:34682")
    assert not any("(Russia).67328" in r for r in whole.remarks)
    assert sum(1 for i in whole.identifiers if i.value == "1027700067328") == 1


def test_delta_2025_designations(delta: ParsedList) -> None:
    assert {d.source_id for d in delta.designations} == {"50543", "52747", "52749", "52828", "52829"}
    integrity = by_id(delta, "ofac:50543")
    assert integrity.programs == ("CYBER2",)
    strong = {a.name for a in integrity.aliases if a.strength is AliasStrength.STRONG}
    weak = {a.name for a in integrity.aliases if a.strength is AliasStrength.WEAK}
    assert "BEIJING INTEGRITY TECHNOLOGY COMPANY, LIMITED" in strong
    assert "YONGXIN ZHICHENG TECHNOLOGY GROUP COMPANY, LIMITED" in weak
    uscc = [i for i in integrity.identifiers if i.type is IdentifierType.USCC]
    assert [(i.value, i.country) for i in uscc] == [("91110108562135265P", "CN")]
    assert any(a.city == "Beijing" and a.country == "CN" for a in integrity.addresses)

    yin = by_id(delta, "ofac:52747")
    assert [d.date_from for d in yin.dates_of_birth] == ["1986-12-08"]
    assert yin.nationalities == ("CN",)
    assert [(i.type, i.value) for i in yin.identifiers if i.type is IdentifierType.NATIONAL_ID] == [
        (IdentifierType.NATIONAL_ID, "340121198612082214")
    ]
    assert yin.name_parts is not None and yin.name_parts.last == "YIN"


def test_nonsdn_list(sdn: ParsedList) -> None:
    nonsdn = parse_ofac_csv([NONSDN_DIR], ListCode.OFAC_NONSDN)
    assert len(nonsdn.designations) == 442
    assert all(d.entity_id.startswith("ofac-nonsdn:") for d in nonsdn.designations)
    assert nonsdn.stats["orphan_alias_ent_nums"] == 0
    assert sum(len(d.aliases) for d in nonsdn.designations) > 500


def test_alias_kinds_from_alt_csv(sdn: ParsedList) -> None:
    kinds = {a.kind for d in sdn.designations for a in d.aliases if a.strength is AliasStrength.STRONG}
    assert kinds == {AliasKind.AKA, AliasKind.FKA, AliasKind.NKA}


# --- deltas --------------------------------------------------------------------------------------


def _dated(parsed: ParsedList, publish_date: str) -> ParsedList:
    parsed.publish_date = publish_date
    return parsed


def test_merge_newer_delta_adds_the_2025_designations(sdn: ParsedList) -> None:
    full = _dated(parse_ofac_csv([OFAC_DIR]), "2024-06-19")
    delta = _dated(parse_ofac_csv([DELTA_DIR]), "2025-03-05")
    merged = merge_deltas(full, [delta])
    assert merged.record_count == 15407
    assert merged.stats["delta_added"] == 5 and merged.stats["delta_replaced"] == 0
    assert len({d.entity_id for d in merged.designations}) == 15407
    integrity = by_id(merged, "ofac:50543")
    assert integrity.programs == ("CYBER2",)
    assert "BEIJING INTEGRITY TECHNOLOGY COMPANY, LIMITED" in {a.name for a in integrity.aliases}
    assert [d.date_from for d in by_id(merged, "ofac:52747").dates_of_birth] == ["1986-12-08"]
    assert merged.publish_date == "2025-03-05"
    assert len(merged.source_files) == 4 + 3
    assert full.record_count == 15402  # the inputs are not modified


def test_delta_replaces_an_entity_by_source_id(sdn: ParsedList, delta: ParsedList, tmp_path: Path) -> None:
    lines = (DELTA_DIR / "sdn.csv").read_bytes().split(b"\r\n")
    (tmp_path / "sdn.csv").write_bytes(lines[0].replace(b'"CYBER2"', b'"CYBER2] [SDGT"') + b"\r\n\x1a")
    correction = _dated(parse_ofac_csv([tmp_path]), "2025-06-01")
    merged = merge_deltas(_dated(parse_ofac_csv([DELTA_DIR]), "2025-03-05"), [correction])
    assert merged.stats["delta_replaced"] == 1
    assert by_id(merged, "ofac:50543").programs == ("CYBER2", "SDGT")


def test_delta_older_than_full_file_is_ignored_with_warning(delta: ParsedList) -> None:
    full = _dated(parse_ofac_csv([OFAC_DIR]), "2025-06-01")
    old_delta = _dated(parse_ofac_csv([DELTA_DIR]), "2025-03-05")
    merged = merge_deltas(full, [old_delta])
    assert merged.record_count == 15402
    assert merged.stats["deltas_ignored"] == 1
    assert any("ignored" in w and "2025-03-05" in w for w in merged.warnings)
    same_day = merge_deltas(full, [_dated(parse_ofac_csv([DELTA_DIR]), "2025-06-01")])
    assert same_day.record_count == 15402


def test_delta_for_another_list_is_refused(delta: ParsedList) -> None:
    nonsdn = parse_ofac_csv([DELTA_DIR], ListCode.OFAC_NONSDN)
    with pytest.raises(ListFormatError, match="cannot apply"):
        merge_deltas(parse_ofac_csv([DELTA_DIR]), [nonsdn])


# --- bad input -----------------------------------------------------------------------------------


def _cut(src: Path, dest: Path, lines: int) -> bytes:
    """The first `lines` CRLF records of a real file, ended with OFAC's end-of-file marker (a whole small file)."""
    data = b"\r\n".join(src.read_bytes().split(b"\r\n")[:lines]) + b"\r\n\x1a"
    dest.write_bytes(data)
    return data


def _first_record_with_remarks(lines: list[bytes], after: int) -> int:
    return next(i for i, line in enumerate(lines) if i >= after and b"; " in line)


def test_truncated_sdn_mid_record_names_the_line(tmp_path: Path) -> None:
    lines = (OFAC_DIR / "sdn.csv").read_bytes().split(b"\r\n")
    index = _first_record_with_remarks(lines, 30)
    record = lines[index]
    cut = record[: record.index(b',"', record.index(b",") + 1) + 1].rstrip(b",")  # ent_num and name only
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join([*lines[:index], cut]))
    with pytest.raises(ListFormatError, match="columns") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.path.endswith("sdn.csv")
    assert err.value.line == index + 1
    assert f"sdn.csv:{index + 1}:" in str(err.value)


def test_truncated_inside_quoted_remarks(tmp_path: Path) -> None:
    lines = (OFAC_DIR / "sdn.csv").read_bytes().split(b"\r\n")
    index = _first_record_with_remarks(lines, 10)
    record = lines[index]
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join([*lines[:index], record[: record.index(b"; ")]]))
    with pytest.raises(ListFormatError, match="truncated") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.line == index + 1


def test_wrong_column_count(tmp_path: Path) -> None:
    lines = (OFAC_DIR / "sdn.csv").read_bytes().split(b"\r\n")[:5]
    lines[2] = lines[2] + b',"extra"'
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    with pytest.raises(ListFormatError, match="expected 12 columns, found 13") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.line == 3


def test_malformed_quoting(tmp_path: Path) -> None:
    lines = (OFAC_DIR / "sdn.csv").read_bytes().split(b"\r\n")[:5]
    lines[3] = lines[3].replace(b',"', b',"x"y', 1)
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    with pytest.raises(ListFormatError, match="malformed CSV") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.line == 4


def test_invalid_utf8_names_file_and_line(tmp_path: Path) -> None:
    lines = (OFAC_DIR / "alt.csv").read_bytes().split(b"\r\n")[:8]
    lines[5] = lines[5].replace(b'"aka","', b'"aka","\xff', 1)
    _cut(OFAC_DIR / "sdn.csv", tmp_path / "sdn.csv", 5)
    (tmp_path / "alt.csv").write_bytes(b"\r\n".join(lines) + b"\r\n")
    with pytest.raises(ListFormatError, match="invalid UTF-8 byte 0xff") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.path.endswith("alt.csv")
    assert err.value.line == 6


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(b"")
    with pytest.raises(ListFormatError, match="empty") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.line == 1


def test_missing_primary_file(tmp_path: Path) -> None:
    _cut(OFAC_DIR / "alt.csv", tmp_path / "alt.csv", 3)
    with pytest.raises(ListFormatError, match=r"missing sdn\.csv"):
        parse_ofac_csv([tmp_path])
    with pytest.raises(ListFormatError, match="no such file"):
        parse_ofac_csv([tmp_path / "sdn.csv"])


def test_orphans_within_tolerance_are_reported(tmp_path: Path) -> None:
    _cut(OFAC_DIR / "sdn.csv", tmp_path / "sdn.csv", 3)
    _cut(OFAC_DIR / "add.csv", tmp_path / "add.csv", 10)
    parsed = parse_ofac_csv([tmp_path])
    kept = {d.source_id for d in parsed.designations}
    add_ids = {
        line.split(b",")[0].decode()
        for line in (tmp_path / "add.csv").read_bytes().split(b"\r\n")
        if line.strip(b"\x1a")
    }
    assert parsed.stats["orphan_address_ent_nums"] == len(add_ids - kept) == 3
    assert any("add.csv" in w for w in parsed.warnings)


def test_address_rows_for_missing_entries_beyond_tolerance_refuse_the_set(tmp_path: Path) -> None:
    _cut(OFAC_DIR / "sdn.csv", tmp_path / "sdn.csv", 3)
    _cut(OFAC_DIR / "add.csv", tmp_path / "add.csv", 50)
    with pytest.raises(ListFormatError, match=r"missing from sdn\.csv") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.path.endswith("add.csv")
    assert "26 ent_nums" in str(err.value)


def test_file_without_end_of_file_marker_is_refused_as_truncated(tmp_path: Path) -> None:
    """Cut at a row boundary: every row is well-formed, only the 0x1A marker line tells it is not whole."""
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        (tmp_path / name).write_bytes((OFAC_DIR / name).read_bytes())
    lines = (OFAC_DIR / "sdn.csv").read_bytes().split(b"\r\n")
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines[:13_900]) + b"\r\n")
    with pytest.raises(ListFormatError, match="end-of-file marker") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.path.endswith("sdn.csv")
    assert "truncated" in str(err.value)


def test_cut_primary_with_the_marker_put_back_is_refused_by_the_address_file(tmp_path: Path) -> None:
    """The cross-file check is the second line: a cut sdn.csv that still ends with 0x1A."""
    for name in ("add.csv", "alt.csv", "sdn_comments.csv"):
        (tmp_path / name).write_bytes((OFAC_DIR / name).read_bytes())
    _cut(OFAC_DIR / "sdn.csv", tmp_path / "sdn.csv", 13_900)
    with pytest.raises(ListFormatError, match=r"missing from sdn\.csv") as err:
        parse_ofac_csv([tmp_path])
    assert err.value.path.endswith("add.csv")


def test_bundled_vintage_difference_stays_within_the_tolerance(sdn: ParsedList) -> None:
    """alt.csv is about six months newer than sdn.csv: its 731 orphans are unknown to add.csv too."""
    warning = next(w for w in sdn.warnings if w.startswith("alt.csv"))
    assert "731 ent_nums" in warning and "731 of them unknown to the address file too" in warning


def test_alias_rows_for_entries_the_address_file_knows_count(tmp_path: Path) -> None:
    """Rows cut from the middle of sdn.csv (its end marker intact): add.csv and alt.csv both point at them."""
    for name in ("add.csv", "alt.csv", "sdn_comments.csv"):
        (tmp_path / name).write_bytes((OFAC_DIR / name).read_bytes())
    lines = (OFAC_DIR / "sdn.csv").read_bytes().split(b"\r\n")
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines[:5000] + lines[5200:]))
    with pytest.raises(ListFormatError, match=r"200 ent_nums have rows here but are missing from sdn\.csv"):
        parse_ofac_csv([tmp_path])
