"""EU Financial Sanctions Files XML and UK Sanctions List CSV parsers, on fixtures written from the published
schema (EU, validated against the XSD here) and column layout (UK). No full official file is available offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from lists.eu_fsf import parse_eu_fsf
from lists.loader import load_lists
from lists.model import AliasStrength, EntityType, IdentifierType, ListCode
from lists.parsed import ListFormatError
from lists.sources import ListFormat, detect_file, parse_list
from lists.store import Store
from lists.uk_fcdo import parse_uk_fcdo

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EU_FILE = FIXTURES / "eu_fsf_sample.xml"
UK_FILE = FIXTURES / "uk_sanctions_list_sample.csv"
EU_XSD = FIXTURES / "eu_fsf_20171012-FULL-schema-1_1.xsd"  # copied from ../shared/data/specs


def test_the_eu_fixture_is_valid_against_the_published_schema() -> None:
    schema = etree.XMLSchema(etree.parse(str(EU_XSD)))
    assert schema.validate(etree.parse(str(EU_FILE))), schema.error_log


def test_eu_file_into_the_designation_model() -> None:
    parsed = parse_eu_fsf(EU_FILE)
    assert parsed.list_code is ListCode.EU and parsed.publish_date == "2026-11-30"
    assert [d.entity_id for d in parsed.designations] == ["eu:140001", "eu:140002"]
    assert parsed.stats["delisted_skipped"] == 1 and "delistingDate" in parsed.warnings[0]
    person, company = parsed.designations
    assert person.type is EntityType.PERSON and person.primary_name == "Ivan Petrovich TESTOVSKY"
    assert person.name_parts is not None and person.name_parts.last == "TESTOVSKY"
    by_name = {a.name: a for a in person.aliases}
    assert by_name["Иван Петрович ТЕСТОВСКИЙ"].script == "Cyrl"
    assert by_name["Vanya Testovsky"].strength is AliasStrength.WEAK
    assert [d.date_from for d in person.dates_of_birth] == ["1961-06-03"]
    assert person.places_of_birth == ("Leningrad, RUSSIAN FEDERATION",)
    assert person.citizenships == ("RU",) and person.gender == "male"
    passport = next(i for i in person.identifiers if i.type is IdentifierType.PASSPORT)
    assert (passport.value, passport.country) == ("721234567", "RU")
    assert person.programs == ("UKR",) and person.listed_date == "2022-03-09"
    assert person.extra["regulation_numberTitle"] == "2022/396 (OJ L80)"
    assert company.type is EntityType.ENTITY and [a.name for a in company.aliases] == ["AO Testprom"]
    assert company.identifiers[0].type is IdentifierType.REGISTRATION_NUMBER


def test_eu_file_detected_by_its_namespace_and_truncation_refused(tmp_path: Path) -> None:
    assert detect_file(EU_FILE).format is ListFormat.EU_FSF_XML
    cut = tmp_path / "eu.xml"
    data = EU_FILE.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ListFormatError, match="truncated") as err:
        parse_list(ListCode.EU, [cut])
    assert err.value.path == str(cut)
    nameless = tmp_path / "nameless.xml"
    nameless.write_bytes(
        data.replace(b'wholeName="AO Testprom"', b'wholeName=""').replace(
            b'wholeName="Joint Stock Company Testprom"', b'wholeName=""'
        )
    )
    with pytest.raises(ListFormatError, match="140002 has no nameAlias with a name"):
        parse_eu_fsf(nameless)


def test_uk_file_into_the_designation_model() -> None:
    parsed = parse_uk_fcdo(UK_FILE)
    assert parsed.list_code is ListCode.UK and parsed.publish_date == "2026-11-30"
    person, company, ship = parsed.designations
    assert person.entity_id == "uk:RUS9001" and person.primary_name == "Ivan Petrovich TESTOVSKY"
    strengths = {a.name: a.strength for a in person.aliases}
    assert strengths == {
        "Ivan TESTOVSKI": AliasStrength.STRONG,
        "Vanya Testovsky": AliasStrength.WEAK,
        "Иван Петрович ТЕСТОВСКИЙ": AliasStrength.STRONG,
    }
    assert [d.date_from for d in person.dates_of_birth] == ["1961-06-03", "1961"]
    assert person.nationalities == ("RU",) and person.programs == ("Russia",)
    assert person.identifiers[0].type is IdentifierType.PASSPORT
    assert person.extra["sanctions_imposed"] == "Asset freeze; Travel Ban"
    assert company.type is EntityType.ENTITY and [a.name for a in company.aliases] == ["AO TESTPROM"]
    assert ship.type is EntityType.VESSEL and ship.vessel is not None and ship.vessel.flag == "Gabon"
    assert ship.identifiers[0].type is IdentifierType.IMO
    assert detect_file(UK_FILE).format is ListFormat.UK_FCDO_CSV


def test_uk_file_without_a_required_column_or_cut_is_refused(tmp_path: Path) -> None:
    lines = UK_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(
        lines[0] + lines[1].replace("Regime Name", "Regime") + "".join(lines[2:]), encoding="utf-8"
    )
    with pytest.raises(ListFormatError, match=r"missing required column.*Regime Name"):
        parse_uk_fcdo(renamed)
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(lines[:4]) + lines[4][:40], encoding="utf-8")
    with pytest.raises(ListFormatError, match="expected 58 columns") as err:
        parse_uk_fcdo(cut)
    assert err.value.line == 5
    aliases_only = tmp_path / "aliases-only.csv"
    aliases_only.write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")  # RUS9001's primary row gone
    with pytest.raises(ListFormatError, match="RUS9001: no 'Primary Name' row"):
        parse_uk_fcdo(aliases_only)


def test_eu_and_uk_lists_load_into_the_store(db_url: str) -> None:
    store = Store(db_url)
    try:
        outcomes = load_lists(store, paths=[EU_FILE, UK_FILE])
        assert [(o.list_code, o.ok) for o in outcomes] == [("eu", True), ("uk", True)], [
            o.error for o in outcomes
        ]
        assert store.get_entity("uk:RUS9003") is not None
        assert {code: info.record_count for code, info in store.active_versions().items()} == {
            "eu": 2,
            "uk": 3,
        }
    finally:
        store.close()
