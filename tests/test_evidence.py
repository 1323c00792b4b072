"""Secondary evidence: dates of birth, countries, gender, type and identifiers move the score."""

from __future__ import annotations

import pytest

from lists.model import (
    Address,
    DateOfBirth,
    Designation,
    EntityType,
    Identifier,
    IdentifierType,
    ListCode,
    VesselInfo,
)
from screening import evidence
from screening.evidence import (
    DesignationFacts,
    PartialDate,
    QueryFacts,
    evaluate,
    normalize_identifier,
    parse_date,
)
from screening.query import Query


def _person(**fields) -> Designation:
    base = {
        "entity_id": "ofac:1",
        "list": ListCode.OFAC,
        "source_id": "1",
        "type": EntityType.PERSON,
        "primary_name": "YIN, Kecheng",
    }
    return Designation(**(base | fields))


def _effect(query: Query, designation: Designation) -> tuple[float, list[dict]]:
    return evaluate(QueryFacts.of(query), DesignationFacts.of(designation))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1986-12-08", PartialDate(1986, 12, 8)),
        ("1986-12", PartialDate(1986, 12)),
        ("1986", PartialDate(1986)),
        ("08/12/1986", PartialDate(1986, 12, 8)),
        ("12/31/1986", PartialDate(1986, 12, 31)),  # month first: day 31 cannot be a month
        ("8 Dec 1986", PartialDate(1986, 12, 8)),
        ("December 1986", PartialDate(1986, 12)),
        ("1986-02-30", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: PartialDate | None) -> None:
    assert parse_date(text) == expected


def test_exact_dob_raises_and_conflicting_dob_lowers() -> None:
    listed = _person(dates_of_birth=(DateOfBirth(text="08 Dec 1986", date_from="1986-12-08"),))
    up, items = _effect(Query(name="x", dob="1986-12-08"), listed)
    assert up == evidence.DOB_EXACT
    assert items[0].kind == "dob"
    down, items = _effect(Query(name="x", dob="1970-01-01"), listed)
    assert down == evidence.DOB_CONFLICT < 0
    assert "conflicts" in items[0].detail


def test_dob_day_month_swap_and_year_only() -> None:
    listed = _person(dates_of_birth=(DateOfBirth(text="1986-12-08", date_from="1986-12-08"),))
    swapped, _ = _effect(Query(name="x", dob="1986-08-12"), listed)
    assert swapped == evidence.DOB_SWAPPED
    year, _ = _effect(Query(name="x", dob="1986"), listed)
    assert year == evidence.DOB_PARTIAL
    near, _ = _effect(Query(name="x", dob="1987"), listed)
    assert near == evidence.DOB_YEAR_OFF_BY_ONE


def test_dob_range_and_best_of_several_dates() -> None:
    listed = _person(
        dates_of_birth=(
            DateOfBirth(text="1950", date_from="1950"),
            DateOfBirth(text="1960 to 1962", date_from="1960", date_to="1962"),
        )
    )
    inside, items = _effect(Query(name="x", dob="1961-05-01"), listed)
    assert inside == evidence.DOB_IN_RANGE
    assert "within" in items[0].detail
    outside, _ = _effect(Query(name="x", dob="1990"), listed)
    assert outside == evidence.DOB_CONFLICT


def test_no_listed_dob_is_no_evidence() -> None:
    effect, items = _effect(Query(name="x", dob="1986-12-08"), _person())
    assert (effect, items) == (0.0, [])


def test_country_and_nationality() -> None:
    listed = _person(nationalities=("CN",), addresses=(Address(country="HK"),))
    match, items = _effect(Query(name="x", nationality="China"), listed)
    assert match == evidence.COUNTRY_MATCH and items[0].kind == "nationality"
    conflict, _ = _effect(Query(name="x", nationality="Iran"), listed)
    assert conflict == evidence.COUNTRY_CONFLICT
    address, _ = _effect(Query(name="x", country="Hong Kong"), listed)
    assert address == evidence.COUNTRY_MATCH


def test_vessel_flag_counts_as_country() -> None:
    vessel = _person(type=EntityType.VESSEL, primary_name="SEA STAR", vessel=VesselInfo(flag="Panama"))
    effect, _ = _effect(Query(name="x", type="vessel", country="PA"), vessel)
    assert effect == evidence.COUNTRY_MATCH


def test_gender() -> None:
    listed = _person(gender="male")
    assert _effect(Query(name="x", gender="M"), listed)[0] == evidence.GENDER_MATCH
    assert _effect(Query(name="x", gender="female"), listed)[0] == evidence.GENDER_CONFLICT


def test_type_mismatch_is_penalised_more_for_person_vs_company() -> None:
    company = _person(type=EntityType.ENTITY, primary_name="ACME LTD")
    person_vs_company, items = _effect(Query(name="x", type="person"), company)
    assert person_vs_company == evidence.TYPE_PERSON_MISMATCH
    assert items[0].kind == "type"
    vessel_vs_company, _ = _effect(Query(name="x", type="vessel"), company)
    assert person_vs_company < vessel_vs_company < 0
    assert _effect(Query(name="x", type="entity"), company) == (0.0, [])


def test_identifier_normalisation() -> None:
    assert normalize_identifier("IMO 9 123-456", IdentifierType.IMO) == "9123456"
    assert normalize_identifier("e1234 5678") == "E12345678"
    assert normalize_identifier("0x7F36 7cc4", IdentifierType.DIGITAL_CURRENCY_ADDRESS) == "0X7F367CC4"


def test_weak_identifier_value_match_raises() -> None:
    listed = _person(identifiers=(Identifier(type=IdentifierType.EMAIL, value="a.b@example.com"),))
    effect, items = _effect(
        Query(name="x", identifiers=[{"type": "email", "value": "A.B@example.com"}]), listed
    )
    assert effect == evidence.IDENTIFIER_WEAK_MATCH
    assert items[0].kind == "identifier"


def test_a_name_only_query_gets_the_same_facts_as_any_other() -> None:
    """Name-only queries share cached facts; they must equal what the full reading gives.

    An unrecognised gender is read as none, but takes the full reading.
    """
    for query, forms in [
        (Query(name="x"), ()),
        (Query(name="x"), ("doo",)),
        (Query(name="x", type="person"), ("llc",)),
    ]:
        full_reading = QueryFacts.of(query.model_copy(update={"gender": "unstated"}), forms)
        assert QueryFacts.of(query, forms) == full_reading
        assert QueryFacts.of(query, forms).empty == (query.type == "any" and not forms)
    assert QueryFacts.of(Query(name="x", dob="1970")).dob is not None  # evidence still read
