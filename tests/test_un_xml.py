"""UN consolidated list parser: counts and real entries from the shipped file, and bad files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from lists.model import AliasKind, AliasStrength, Designation, EntityType, IdentifierType, ListCode
from lists.parsed import ListFormatError, ParsedList
from lists.un_xml import parse_un_xml
from tests.conftest import BUNDLED_DATA

UN_FILE = BUNDLED_DATA / "un" / "consolidated.xml"


@pytest.fixture(scope="module")
def parsed() -> ParsedList:
    return parse_un_xml(UN_FILE)


@pytest.fixture(scope="module")
def by_ref(parsed: ParsedList) -> dict[str, Designation]:
    return {d.source_id: d for d in parsed.designations}


def test_counts_and_publish_date(parsed: ParsedList) -> None:
    assert parsed.list_code is ListCode.UN
    assert parsed.record_count == 1003
    assert Counter(d.type for d in parsed.designations) == {EntityType.PERSON: 730, EntityType.ENTITY: 273}
    assert parsed.publish_date == "2026-02-27"
    assert parsed.source_files[0].size == UN_FILE.stat().st_size
    assert len({d.entity_id for d in parsed.designations}) == 1003


def test_every_alias_name_in_the_file_is_kept(parsed: ParsedList, by_ref: dict[str, Designation]) -> None:
    """Each non-empty ALIAS_NAME appears as an alias, or split into aliases kept in remarks."""
    tree = etree.parse(str(UN_FILE))
    for record in tree.iter("INDIVIDUAL", "ENTITY"):
        designation = by_ref[record.findtext("REFERENCE_NUMBER").strip()]
        names = {a.name for a in designation.aliases}
        for alias in record.iter("ALIAS_NAME"):
            raw = " ".join((alias.text or "").split())
            if raw:
                assert raw in names or f"Alias as written: {raw}" in designation.remarks


def test_ids_and_name_parts(by_ref: dict[str, Designation]) -> None:
    badege = by_ref["CDi.001"]
    assert badege.entity_id == "un:CDi.001"
    assert badege.primary_name == "ERIC BADEGE"
    assert (badege.name_parts.first, badege.name_parts.last) == ("ERIC", "BADEGE")
    assert badege.programs == ("DRC",)
    assert badege.gender == "male"
    assert badege.listed_date == "2012-12-31"
    assert badege.nationalities == ("CD",)
    assert badege.dates_of_birth[0].date_from == "1971"
    assert badege.addresses[0].country == "RW"
    assert badege.addresses[0].note == "as of early 2016"
    assert badege.remarks[0].startswith("He fled to Rwanda in March 2013")


def test_dob_range_title_and_arabic_original_script(by_ref: dict[str, Designation]) -> None:
    akhund = by_ref["TAi.002"]
    assert akhund.primary_name == "MOHAMMAD HASSAN AKHUND"
    assert akhund.title == "Mullah; Haji"
    ranges = {(d.date_from, d.date_to, d.circa) for d in akhund.dates_of_birth}
    assert ranges == {("1955", "1958", True), ("1945", "1950", True)}
    original = [a for a in akhund.aliases if a.script]
    assert [(a.name, a.script) for a in original] == [("محمد حسن آخوند", "Arab")]
    assert "Foreign Minister under the Taliban regime" in akhund.extra["designation"]


def test_cyrillic_name_document_and_unknown_nationality(by_ref: dict[str, Designation]) -> None:
    umarov = by_ref["QDi.290"]
    assert ("Умаров Доку Хаматович", "Cyrl") in {(a.name, a.script) for a in umarov.aliases}
    assert umarov.nationalities == ("RU",)
    assert "Nationality: former Soviet Union" in umarov.remarks  # unknown text kept, not dropped
    passport = umarov.identifiers[0]
    assert (passport.type, passport.value, passport.country, passport.issued) == (
        IdentifierType.PASSPORT,
        "96 03 464086",
        "RU",
        "2003-06-01",
    )


def test_weak_and_fka_aliases_and_entities(by_ref: dict[str, Designation]) -> None:
    taganda = {a.name: a for a in by_ref["CDi.030"].aliases}
    assert taganda["Lydia"].strength is AliasStrength.WEAK
    assert taganda["Bosco Ntaganda"].strength is AliasStrength.STRONG
    assert "Alias Tango Romeo: Call sign" in by_ref["CDi.030"].remarks
    adf = by_ref["CDe.001"]
    assert adf.type is EntityType.ENTITY
    assert adf.primary_name == "ADF"
    assert {a.name for a in adf.aliases if a.kind is AliasKind.FKA} >= {"ADF/NALU", "NALU"}
    assert adf.addresses[0].state_province == "North Kivu"
    assert adf.addresses[0].country == "CD"


def test_documents_with_issuing_country_and_notes(by_ref: dict[str, Designation]) -> None:
    adam = {i.value: i for i in by_ref["CFi.002"].identifiers}
    assert adam["20227088368"].type is IdentifierType.NATIONAL_ID
    assert adam["20227088368"].country == "SD"
    assert adam["P04838205"].issued == "2018-06-10"
    assert "Bahri, Sudan" in adam["P04838205"].note
    # a document whose number only sits in its note is kept as a remark
    assert any("L 191609" in r for r in by_ref["QDi.060"].remarks)


def test_mixed_script_alias_is_split(by_ref: dict[str, Designation]) -> None:
    names = {(a.name, a.script, a.strength) for a in by_ref["QDi.306"].aliases}
    assert ("حسن غول", "Arab", AliasStrength.STRONG) in names
    assert ("Hassan Ghul", None, AliasStrength.STRONG) in names
    assert ("Abu-Shaima", None, AliasStrength.WEAK) in names
    month_range = by_ref["QDi.306"].dates_of_birth[0]
    assert (month_range.date_from, month_range.date_to) == ("1977-08", "1977-09")


# --- bad input -------------------------------------------------------------------------------


def _lines() -> list[str]:
    return UN_FILE.read_text(encoding="utf-8").splitlines(keepends=True)


def test_truncated_file_names_the_line(tmp_path: Path) -> None:
    lines = _lines()
    cut = tmp_path / "truncated.xml"
    cut.write_text("".join(lines[:5000]), encoding="utf-8")
    with pytest.raises(ListFormatError) as error:
        parse_un_xml(cut)
    assert error.value.path == str(cut)
    assert error.value.line is not None and error.value.line >= 5000
    assert "malformed XML" in str(error.value)


def test_wrong_root_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "sdn.xml"
    other.write_text('<?xml version="1.0"?>\n<sdnList><sdnEntry/></sdnList>\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match="not a UN consolidated list") as error:
        parse_un_xml(other)
    assert error.value.line == 2


def _without_first(lines: list[str], tag: str) -> tuple[list[str], int]:
    """The real file with the first line holding <tag> removed, and the INDIVIDUAL's line."""
    index = next(i for i, line in enumerate(lines) if f"<{tag}>" in line)
    individual_line = max(i for i in range(index) if "<INDIVIDUAL>" in lines[i]) + 1
    return lines[:index] + lines[index + 1 :], individual_line


@pytest.mark.parametrize("tag", ["REFERENCE_NUMBER", "FIRST_NAME"])
def test_individual_without_reference_or_name(tmp_path: Path, tag: str) -> None:
    lines, line = _without_first(_lines(), tag)
    if tag == "FIRST_NAME":  # the first individual also has a SECOND_NAME: drop it too
        lines, _ = _without_first(lines, "SECOND_NAME")
    broken = tmp_path / "broken.xml"
    broken.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ListFormatError) as error:
        parse_un_xml(broken)
    assert error.value.line == line
    assert ("REFERENCE_NUMBER" if tag == "REFERENCE_NUMBER" else "no name") in error.value.message


def test_duplicate_reference_is_refused(tmp_path: Path) -> None:
    lines = _lines()
    first = next(i for i, line in enumerate(lines) if "<INDIVIDUAL>" in line)
    end = next(i for i, line in enumerate(lines) if "</INDIVIDUAL>" in line)
    doubled = tmp_path / "doubled.xml"
    doubled.write_text(
        "".join(lines[: end + 1] + lines[first : end + 1] + lines[end + 1 :]), encoding="utf-8"
    )
    with pytest.raises(ListFormatError, match=r"duplicate REFERENCE_NUMBER CDi\.001"):
        parse_un_xml(doubled)


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    hostile = tmp_path / "entities.xml"
    hostile.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>'
        "<FIRST_NAME>A &x;</FIRST_NAME><REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER>"
        "</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    parsed = parse_un_xml(hostile)
    assert "root:" not in parsed.designations[0].primary_name


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="file not found"):
        parse_un_xml(tmp_path / "nope.xml")
