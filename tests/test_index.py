"""The candidate index: what it files, what it retrieves, and its recall against brute force."""

from __future__ import annotations

import random

import numpy as np
import pytest
from anyascii import anyascii
from rapidfuzz import fuzz

from lists.model import Alias, AliasStrength, Designation, EntityType, Identifier, IdentifierType, ListCode
from screening.index import (
    TWINS_MAX,
    TYPO_HELD_MAX,
    NameIndex,
    filed_typo_keys,
    lookup_keys,
    query_typo_keys,
    word_bits,
)
from screening.names import analyze_name
from screening.query import Query
from screening.screener import Screener
from tests.conftest import BUNDLED_DATA


def _designation(entity_id: str, name: str, **fields) -> Designation:
    code, source_id = entity_id.split(":", 1)
    return Designation(
        entity_id=entity_id,
        list=ListCode(code),
        source_id=source_id,
        type=fields.pop("type", EntityType.ENTITY),
        primary_name=name,
        **fields,
    )


@pytest.fixture(scope="module")
def small_index() -> NameIndex:
    return NameIndex(
        [
            _designation(
                "ofac:1",
                "AL-QAIDA",
                aliases=(
                    Alias(name="THE BASE"),
                    Alias(name="al-qaida"),  # same name again: filed once
                    Alias(name="QAEDA", strength=AliasStrength.WEAK),
                    Alias(name="القاعدة", script="Arab"),
                ),
                identifiers=(Identifier(type=IdentifierType.SWIFT_BIC, value="ABCD EF GH"),),
            ),
            _designation("un:2", "YIN Kecheng", type=EntityType.PERSON),
            _designation(
                "ofac:3",
                "OCEAN TRADER",
                type=EntityType.VESSEL,
                identifiers=(
                    Identifier(type=IdentifierType.IMO, value="IMO 9123456"),
                    Identifier(type=IdentifierType.EMAIL, value="x@example.com"),
                    Identifier(type=IdentifierType.PASSPORT, value="A12"),  # too short to be decisive
                ),
            ),
        ]
    )


def test_every_name_is_filed_once_with_its_kind(small_index: NameIndex) -> None:
    filed = [(n.designation, n.text, n.kind) for n in small_index.names]
    assert filed == [
        (0, "AL-QAIDA", "primary"),
        (0, "THE BASE", "aka"),
        (0, "QAEDA", "weak"),
        (0, "القاعدة", "original-script"),
        (1, "YIN Kecheng", "primary"),
        (2, "OCEAN TRADER", "primary"),
    ]


def test_postings_are_compact_integer_arrays(small_index: NameIndex) -> None:
    for key in analyze_name("YIN Kecheng", "person").index_keys:
        postings = small_index.postings[key]
        assert isinstance(postings, np.ndarray) and postings.dtype == np.int32
        assert 4 in postings.tolist()
    assert all(w > 0 for w in small_index.key_weights.values())


def test_candidates_find_reordered_and_misspelt_names(small_index: NameIndex) -> None:
    def first(name: str, type: str = "any") -> str:
        ids = small_index.candidates(analyze_name(name, type))  # type: ignore[arg-type]
        return small_index.names[ids[0]].text

    assert first("Kecheng Yin", "person") == "YIN Kecheng"
    assert first("Ocean Trador") == "OCEAN TRADER"
    assert small_index.candidates(analyze_name("Zzyzx Qwvbn")) == []


def test_candidates_respect_the_list_filter(small_index: NameIndex) -> None:
    query = analyze_name("Kecheng Yin", "person")
    assert small_index.candidates(query, frozenset({"ofac"})) == []
    assert small_index.all_names(frozenset({"un"})) == [4]
    assert small_index.all_names() == list(range(6))


def test_identifier_index_holds_strong_normalised_values(small_index: NameIndex) -> None:
    assert small_index.identifier_hits("9123456") == ((2, "imo"),)
    assert small_index.identifier_hits("ABCDEFGH") == ((0, "swift_bic"),)
    assert small_index.identifier_hits("XEXAMPLECOM") == ()  # e-mail: evidence, not decisive
    assert small_index.identifier_hits("A12") == ()


def test_designations_sharing_a_name_of_two_words_are_twins() -> None:
    """The same person on two lists is linked through a shared name; one shared word, or a name
    many designations share, links nobody."""
    person = EntityType.PERSON
    common = [_designation(f"ofac:{9 + i}", "ABU ABDULLAH", type=person) for i in range(TWINS_MAX + 1)]
    index = NameIndex(
        [
            _designation("ofac:1", "SULEMANI, Qasem", type=person, aliases=(Alias(name="SOLEIMANI, Qasem"),)),
            _designation("un:2", "QASEM SOLEIMANI", type=person),
            _designation("un:3", "Soleimani", type=person),
            _designation("un:4", "ALI, Qasem", type=person),
            *common,
        ]
    )
    assert index.twins_of(0) == [1]
    assert index.twins_of(1) == [0]
    assert index.twins_of(2) == [] and index.twins_of(3) == []
    assert all(index.twins_of(p) == [] for p in range(4, 5 + TWINS_MAX))
    pairs = NameIndex([_designation(f"ofac:{i}", "ABU ABDULLAH", type=person) for i in range(2)])
    assert pairs.twins_of(0) == [1]


def test_short_words_are_filed_and_looked_up_one_keystroke_off() -> None:
    """A list word of 3-5 letters is filed less each letter; a query's short word is looked up
    less each letter, with neighbours swapped, and as a list word less a letter, unless it is a
    function word or a word many list names hold as it is."""
    hadi = analyze_name("HADI, Abdul", "person")
    assert filed_typo_keys(hadi) == {
        *("d:adi", "d:hdi", "d:hai", "d:had"),
        *("d:bdul", "d:adul", "d:abul", "d:abdl", "d:abdu"),
    }
    assert filed_typo_keys(analyze_name("ABDULRAHMAN", "person")) == set()
    common = {"t:abdul": (TYPO_HELD_MAX + 1, "t:abdul", 0, 1.0)}
    keys = query_typo_keys(analyze_name("HAMDI Abdul", "person"), common)
    assert {"t:hadi", "t:hamd", "t:amdi", "t:hamid", "t:ahmdi"} <= keys
    assert not any(key.endswith(("bdul", "adul", "abul", "abdl", "abdu")) for key in keys)
    assert query_typo_keys(analyze_name("HDI", "person"), {}) >= {"d:hdi", "t:hd", "t:di", "t:dhi"}
    assert query_typo_keys(analyze_name("حسن", "person"), {}) == set()  # Latin words only


# --- recall against brute force on the real UN list ---------------------------------------------


@pytest.fixture(scope="module")
def un_screener() -> Screener:
    from lists.un_xml import parse_un_xml

    return Screener(parse_un_xml(BUNDLED_DATA / "un" / "consolidated.xml").designations)


def _typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, max(2, len(name) - 1))
    return name[:i] + name[i + 1 :]


def _plausible(query: str, name: str) -> bool:
    """A brute-force hit that visibly shares spelling with the query (not a loose phonetic one)."""
    return fuzz.token_set_ratio(anyascii(query).lower(), anyascii(name).lower()) >= 75


def test_index_recall_matches_brute_force_on_real_aliases(un_screener: Screener) -> None:
    """What brute force scores at or above threshold, the index finds too.

    Own-designation recall (the alias's own entry) must be complete, and so must nearly
    all plausible hits. The matching core also gives loose phonetic hits on very common
    names ("Mohammed Ali" / "Wali Mohammad"), which no key ranking can single out among
    hundreds of Mohammads; they only have a looser bound here.
    """
    rng = random.Random(20251123)
    index = un_screener.index
    aliases = [n for n in index.names if n.kind in ("aka", "original-script")]
    queries = [n.text for n in rng.sample(aliases, 25)]
    queries += [_typo(n.text, rng) for n in rng.sample(aliases, 15)]
    queries += ["Mohammed Ali", "Kim Jong", "Islamic Army"]
    expected = found = plausible = plausible_found = 0
    for text in queries:
        query = Query(name=text, limit=50)
        brute = {m.entity_id: m.matched_name for m in un_screener.screen_brute_force(query).matches}
        indexed = {m.entity_id for m in un_screener.screen(query).matches}
        expected += len(brute)
        found += len(brute.keys() & indexed)
        for entity_id, name in brute.items():
            if _plausible(text, name):
                plausible += 1
                plausible_found += entity_id in indexed
    own_expected = own_found = 0
    for name in rng.sample(aliases, 25):
        owner = index.designations[name.designation].entity_id
        query = Query(name=name.text, limit=50)
        if owner in {m.entity_id for m in un_screener.screen_brute_force(query).matches}:
            own_expected += 1
            own_found += owner in {m.entity_id for m in un_screener.screen(query).matches}
    assert plausible > 30 and own_expected >= 20
    assert plausible_found / plausible >= 0.99, (plausible_found, plausible)
    assert own_found == own_expected
    assert found / expected >= 0.9, (found, expected)


def test_long_list_names_around_a_short_query_are_candidates(un_screener: Screener) -> None:
    """A list name that holds all of a short query ranks as the scorer sees it, whatever its length.

    A cosine over key weights ranked long names low: on this list it missed 3 of the 6
    designations the scorer alerts on for "Hassan" and 2 of 4 for "Mohammed" (on all bundled
    lists, 10 alerting designations for "NOOR", "NOOR BARZAN IBRAHIM HASAN AL-TIKRITI" among them).
    """
    for text in ["Hassan", "Mohammed", "NOOR"]:
        query = Query(name=text, limit=50)
        threshold = un_screener.default_threshold
        brute = {m.entity_id for m in un_screener.screen_brute_force(query).matches if m.score >= threshold}
        indexed = {m.entity_id for m in un_screener.screen(query).matches if m.score >= threshold}
        assert brute, text
        assert brute <= indexed, (text, brute - indexed)


def test_a_one_word_query_meets_every_name_holding_its_rare_word(un_screener: Screener) -> None:
    """ "RAD D.O.O." scores 0.85 against "RADULE STEVIC B.I., P.T.P. RAD", which ranked 9th at 0.31 of the best."""
    index = un_screener.index
    holding = set(index.postings["t:akhund"].tolist())
    assert 1 < len(holding) <= 24
    chosen = index.candidates(analyze_name("Akhund", "any"), None, 40, 1.0, 1, 0)
    assert holding <= set(chosen)
    # A two-word query has no such meetings: its ranking decides.
    chosen = index.candidates(analyze_name("Akhund Mullah", "any"), None, 40, 1.0, 1, 0)
    assert not holding <= set(chosen)


def test_word_bits_cover_exactly_the_index_keys(un_screener: Screener) -> None:
    """Every key a name is filed under knows which of its words it came from, and no other key is made."""
    for indexed in un_screener.index.names[:3000]:
        bits = word_bits(indexed.analyzed)
        assert bits.keys() == lookup_keys(indexed.analyzed), indexed.text
        assert all(bits.values()), indexed.text


def test_a_name_lying_inside_the_query_is_a_candidate_however_it_ranks(un_screener: Screener) -> None:
    """A list name of 3+ words all met by the query's keys is scored even below the share cut.

    On all bundled lists "AHMAD MAHAMOOD HASSAN" ranked at 0.44 of the query's self-match
    (its bigram and joined keys, which the query lacks, weigh as much as its words), under
    the 0.5 share cut, though the scorer gives it a hit. Here the cut is 1.0: only the best
    name and names lying inside the query, or the query inside them, pass it.
    """
    index = un_screener.index
    query = analyze_name("AL ASIRI, Ahmad Hassan Mohammed", "any")
    names = [index.names[i].text for i in index.candidates(query, None, 40, 1.0, 1, 0)]
    assert "AHMAD MAHAMOOD HASSAN" in names
    assert "HASSAN" not in names  # one word inside the query is not enough
    # The other way round: the query's three words inside a longer list name.
    query = analyze_name("Ahmad Jan Akhundzada", "person")
    names = [index.names[i].text for i in index.candidates(query, None, 40, 1.0, 1, 0)]
    assert "AHMED JAN AKHUNDZADA WAZIR" in names
