"""False alerts the screener must not raise: weak-alias acronyms, and short acronyms met by
a long name's initials alone."""

from __future__ import annotations

import pytest

from lists.model import Alias, AliasStrength, Designation, EntityType, ListCode
from screening.query import Query
from screening.screener import Screener


def _entity(source_id: str, name: str, *aliases: Alias) -> Designation:
    return Designation(
        entity_id=f"ofac:{source_id}",
        list=ListCode.OFAC,
        source_id=source_id,
        type=EntityType.ENTITY,
        primary_name=name,
        programs=("X",),
        aliases=aliases,
    )


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(
        [
            _entity("1", "SOUTHERN STATES BANKING GROUP", Alias(name="SSB", strength=AliasStrength.WEAK)),
            _entity("2", "DTC"),
            _entity("3", "PARS GLOBAL TRADING CO. L.L.C"),
            _entity("4", "NATIONAL BANK"),
            _entity("5", "ISLAMIC REVOLUTIONARY GUARD CORPS", Alias(name="IRGC")),
            _entity("6", "KOREA MINING DEVELOPMENT TRADING CORPORATION", Alias(name="KOMID")),
            _entity("7", "ISLAMIC JIHAD UNION", Alias(name="IJU")),
        ],
        {"ofac": "v1"},
    )


def _hits(screener: Screener, name: str, type_: str = "any") -> list[str]:
    return [m.entity_id for m in screener.screen(Query(name=name, type=type_)).matches]


@pytest.mark.parametrize("type_", ["any", "entity"])
def test_a_weak_alias_never_matches_as_the_acronym_of_a_longer_query(screener: Screener, type_: str) -> None:
    assert _hits(screener, "Schmidt, Sanchez and Baker", type_) == []
    assert _hits(screener, "SSB", type_) == ["ofac:1"]  # the weak alias itself still matches


def test_a_long_names_initials_alone_do_not_meet_a_short_list_acronym(screener: Screener) -> None:
    assert _hits(screener, "Dynamic Trading Consultants", "entity") == []
    assert _hits(screener, "Islamic Jihad Union", "entity") == ["ofac:7"]  # through its own name
    # A longer acronym, or a short name's, still does.
    assert _hits(screener, "Islamic Revolutionary Guard Corps", "entity") == ["ofac:5"]
    assert _hits(screener, "DTC", "entity") == ["ofac:2"]
