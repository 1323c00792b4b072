"""Transliteration under several systems, from real list and eval names."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.legal_forms import split_legal_forms
from screening.normalize import clean_text
from screening.translit import korean_rr_name_to_mr, latin_variants, scripts_of, wade_giles_syllable


def test_cyrillic_systems_include_bgn_german_and_french_habits() -> None:
    variants, abjad = latin_variants("Владимир Путин")
    assert variants[0] == "vladimir putin"
    assert "wladimir putin" in variants
    assert not abjad
    assert "setchin" in latin_variants("Сечин")[0]
    assert "dmitry medvedev" in latin_variants("Дмитрий Медведев")[0]


def test_han_pinyin_and_wade_giles() -> None:
    variants, _ = latin_variants("习近平")
    assert variants[0] == "xi jinping"
    assert "hsi chinping" in variants
    assert wade_giles_syllable("zhou") == "chou"
    assert wade_giles_syllable("qing") == "ching"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("김정은", "kim jong un"),
        ("박지성", "park ji sung"),
        ("이민호", "lee min ho"),
        # An initial ㄹ is r, as Revised Romanisation and North Korean names write it (ICU: l).
        ("리병철", "ri byong chol"),
        ("최룡해", "choe ryong hae"),
    ],
)
def test_hangul_common_romanisations(text: str, expected: str) -> None:
    assert expected in latin_variants(text)[0]


def test_arabic_and_hebrew_are_flagged_as_abjad() -> None:
    variants, abjad = latin_variants("محمد علي")
    assert abjad and variants[0].startswith("mhmd")
    assert latin_variants("משה")[1]


def test_japanese_kanji_reading() -> None:
    assert "yamada taro" in latin_variants("山田太郎")[0]


def test_latin_pinyin_reads_as_wade_giles() -> None:
    from screening.translit import pinyin_name_to_wade_giles

    assert pinyin_name_to_wade_giles(("xi", "jinping")) == ("hsi", "chinping")
    assert pinyin_name_to_wade_giles(("mao", "zedong")) == ("mao", "tsetung")
    # Names that are not pinyin throughout get no Wade-Giles reading.
    assert pinyin_name_to_wade_giles(("angela", "merkel")) is None
    assert pinyin_name_to_wade_giles(("kim", "jong", "un")) is None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=40))
def test_clean_ascii_text_is_its_own_only_latin_spelling(text: str) -> None:
    """`names._read` skips `latin_variants` for clean ASCII text: it must give the text itself."""
    rest, _ = split_legal_forms(clean_text(text), organisation=True)
    if rest.isascii():
        assert latin_variants(rest) == ([rest], False)
        assert not scripts_of(rest) - {"Latn", "Zyyy", "Zinh", "Zzzz"}


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (("gim", "jeong", "eun"), ("kim", "jong", "un")),  # Revised Romanisation, as KIM Jong Un is listed
        (("kim", "yeo", "jeong"), ("kim", "yo", "jong")),
        (("kim", "jongeun"), ("kim", "jongun")),  # a given name written solid
        (("jeong", "eun", "ji"), ("jung", "un", "ji")),  # surname first: its common spelling
        (("kim", "jong", "un"), None),  # nothing only Revised Romanisation writes
        (("choe", "ryong", "hae"), None),  # listed so: left alone
        (("kim", "geoffrey"), None),  # not Korean syllables
        (("leonard", "cohen"), None),  # no Korean surname
    ],
)
def test_latin_korean_in_revised_romanisation_gets_its_mccune_reischauer_reading(
    tokens: tuple[str, ...], expected: tuple[str, ...] | None
) -> None:
    assert korean_rr_name_to_mr(tokens) == expected
