"""Normalisation of real list spellings: case, diacritics, punctuation, apostrophes, NBSP."""

from screening.normalize import clean_text, normalize_latin


def test_diacritics_case_and_punctuation() -> None:
    assert normalize_latin("PLENKOVIĆ, Andrej") == "plenkovic andrej"
    assert normalize_latin("Micheál Martin") == "micheal martin"


def test_hyphen_variants_apostrophes_and_nbsp() -> None:
    assert normalize_latin("BASHIR\u2011UD\u2010DIN") == "bashir ud din"
    assert normalize_latin("O'BRIEN") == normalize_latin("O\u2019Brien") == "obrien"
    assert normalize_latin("SA'AD\u00a0BIN LADEN") == "saad bin laden"


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
