"""Token-pair similarity: the compiled scorer's shortcuts never change a result."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import screening
from screening.names import analysis, similarity
from tests.plain_source import plain_source_module

PLAIN = plain_source_module("names.similarity")
# Few letters, so that random tokens are often alike; "é" and "ß" take the non-ASCII path.
LETTERS = "abdehiklmnorsuy0é"
tokens = st.text(alphabet=LETTERS, min_size=2, max_size=14)


@st.composite
def token_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """A token and a misspelling of it (a few letters changed, dropped or added): often near the cut."""
    token = draw(tokens)
    other = list(token)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(other)))
        edit = draw(st.sampled_from(["change", "drop", "add"]))
        if edit == "add" or at == len(other):
            other.insert(at, draw(st.sampled_from(LETTERS)))
        elif edit == "drop" and len(other) > 2:
            del other[at]
        else:
            other[at] = draw(st.sampled_from(LETTERS))
    return token, "".join(other)


def _without_letter_bound(ta: str, tb: str, abjad: bool = False) -> tuple[float, str]:
    """The token-pair similarity as plain Python with the shared-letter shortcut switched off."""
    bound = PLAIN._shared_letters
    PLAIN._shared_letters = lambda a, b: max(len(a), len(b))
    try:
        return PLAIN._abjad_similarity(ta, tb) if abjad else PLAIN._latin_similarity(ta, tb)
    finally:
        PLAIN._shared_letters = bound


@settings(max_examples=3000, deadline=None)
@given(st.one_of(token_pairs(), st.tuples(tokens, tokens)))
def test_the_shared_letter_bound_rejects_only_pairs_levenshtein_rejects(pair: tuple[str, str]) -> None:
    ta, tb = pair
    assert similarity._latin_similarity(ta, tb) == _without_letter_bound(ta, tb)
    assert PLAIN._latin_similarity(ta, tb) == _without_letter_bound(ta, tb)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(token_pairs(), st.tuples(tokens, tokens)))
def test_the_shared_letter_bound_keeps_every_abjad_skeleton_match(pair: tuple[str, str]) -> None:
    ta, tb = pair
    assert similarity._abjad_similarity(ta, tb) == _without_letter_bound(ta, tb, abjad=True)
    assert PLAIN._abjad_similarity(ta, tb) == _without_letter_bound(ta, tb, abjad=True)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(token_pairs(), st.tuples(tokens, tokens), st.tuples(tokens, st.sampled_from("ab"))))
def test_a_pair_called_hopeless_before_the_memo_has_no_similarity(pair: tuple[str, str]) -> None:
    ta, tb = pair
    for module in (similarity, PLAIN):
        if module._latin_hopeless(ta, tb):
            assert module._pair_similarity(ta, tb, False) == (0.0, "missing")
    assert similarity._latin_hopeless(ta, tb) == PLAIN._latin_hopeless(ta, tb)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(token_pairs(), st.tuples(tokens, tokens)), st.sampled_from(["any", "entity"]), st.booleans())
def test_the_shared_letter_bound_keeps_every_whole_name_match(
    pair: tuple[str, str], type_: str, with_form: bool
) -> None:
    """Whole names compared with spaces removed: the bound rules out only what Levenshtein would."""
    ta, tb = pair
    form = " ltd" if with_form else ""
    q = analysis.analyze_name(f"{ta[:5]} {ta[5:]}{form}", type_).spellings[0]
    c = analysis.analyze_name(f"{tb[:4]} {tb[4:]}", type_).spellings[0]
    for abjad in (False, True):
        bound = PLAIN._shared_letters
        PLAIN._shared_letters = lambda a, b: max(len(a), len(b))  # all shared: the bound never rules out
        try:
            expected = PLAIN._joined_similarity(q, c, abjad)
        finally:
            PLAIN._shared_letters = bound
        assert similarity._joined_similarity(q, c, abjad) == expected
        assert PLAIN._joined_similarity(q, c, abjad) == expected


@given(tokens)
def test_a_token_shares_all_its_letters_with_itself_and_its_anagrams(token: str) -> None:
    assert PLAIN._shared_letters(token, token) == len(token)
    assert PLAIN._shared_letters(token, token[::-1]) == len(token)


def test_the_names_module_under_test_is_compiled() -> None:
    assert screening.compiled_modules()["names.similarity"]
    assert similarity.__file__ != PLAIN.__file__
