"""Normalisation of real list spellings: case, diacritics, punctuation, apostrophes, NBSP."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from screening.normalize import _APOSTROPHES, clean_text, normalize_latin


def test_diacritics_case_and_punctuation() -> None:
    assert normalize_latin("PLENKOVIĆ, Andrej") == "plenkovic andrej"
    assert normalize_latin("Micheál Martin") == "micheal martin"


def test_letters_no_mark_stripping_reaches_are_read_in_ascii() -> None:
    # "ł", "đ", "ı", "ø", "æ", "þ" are letters of their own (NFKD keeps them): lists and customer
    # files write them "l", "d", "i", "o", "ae", "th".
    assert normalize_latin("WAŁĘSA, Lech") == "walesa lech"
    assert normalize_latin("Đorđević") == "dordevic"
    assert normalize_latin("Yılmaz") == normalize_latin("YILMAZ") == "yilmaz"
    assert normalize_latin("Søren Ærø") == "soren aero"
    assert normalize_latin("Þórður") == "thordur"
    # Other scripts keep their letters: transliteration reads them, not this table.
    assert normalize_latin("Путин") == "путин"


def test_hyphen_variants_apostrophes_and_nbsp() -> None:
    assert normalize_latin("BASHIR\u2011UD\u2010DIN") == "bashir ud din"
    assert normalize_latin("O'BRIEN") == normalize_latin("O\u2019Brien") == "obrien"
    assert normalize_latin("SA'AD\u00a0BIN LADEN") == "saad bin laden"


def test_a_name_of_only_apostrophes_normalises_to_nothing() -> None:
    """Found by the property test: every typographic apostrophe removed left "" and max("") raised
    (the service refuses such a name first, with 422; the engine called directly raised)."""
    for text in ("\u2019", "\u02bc", " \u2019 ", "\u2018\u2019"):
        assert clean_text(text) == normalize_latin(text) == ""


def test_nfkc_full_width_and_ligatures() -> None:
    assert normalize_latin("ＡＬ－ＱＡＥＤＡ") == "al qaeda"
    assert normalize_latin("ﬁnance") == "finance"


def test_clean_text_keeps_script() -> None:
    assert clean_text("ООО «Ромашка»") == "ооо ромашка"


def test_vowel_signs_stay_inside_their_word() -> None:
    """Combining marks are not separators: vocalised Arabic, pointed Hebrew, Devanagari stay whole words."""
    assert clean_text("مُحَمَّد عَلِي").split() == ["مُحَمَّد", "عَلِي"]
    assert clean_text("שָׁלוֹם") == "שָׁלוֹם"
    assert clean_text("नरेंद्र मोदी").split() == ["नरेंद्र", "मोदी"]
    # Underscores and punctuation still separate.
    assert clean_text("foo_bar-baz.qux") == "foo bar baz qux"


def test_marks_beyond_the_basic_plane_stay_inside_their_word() -> None:
    """Brahmi vowel signs (plane 1) are marks too; texts reaching past U+FFFF take the wider class."""
    ashoka = "\U00011005\U00011032\U00011044\U00011013"  # 𑀅𑀲𑁄𑀓
    assert clean_text(f"{ashoka}_raja") == f"{ashoka} raja"
    assert clean_text("é_x") == "é x"


def _reference_clean_text(text: str) -> str:
    """clean_text spelled out character by character: what the fast regex paths must equal."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if ch not in _APOSTROPHES)
    kept = (
        ch if ch != "_" and (ch.isalnum() or unicodedata.category(ch).startswith("M")) else " " for ch in text
    )
    return " ".join("".join(kept).split())


@given(st.text(max_size=40))
def test_clean_text_equals_its_character_by_character_definition(text: str) -> None:
    assert clean_text(text) == _reference_clean_text(text)
