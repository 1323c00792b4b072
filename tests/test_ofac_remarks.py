"""The OFAC Remarks mini-language: single phrases, and coverage over the shipped sdn.csv."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest

from lists.model import AliasKind, AliasStrength, IdentifierType
from lists.ofac_remarks import (
    FIELD,
    FREE_TEXT,
    UNRECOGNISED,
    RemarkFacts,
    parse_dob,
    parse_remarks,
    split_phrases,
)
from tests.conftest import BUNDLED_DATA


def test_split_keeps_semicolons_inside_weak_alias_quotes() -> None:
    text = "DOB 1970; a.k.a. 'ABU; THE TALL'; a.k.a. 'X'; Gender Male."
    assert split_phrases(text) == ["DOB 1970", "a.k.a. 'ABU; THE TALL'", "a.k.a. 'X'", "Gender Male."]


@pytest.mark.parametrize(
    ("text", "date_from", "date_to", "circa"),
    [
        ("08 Dec 1986", "1986-12-08", None, False),
        ("Dec 1986", "1986-12", None, False),
        ("1986", "1986", None, False),
        ("circa 1958", "1958", None, True),
        ("1960 to 1962", "1960", "1962", False),
        ("01 Jan 1960 to 31 Dec 1962", "1960-01-01", "1962-12-31", False),
    ],
)
def test_dates_of_birth(text: str, date_from: str, date_to: str | None, circa: bool) -> None:
    dob = parse_dob(text)
    assert dob is not None
    assert (dob.date_from, dob.date_to, dob.circa, dob.text) == (date_from, date_to, circa, text)


def test_unparseable_dob_is_kept_not_dropped() -> None:
    facts = parse_remarks("DOB sometime in the eighties")
    assert facts.dates_of_birth == []
    assert facts.remarks == ["DOB sometime in the eighties"]
    assert facts.outcomes[UNRECOGNISED] == 1


def test_person_remarks() -> None:
    facts = parse_remarks(
        "DOB 08 Dec 1986; alt. DOB circa 1985; POB Anhui Province, China; nationality China; "
        "citizen Korea, North; Gender Male; National ID No. 340121198612082214 (China); "
        "Passport E82979246 (China) issued 01 Jan 2016 expires 17 Jul 2026; alt. Passport 12345 (Iran); "
        "Linked To: SHANGHAI HEIYING INFORMATION TECHNOLOGY COMPANY, LIMITED."
    )
    assert [d.date_from for d in facts.dates_of_birth] == ["1986-12-08", "1985"]
    assert facts.dates_of_birth[1].circa
    assert facts.places_of_birth == ["Anhui Province, China"]
    assert facts.nationalities == ["CN"]
    assert facts.citizenships == ["KP"]
    assert facts.gender == "male"
    ids = {(i.type, i.value, i.country, i.issued, i.expires) for i in facts.identifiers}
    assert (IdentifierType.NATIONAL_ID, "340121198612082214", "CN", None, None) in ids
    assert (IdentifierType.PASSPORT, "E82979246", "CN", "2016-01-01", "2026-07-17") in ids
    assert (IdentifierType.PASSPORT, "12345", "IR", None, None) in ids
    assert facts.links == ["SHANGHAI HEIYING INFORMATION TECHNOLOGY COMPANY, LIMITED"]
    assert facts.outcomes[FIELD] == 10 and facts.remarks == []


def test_entity_and_vessel_remarks() -> None:
    facts = parse_remarks(
        "Organization Established Date 02 Sep 2010; Organization Type: Computer programming activities; "
        "Unified Social Credit Code (USCC) 91110108562135265P (China); SWIFT/BIC BNCUCUHH; "
        "Website www.integritytech.com.cn; Email Address info@example.com; Phone Number 8613314257947; "
        "Vessel Registration Identification IMO 9187629; MMSI 572469210; "
        "Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h; "
        "Tax ID No. 100036386 (Serbia); RFC SAEA740214 (Mexico); NIT # 800018928-0 (Colombia); "
        "Cedula No. 6068015 (Colombia); Registration Number 26740 (Iran); "
        "Business Registration Number 1037739709138 (Russia); Identification Number 2.194.575 (Paraguay); "
        "Additional Sanctions Information - Subject to Secondary Sanctions; "
        "Secondary sanctions risk: See Section 11 of Executive Order 14024; "
        "a.k.a. 'YONGXIN ZHICHENG'; f.k.a. 'OLD NAME'; n.k.a. 'NEW NAME'."
    )
    types = {i.type: i for i in facts.identifiers}
    assert (
        types[IdentifierType.USCC].value == "91110108562135265P"
        and types[IdentifierType.USCC].country == "CN"
    )
    assert types[IdentifierType.SWIFT_BIC].value == "BNCUCUHH"
    assert types[IdentifierType.WEBSITE].value == "www.integritytech.com.cn"
    assert types[IdentifierType.EMAIL].value == "info@example.com"
    assert types[IdentifierType.PHONE].value == "8613314257947"
    assert types[IdentifierType.IMO].value == "9187629"
    assert types[IdentifierType.MMSI].value == "572469210"
    dca = types[IdentifierType.DIGITAL_CURRENCY_ADDRESS]
    assert (dca.currency, dca.value) == ("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")
    assert types[IdentifierType.TAX_ID].label in {"Tax ID No.", "RFC", "NIT #"}
    assert sum(1 for i in facts.identifiers if i.type is IdentifierType.TAX_ID) == 3
    assert types[IdentifierType.NATIONAL_ID].country in {"CO", "PY"}
    assert sum(1 for i in facts.identifiers if i.type is IdentifierType.REGISTRATION_NUMBER) == 2
    assert facts.extra["Organization Established Date"] == "02 Sep 2010"
    assert facts.extra["Organization Type"] == "Computer programming activities"
    assert facts.extra["Additional Sanctions Information"] == "Subject to Secondary Sanctions"
    assert facts.extra["Secondary sanctions risk"] == "See Section 11 of Executive Order 14024"
    assert [(a.name, a.kind, a.strength) for a in facts.aliases] == [
        ("YONGXIN ZHICHENG", AliasKind.AKA, AliasStrength.WEAK),
        ("OLD NAME", AliasKind.FKA, AliasStrength.WEAK),
        ("NEW NAME", AliasKind.NKA, AliasStrength.WEAK),
    ]
    assert facts.remarks == []


def test_linked_to_keeps_abbreviation_dots() -> None:
    assert parse_remarks("Linked To: TRILIANCE PETROCHEMICAL CO. LTD.").links == [
        "TRILIANCE PETROCHEMICAL CO. LTD."
    ]
    assert parse_remarks("Linked To: HAMAS.").links == ["HAMAS"]


def test_free_text_is_kept_verbatim() -> None:
    facts = parse_remarks(
        "Member of the State Duma of the Federal Assembly of the Russian Federation.; Gender Female"
    )
    assert facts.remarks == ["Member of the State Duma of the Federal Assembly of the Russian Federation."]
    assert facts.outcomes[FREE_TEXT] == 1 and facts.gender == "female"


def _phrase_head(phrase: str) -> str:
    return re.sub(r"\d.*", "#", phrase)[:45]


def test_remarks_coverage_on_shipped_sdn(capsys: pytest.CaptureFixture[str]) -> None:
    """At least 99% of `; `-phrases land in a field or are kept by a known free-text rule."""
    text = (BUNDLED_DATA / "ofac" / "sdn.csv").read_text(encoding="utf-8")
    facts = RemarkFacts()
    for row in csv.reader(io.StringIO(text, newline="")):
        if len(row) == 12 and row[11].strip() != "-0-":
            parse_remarks(row[11], facts)
    total = sum(facts.outcomes.values())
    field_share = facts.outcomes[FIELD] / total
    known_share = (facts.outcomes[FIELD] + facts.outcomes[FREE_TEXT]) / total
    with capsys.disabled():
        print(
            f"\nOFAC remarks coverage over {total} phrases: {field_share:.2%} mapped to fields, "
            f"{facts.outcomes[FREE_TEXT] / total:.2%} kept as free text by a known rule, "
            f"{facts.outcomes[UNRECOGNISED] / total:.2%} unrecognised (kept verbatim)"
        )
        for head, count in Counter(_phrase_head(p) for p in facts.unrecognised).most_common(10):
            print(f"  {count:4d}  {head!r}")
    assert total > 60000
    assert known_share >= 0.99
    assert field_share >= 0.95
    # nothing dropped: every phrase not mapped to a field is in remarks
    assert len(facts.remarks) == facts.outcomes[FREE_TEXT] + facts.outcomes[UNRECOGNISED]
