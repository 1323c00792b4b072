"""Names cut by a payment field's length limit: the pure helpers, then the Screener on the real SDN list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lists.model import ListCode
from lists.sources import parse_bundled
from screening.query import Query
from screening.screener import CUT_FACTOR, Screener
from screening.truncation import (
    CutQuery,
    NamePrefixes,
    cut_like,
    given_names_first,
    is_form_like,
    keeps_a_name_word,
    legal_form_words,
    may_be_cut,
    without_last_word,
    words,
)

MINGZHENG = "MINGZHENG INTERNATIONAL TRADING LIMITED"  # ofac:22583
LLC_FORM = "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU MARKUS"

# --- pure helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "expected"),
    [(33, False), (34, True), (35, True), (36, False), (69, True), (70, True), (71, False), (140, True)],
)
def test_a_name_as_long_as_a_field_limit_may_be_cut(length: int, expected: bool) -> None:
    assert may_be_cut("X" * length) is expected


def test_trailing_spaces_do_not_count_towards_the_length() -> None:
    assert may_be_cut("A" * 30 + "     ") is False
    assert may_be_cut("A" * 34 + " ") is True


def test_a_list_name_is_cut_after_as_many_words_keeping_its_punctuation() -> None:
    assert (
        cut_like(MINGZHENG, words("MINGZHENG INTERNATIONAL TRADING LIM"))
        == "MINGZHENG INTERNATIONAL TRADING LIM"
    )
    assert (
        cut_like("AL-TIKRITI, Sa'd abd-al-Majid", words("AL-TIKRITI, Sa'd abd-al-Ma"))
        == "AL-TIKRITI, Sa'd abd-al-Ma"
    )
    # Nothing of a list name as short as the query can have been cut off.
    assert cut_like("MINGZHENG INTERNATIONAL", words("MINGZHENG INTERNATIONAL TRADING")) is None
    assert cut_like("MINGZHENG TRADING", words("MINGZHENG TRADING")) is None


_name_words = st.lists(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12), min_size=2, max_size=8
)


@given(_name_words, st.data())
def test_a_list_name_cut_like_its_own_prefix_has_the_prefix_words(
    parts: list[str], data: st.DataObject
) -> None:
    name = ", ".join(parts)
    length = data.draw(st.integers(min_value=1, max_value=len(name) - 1))
    prefix = name[:length]
    if not words(prefix):
        return
    cut = cut_like(name, words(prefix))
    assert cut is not None
    assert words(cut) == words(prefix)
    assert name.startswith(cut)


def test_a_listed_person_is_also_read_given_names_first() -> None:
    assert (
        given_names_first("BIN LADIN, Usama bin Muhammad bin Awad") == "Usama bin Muhammad bin Awad BIN LADIN"
    )
    assert given_names_first("MINGZHENG TRADING") is None
    assert given_names_first("YIN,") is None


def test_legal_form_words_are_learnt_from_the_names_the_table_reads() -> None:
    forms = legal_form_words([LLC_FORM, MINGZHENG, "Juan Perez"])
    assert {"obshchestvo", "ogranichennoi", "otvetstvennostyu", "limited"} <= forms
    assert forms.isdisjoint({"markus", "mingzheng", "trading", "juan", "perez"})
    # The lists misspell forms: one edit away still reads as a form's word, a name does not.
    assert is_form_like("obshcestvo", forms)
    assert is_form_like("ogranichenno", forms)
    assert not is_form_like("markus", forms)


def test_a_cut_name_must_keep_a_word_of_the_full_name_that_is_not_a_legal_form() -> None:
    forms = legal_form_words([LLC_FORM])
    full = (
        "obshchestvo",
        "s",
        "ogranichennoi",
        "otvetstsvennostyu",
        "psb",
        "lizing",
    )  # form misspelt on the list
    cut = ("obshchestvo", "s", "ogranichennoi", "otvetst")
    assert not keeps_a_name_word(cut, cut, full, forms, {})
    assert keeps_a_name_word(("psb", "li"), ("psb", "li"), ("psb", "lizing"), forms, {})
    # Only a stub left: it must begin a distinctive word, and be the query's own.
    assert keeps_a_name_word(("samolazov",), ("samolazov",), ("samolazovskoe",), forms, {})
    assert not keeps_a_name_word(("scientifi",), ("scientifi",), ("scientific",), forms, {"scientific": 0.33})
    assert not keeps_a_name_word(("samolazov",), ("samolazuv",), ("samolazovskoe",), forms, {})


def test_the_head_of_a_cut_name_is_the_name_up_to_its_stub() -> None:
    assert without_last_word("LIMITED LIABILITY COMPANY DUBAI WAT") == "LIMITED LIABILITY COMPANY DUBAI"
    assert without_last_word("AL-TIKRITI, Sa'd abd-al-Ma") == "AL-TIKRITI, Sa'd abd-al"
    assert without_last_word("TRANSKAP") == ""


def test_a_cut_query_finds_the_names_it_begins_unless_they_are_too_many() -> None:
    prefixes = NamePrefixes(
        [
            ("JOINT STOCK COMPANY RESEARCH AND DESIGN INSTITUTE SEA THERMAL ENGINEERING", 1),
            ("Joint-Stock Company Research and Development Enterprise ALMAZ", 2),
            ("JOINT STOCK COMPANY RESEARCH INSTITUTE POLYUS", 3),
            ("Kecheng YIN", 4),
        ]
    )
    assert prefixes.beginning_with(CutQuery.of("JOINT STOCK COMPANY RESEARCH AND DE"), 5) == [1, 2]
    assert prefixes.beginning_with(CutQuery.of("joint stock company research"), 5) == [1, 2, 3]
    assert prefixes.beginning_with(CutQuery.of("joint stock company research"), 2) == []
    assert prefixes.beginning_with(CutQuery.of("KECHENG YI"), 5) == [4]
    assert prefixes.beginning_with(CutQuery.of("STOCK COMPANY"), 5) == []


# --- the Screener on the real SDN list ------------------------------------------------------------


@pytest.fixture(scope="module")
def sdn() -> Screener:
    return Screener(parse_bundled(ListCode.OFAC).designations)


def _top(screener: Screener, name: str, **fields: object) -> tuple[str, str | None, float]:
    result = screener.screen(Query(name=name, **fields))
    if not result.matches:
        return result.decision, None, 0.0
    return result.decision, result.matches[0].entity_id, result.matches[0].score


@pytest.mark.parametrize(
    ("cut_name", "entity_id"),
    [
        ("MINGZHENG INTERNATIONAL TRADING LIM", "ofac:22583"),
        ("LIMITED LIABILITY COMPANY SAMOLAZOV", "ofac:49486"),
        ("MYANMA ECONOMIC HOLDINGS PUBLIC COM", "ofac:31517"),
        ("CREDIT BANK OF MOSCOW PUBLIC JOINT", "ofac:35163"),  # cut after a word: 34 characters
        ("Usama bin Muhammad bin Awad BIN LAD", "ofac:6365"),
        # The stub is no word of any list: the names the query begins find it.
        ("LIMITED LIABILITY COMPANY DUBAI WAT", "ofac:32731"),
    ],
)
def test_a_name_cut_at_35_characters_is_found_and_would_not_be_as_written(
    sdn: Screener, cut_name: str, entity_id: str
) -> None:
    assert len(cut_name) in (34, 35)
    decision, found, score = _top(sdn, cut_name)
    assert (decision, found) == ("hit", entity_id)
    assert score <= CUT_FACTOR  # what the field cut off is unseen
    as_written = sdn.screen(Query(name=cut_name, truncated=False))
    assert entity_id not in [m.entity_id for m in as_written.matches]


def test_the_caller_may_say_a_shorter_name_was_cut(sdn: Screener) -> None:
    assert _top(sdn, "MINGZHENG INTL TRADING LIM")[:2] == ("clear", None)
    assert _top(sdn, "MINGZHENG INTL TRADING LIM", truncated=True)[:2] == ("hit", "ofac:22583")


def test_the_explanation_names_the_cut_list_name(sdn: Screener) -> None:
    match = sdn.screen(Query(name="MINGZHENG INTERNATIONAL TRADING LIM")).matches[0]
    assert match.matched_name == MINGZHENG
    assert match.model_dump(mode="json")["explanation"]["name"]["cut"] == {
        "compared_with": "MINGZHENG INTERNATIONAL TRADING LIM",
        "cut_factor": CUT_FACTOR,
    }
    assert "cut like the query" in match.explanation.summary


@pytest.mark.parametrize(
    "cut_name",
    [
        "OBSHCHESTVO S OGRANICHENNOI OTVETST",  # a legal form alone, which some list names misspell
        "LIMITED LIABILITY COMPANY SCIENTIFI",  # a form and the stub of a common word
    ],
)
def test_a_cut_legal_form_alone_never_alerts(sdn: Screener, cut_name: str) -> None:
    assert len(cut_name) == 35
    assert sdn.screen(Query(name=cut_name)).decision == "clear"


def test_a_cut_that_loses_only_the_legal_form_scores_as_the_whole_name(sdn: Screener) -> None:
    # "SICHUAN JUXINHE NETWORK TECHNOLOGY " (35): the plain comparison is exact, no cut factor.
    name = "SICHUAN JUXINHE NETWORK TECHNOLOGY CO., LTD."[:35]
    assert may_be_cut(name)
    assert _top(sdn, name) == ("hit", "ofac:52749", 1.0)
