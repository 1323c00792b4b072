"""Legacy OFAC sdn.xml: a hand-made fixture gives the same designations as the same CSV rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from lists.model import AliasStrength, Designation, EntityType
from lists.ofac_csv import parse_ofac_csv
from lists.ofac_delta import merge_deltas
from lists.ofac_xml import parse_ofac_xml
from lists.parsed import ListFormatError, ParsedList
from tests.conftest import BUNDLED_DATA

FIXTURE = Path(__file__).parent / "fixtures" / "ofac_xml" / "sdn_sample.xml"
SAMPLE_IDS = ["306", "15036", "50543", "52747", "52828"]


@pytest.fixture(scope="module")
def xml_list() -> ParsedList:
    return parse_ofac_xml(FIXTURE)


@pytest.fixture(scope="module")
def csv_by_id() -> dict[str, Designation]:
    full = parse_ofac_csv([BUNDLED_DATA / "ofac"])
    delta = parse_ofac_csv([BUNDLED_DATA / "ofac-delta-2025"])
    full.publish_date, delta.publish_date = "2024-06-19", "2025-03-05"
    return {d.source_id: d for d in merge_deltas(full, [delta]).designations}


def test_fixture_follows_the_published_schema() -> None:
    xsd = FIXTURE.parent / "ofac_sdn_xml.xsd"  # copied from the OFAC legacy schema
    if not xsd.exists():
        pytest.skip("shared specs not present")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(etree.parse(str(FIXTURE))), schema.error_log


def test_publish_information(xml_list: ParsedList) -> None:
    assert xml_list.publish_date == "2025-03-05"
    assert sorted(d.source_id for d in xml_list.designations) == sorted(SAMPLE_IDS)
    assert xml_list.warnings == []
    assert xml_list.stats["type_vessel"] == 1 and xml_list.stats["type_person"] == 2


def _address_text(designation: Designation) -> set[str]:
    """Addresses flattened: the CSV has one 'city state postal' cell, the XML separate fields."""
    out = set()
    for a in designation.addresses:
        parts = [a.street, a.city, a.state_province, a.postal_code, a.country]
        out.add(re.sub(r"[,\s]+", " ", " ".join(p for p in parts if p)).strip())
    return out


def _vessel(designation: Designation) -> tuple | None:
    v = designation.vessel
    if v is None:
        return None
    numbers = [(x or "").replace(",", "") or None for x in (v.tonnage, v.gross_registered_tonnage)]
    return (v.call_sign, v.vessel_type, v.flag, v.owner, *numbers)


def _comparable(d: Designation) -> dict:
    return {
        "entity_id": d.entity_id,
        "type": d.type,
        "primary_name": d.primary_name,
        "name_parts": d.name_parts,
        "title": d.title,
        "programs": d.programs,
        "aliases": {(a.name, a.kind, a.strength, a.parts) for a in d.aliases},
        "dates_of_birth": set(d.dates_of_birth),
        "places_of_birth": set(d.places_of_birth),
        "nationalities": set(d.nationalities),
        "citizenships": set(d.citizenships),
        "identifiers": {(i.type, i.value, i.country, i.currency, i.issued, i.expires) for i in d.identifiers},
        "gender": d.gender,
        "links": set(d.links),
        "extra": d.extra,
        "remarks": set(d.remarks),
        "addresses": _address_text(d),
        "vessel": _vessel(d),
    }


@pytest.mark.parametrize("source_id", SAMPLE_IDS)
def test_xml_row_equals_csv_row(
    source_id: str, xml_list: ParsedList, csv_by_id: dict[str, Designation]
) -> None:
    from_xml = next(d for d in xml_list.designations if d.source_id == source_id)
    assert _comparable(from_xml) == _comparable(csv_by_id[source_id])


def test_sample_details(xml_list: ParsedList) -> None:
    by_id = {d.source_id: d for d in xml_list.designations}
    integrity = by_id["50543"]
    assert ("YONGXIN ZHICHENG TECHNOLOGY GROUP COMPANY, LIMITED", AliasStrength.WEAK) in {
        (a.name, a.strength) for a in integrity.aliases
    }
    assert any(i.value == "91110108562135265P" and i.country == "CN" for i in integrity.identifiers)
    assert by_id["52747"].dates_of_birth[0].date_from == "1986-12-08"
    assert by_id["15036"].type is EntityType.VESSEL
    assert by_id["15036"].vessel is not None and by_id["15036"].vessel.call_sign == "T2EU4"


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)
    truncated = tmp_path / "sdn.xml"
    truncated.write_text("".join(lines[:120]), encoding="utf-8")
    with pytest.raises(ListFormatError, match="truncated") as err:
        parse_ofac_xml(truncated)
    assert err.value.path.endswith("sdn.xml")
    assert err.value.line is not None and 115 <= err.value.line <= 121


def test_bad_xml_inputs(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="no such file"):
        parse_ofac_xml(tmp_path / "missing.xml")
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?>\n<list><entry/></list>\n", encoding="utf-8")
    with pytest.raises(ListFormatError, match="expected <sdnList>"):
        parse_ofac_xml(other)
    bad_type = tmp_path / "bad_type.xml"
    bad_type.write_text(
        FIXTURE.read_text(encoding="utf-8").replace("<sdnType>Vessel</sdnType>", "<sdnType>Boat</sdnType>")
    )
    with pytest.raises(ListFormatError, match="unknown sdnType 'boat'") as err:
        parse_ofac_xml(bad_type)
    assert err.value.line is not None


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    hostile = tmp_path / "sdn.xml"
    hostile.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE sdnList [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        "<sdnList><publshInformation/><sdnEntry><uid>1</uid><lastName>NAME &x;</lastName>"
        "<sdnType>Entity</sdnType><programList/></sdnEntry></sdnList>\n",
        encoding="utf-8",
    )
    parsed = parse_ofac_xml(hostile)
    assert "TOP SECRET" not in parsed.designations[0].primary_name
