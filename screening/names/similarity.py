"""How alike two tokens are (exact, initial, sound-alike, same skeleton, fuzzy, abjad reading), memoised.

Also how alike two whole names are with their spaces removed (`_joined_similarity`). The
alignment (`screening.names.align`) asks for every token pair of a candidate through
`_memoised_similarity`, declared with the other cross-module functions in similarity.pxd
so that the call is a C call.
"""

from __future__ import annotations

from collections import Counter

import cython
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from screening.names.analysis import _NAME_PARTICLES, is_function_word
from screening.names.magic import (
    ABBREVIATION_MIN,
    ABJAD_JOINED_MIN_CONSONANTS,
    ABJAD_SKELETON_SCORE,
    ALIGN_FLOOR,
    FUZZY_LEV_SHARE,
    INITIAL_SCORE,
    JOINED_LEGAL_FORM_SHARE,
    JOINED_MIN,
    PHONETIC_LEV_MIN,
    PHONETIC_SCORE,
    SHORT_TOKEN_MAX,
    SKELETON_SCORE,
    SOUND_AND_SKELETON_SCORE,
    TYPO_SCORE,
)
from screening.names.model import SYLLABLE
from screening.phonetics import abjad_skeleton, metaphone, nysiis, skeleton
from screening.translit import is_chinese_syllable, is_east_asian_syllable, pinyin_token_to_wade_giles

if cython.compiled:  # the fields typed (model.pxd); plain Python imports the class
    from cython.cimports.libc.string import memset
    from cython.cimports.screening.names.model import _Spelling
else:
    from screening.names.model import _Spelling

# Endings that make another word of the same stem, not an abbreviation's missing letters:
# "Trust Bank" is not "Banking Corporation", "Iran" is not "Iranian".
_WORD_ENDINGS = frozenset(
    {"s", "es", "ed", "er", "ers", "ing", "ings", "al", "ic", "ian", "ians", "ist", "ism"}
)


# Lowest Levenshtein similarity whose fuzzy score can still reach ALIGN_FLOOR (Jaro-Winkler <= 1).
_LEV_CUTOFF = cython.declare(
    cython.double, max(0.0, (ALIGN_FLOOR - (1.0 - FUZZY_LEV_SHARE)) / FUZZY_LEV_SHARE)
)
_NO_MATCH = cython.declare(tuple, (0.0, "missing"))
# C copies of the tuning constants read per token pair, when compiled: a module global is a
# dictionary look-up, and arithmetic with it boxed Python numbers (300 instructions a pair).
_SHORT_MAX = cython.declare(cython.Py_ssize_t, SHORT_TOKEN_MAX)
_PHONETIC_LEV_MIN = cython.declare(cython.double, PHONETIC_LEV_MIN)
_ALIGN_FLOOR = cython.declare(cython.double, ALIGN_FLOOR)
_FUZZY_LEV_SHARE = cython.declare(cython.double, FUZZY_LEV_SHARE)
# Memo of token-pair similarities (pure functions of the two tokens), bounded in size.
_MEMO_LIMIT = 1_000_000
_latin_memo: dict[str, dict[str, tuple[float, str]]] = {}
_abjad_memo: dict[str, dict[str, tuple[float, str]]] = {}
# Entries in both memos: a C global when compiled (a list item cost 240 instructions a miss).
_memo_size = cython.declare(cython.Py_ssize_t, 0)
# The token kind of a syllable, as a C constant when compiled (`_syllabic`).
_SYLLABLE = cython.declare(cython.int, SYLLABLE)


@cython.cfunc
def _added_letters(ta: str, tb: str) -> object:
    """The letters the longer token adds after the shorter one, when it begins with it; else None."""
    la: cython.Py_ssize_t = len(ta)
    lb: cython.Py_ssize_t = len(tb)
    if la < lb:
        return tb[la:] if tb.startswith(ta) else None
    if lb < la:
        return ta[lb:] if ta.startswith(tb) else None
    return None


@cython.ccall
def _abbreviates(ta: str, tb: str) -> cython.bint:
    """Whether the shorter token, of ABBREVIATION_MIN+ letters, begins the longer one (not as its stem)."""
    if len(ta) < ABBREVIATION_MIN or len(tb) < ABBREVIATION_MIN:
        return False
    added = _added_letters(ta, tb)
    return added is not None and added not in _WORD_ENDINGS and (ta if len(ta) < len(tb) else tb).isalpha()


@cython.ccall
def _latin_hopeless(ta: str, tb: str) -> cython.bint:
    """Whether two Latin tokens are surely dissimilar by the cheap tests of `_latin_similarity`.

    Checked before the memo: most token pairs fail these, and they cost less than the memo
    lookup (let alone storing the answer). Exact: `_pair_similarity` gives (0.0, "missing").
    """
    la: cython.Py_ssize_t = len(ta)
    lb: cython.Py_ssize_t = len(tb)
    if la == 1 or lb == 1 or ta == tb:
        return False  # an initial, or the same token
    if la <= _SHORT_MAX or lb <= _SHORT_MAX:
        return not _one_keystroke_apart(ta, tb)
    if (la if la < lb else lb) < _PHONETIC_LEV_MIN * (lb if la < lb else la):
        return True
    return 2 * _shared_letters(ta, tb) < (la if la > lb else lb)


# Bound once: a module attribute lookup per call cost a tenth of the call.
_levenshtein_similarity = Levenshtein.normalized_similarity
_edit_similarity = OSA.normalized_similarity
_jaro_winkler_similarity = JaroWinkler.normalized_similarity


@cython.cfunc
def _shared_letters(ta: str, tb: str) -> cython.Py_ssize_t:
    """How many letters two tokens have in common, repeats counted (the size of their multiset meet)."""
    if cython.compiled:
        # Counts of ASCII letters in a C array; a token with any other letter takes the Counter.
        counts = cython.declare(cython.int[128])  # type: ignore[misc, valid-type]  # a C array of 128 ints
        letter: cython.Py_UCS4
        shared: cython.Py_ssize_t = 0
        memset(counts, 0, cython.sizeof(counts))
        for letter in ta:
            if ord(letter) >= 128:
                return (Counter(ta) & Counter(tb)).total()
            counts[letter] += 1
        for letter in tb:
            if ord(letter) >= 128:
                return (Counter(ta) & Counter(tb)).total()
            if counts[letter] > 0:
                counts[letter] -= 1
                shared += 1
        return shared
    return (Counter(ta) & Counter(tb)).total()


@cython.ccall
def _latin_similarity(ta: str, tb: str) -> tuple[float, str]:
    """Similarity of two different Latin tokens of 2+ letters; below ALIGN_FLOOR reported as 0."""
    if len(ta) <= _SHORT_MAX or len(tb) <= _SHORT_MAX:
        # Syllables ("lu", "su", "kim", "yang") are matched only exactly: a one-letter change is
        # another syllable, and sound-alike codes of syllables agree by chance. Only a typo
        # that makes no other syllable meets ("jog" / "jong", "ail" / "ali").
        return _typo_similarity(ta, tb)
    # The cheapest tests that reject most pairs (nine in ten candidate token pairs) go first.
    # Normalised Levenshtein similarity is at most the shorter length over the longer one.
    la: cython.Py_ssize_t = len(ta)
    lb: cython.Py_ssize_t = len(tb)
    if (la if la < lb else lb) < _PHONETIC_LEV_MIN * (lb if la < lb else la):
        return _NO_MATCH
    # At least (longer length - shared letters) edits apart: most pairs fail here without
    # the rapidfuzz call, whose Python entry costs ten times this count (PHONETIC_LEV_MIN 0.5).
    if 2 * _shared_letters(ta, tb) < (la if la > lb else lb):
        return _NO_MATCH
    lev: cython.double = _levenshtein_similarity(ta, tb)
    if lev < _PHONETIC_LEV_MIN or ta.isdigit() or tb.isdigit():
        return _NO_MATCH
    if _chinese_pair(ta, tb) and not _typed_twice(ta, tb):
        return _NO_MATCH  # two Mandarin syllables, unless a letter typed twice ("kaang" / "kang")
    # Two swapped neighbours are one edit in the fuzzy score ("nazar" / "anzar"); the tests above
    # stay Levenshtein's, so a swap lets no other pair through to the sound-alike tests.
    edit: cython.double = _edit_similarity(ta, tb)
    fuzzy: cython.double = (
        _FUZZY_LEV_SHARE * edit + (1.0 - _FUZZY_LEV_SHARE) * _jaro_winkler_similarity(ta, tb)
        if edit >= _LEV_CUTOFF
        else 0.0
    )
    if not (ta.isalpha() and tb.isalpha()):
        # A token with digits is a code (a tail number, a registration, "3data"): sound-alike
        # codes skip digits ("yv2763" and "yv3360" both sound "YF"), so only spelling counts.
        return (fuzzy, "fuzzy") if fuzzy >= _ALIGN_FLOOR else _NO_MATCH
    best: cython.double = fuzzy
    how = "fuzzy"
    ma, mb = metaphone(ta), metaphone(tb)
    if ma and (ma == mb or nysiis(ta) == nysiis(tb)):
        if best < SOUND_AND_SKELETON_SCORE and ma == mb and ta[0] == tb[0] and skeleton(ta) == skeleton(tb):
            # Same sound and same consonants, only vowels differ: the usual spread of one
            # transliterated name ("laden" / "ladin", "osama" / "usama" aside).
            best, how = SOUND_AND_SKELETON_SCORE, "phonetic"
        elif best < PHONETIC_SCORE:
            best, how = PHONETIC_SCORE, "phonetic"
    elif ta[0] == tb[0] and best < SKELETON_SCORE and skeleton(ta) == skeleton(tb):
        best, how = SKELETON_SCORE, "phonetic"
    return (best, how) if best >= _ALIGN_FLOOR else _NO_MATCH


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _one_keystroke_apart(ta: str, tb: str) -> cython.bint:
    """Whether one letter inserted, dropped or doubled, or two neighbours swapped, makes `tb` of `ta`.

    Letter by letter, without slices: most short token pairs of a candidate are tested here.
    """
    la: cython.Py_ssize_t = len(ta)
    lb: cython.Py_ssize_t = len(tb)
    if la > lb:
        ta, tb = tb, ta
        la, lb = lb, la
    if la < 2 or lb - la > 1:
        return False
    i: cython.Py_ssize_t = 0
    while i < la and ta[i] == tb[i]:
        i += 1
    if i == la:
        return lb == la + 1  # the longer one adds a last letter (equal tokens are no typo)
    shift: cython.Py_ssize_t = lb - la  # 1: a letter inserted at i; 0: two letters swapped at i
    if shift == 0:
        if i + 1 >= la or ta[i] != tb[i + 1] or ta[i + 1] != tb[i]:
            return False
        i += 2
    while i < la:
        if ta[i] != tb[i + shift]:
            return False
        i += 1
    return True


@cython.cfunc
def _typo_similarity(ta: str, tb: str) -> tuple:
    """TYPO_SCORE for short tokens one keystroke apart, unless the change makes another name.

    Not typos: two syllables ("sun" / "un"), a syllable and a word it begins or ends ("li" /
    "ali"), two particles ("el" / "le"), a particle and a name ("al" / "ali"), an acronym's
    letters swapped ("mb" / "bm"). A letter typed twice always is ("abuu", "kkim").
    """
    if not _one_keystroke_apart(ta, tb) or not (ta.isalpha() and tb.isalpha()):
        return _NO_MATCH
    syllables: cython.int = is_east_asian_syllable(ta) + is_east_asian_syllable(tb)
    if syllables == 2:
        return _NO_MATCH  # "sun" / "un", "li" / "il": two Korean or Chinese names
    shorter, longer = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if _typed_twice(shorter, longer):
        return TYPO_SCORE, "typo"
    if len(shorter) == len(longer):  # swapped: "aub" / "abu"
        other = (is_function_word(ta) and is_function_word(tb)) or not (_has_vowel(ta) and _has_vowel(tb))
    else:  # a letter dropped or added: "jog" / "jong", "au" / "abu"
        edge = len(shorter) == 2 and (longer.startswith(shorter) or longer.endswith(shorter))
        other = is_function_word(shorter) or (syllables == 1 and edge)
    return _NO_MATCH if other else (TYPO_SCORE, "typo")


@cython.cfunc
def _has_vowel(token: str) -> cython.bint:
    return any(letter in "aeiouy" for letter in token)


@cython.cfunc
def _typed_twice(ta: str, tb: str) -> cython.bint:
    """Whether one token is the other with one of its letters typed twice ("abuu" / "abu")."""
    shorter, longer = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    if len(longer) != len(shorter) + 1:
        return False
    i: cython.Py_ssize_t = 0
    while i < len(shorter) and shorter[i] == longer[i]:
        i += 1
    doubled = (i > 0 and longer[i] == longer[i - 1]) or (i < len(shorter) and longer[i] == shorter[i])
    return doubled and longer[i + 1 :] == shorter[i:]


@cython.ccall
def _chinese_pair(ta: str, tb: str) -> bool:
    """Both tokens read as Mandarin (pinyin or Wade-Giles) and one is a single syllable."""
    if not (is_chinese_syllable(ta) or is_chinese_syllable(tb)):
        return False
    return _is_chinese_word(ta) and _is_chinese_word(tb)


@cython.ccall
def _is_chinese_word(token: str) -> bool:
    return is_chinese_syllable(token) or pinyin_token_to_wade_giles(token) is not None


@cython.ccall
def _onset(token: str) -> str:
    """How a token starts in an abjad reading: "w" (و as w or v), "y" (ي as y or j), "a" (a vowel) or "".

    The skeleton drops w/y, but at the start of a token they are consonants: "wly" is not
    "lee". And a reading starts with a vowel only where the script writes a letter for it
    (alef, ayn: see `latin_variants`): "ahmdy" (احمدی, Ahmadi) is not "hamid", though both
    are "hmd".
    """
    first = token[0]
    if first == "w" or first == "v":
        return "w"
    if first == "y" or first == "j":
        return "y"
    return "a" if first in "aeiou" else ""


@cython.ccall
def _abjad_similarity(ta: str, tb: str) -> tuple[float, str]:
    if ta.isdigit() or tb.isdigit():
        return _NO_MATCH
    if ta in _NAME_PARTICLES or tb in _NAME_PARTICLES:
        return _NO_MATCH  # a particle ("al") matches only itself, not a name with its skeleton
    if _onset(ta) != _onset(tb):
        return _NO_MATCH
    ka, kb = abjad_skeleton(ta), abjad_skeleton(tb)
    if ka == kb:
        return ABJAD_SKELETON_SCORE, "transliterated"
    # 0.9 x the skeletons' Levenshtein similarity must reach ALIGN_FLOOR (0.8), so they share at
    # least 8/9 of the longer one's letters: most pairs fail here without the rapidfuzz call.
    if 9 * _shared_letters(ka, kb) < 8 * (len(ka) if len(ka) > len(kb) else len(kb)):
        return _NO_MATCH
    sim = _levenshtein_similarity(ka, kb) * 0.9
    return (sim, "transliterated") if sim >= _ALIGN_FLOOR else _NO_MATCH


@cython.ccall
def _pair_similarity(ta: str, tb: str, abjad: bool) -> tuple[float, str]:
    """(similarity, how) of two tokens, initials allowed; below ALIGN_FLOOR gives (0.0, "missing")."""
    if ta == tb:
        return 1.0, "exact"
    if len(ta) == 1 or len(tb) == 1:
        return (INITIAL_SCORE, "initial") if ta[0] == tb[0] else _NO_MATCH
    return _abjad_similarity(ta, tb) if abjad else _latin_similarity(ta, tb)


def clear_similarity_memo() -> None:
    """Forget every memoised token-pair similarity."""
    global _memo_size
    _latin_memo.clear()
    _abjad_memo.clear()
    _memo_size = 0


def _memo_row(memo: dict[str, dict[str, tuple[float, str]]], token: str) -> dict[str, tuple[float, str]]:
    """The memo of `token`'s similarities to other tokens (the whole memo is dropped when full)."""
    row = memo.get(token)
    if row is None:
        if _memo_size >= _MEMO_LIMIT:
            clear_similarity_memo()
        row = memo[token] = {}
    return row


@cython.cfunc
def _similarity_row(token: str, abjad: cython.bint) -> dict:
    """The memo row of `token`'s similarities (`_memoised_similarity`'s first argument)."""
    memo = _abjad_memo if abjad else _latin_memo
    row = memo.get(token)
    if row is None:
        row = _memo_row(memo, token)
    return row


@cython.cfunc
def _memoised_similarity(row: dict, ta: str, tb: str, abjad: cython.bint) -> tuple:
    """`_pair_similarity(ta, tb, abjad)`, from `row` (ta's memo row) or stored there."""
    global _memo_size
    if not abjad and _latin_hopeless(ta, tb):
        return _NO_MATCH  # known without the memo (most pairs)
    found = row.get(tb)
    if found is None:
        found = row[tb] = _pair_similarity(ta, tb, abjad)
        _memo_size += 1
    return found


@cython.cfunc
def _other_form(ta: str, tb: str) -> cython.bint:
    """Whether one word is the other with a word ending added ("bank" / "banking").

    Another word of the same stem names another business: "Sumitomo Mitsui Trust Bank" is
    not "Sumitomo Mitsui Banking Corporation", though rigour files both words under BANK.
    """
    added = _added_letters(ta, tb)
    return added is not None and added in _WORD_ENDINGS


@cython.ccall
def _joined_similarity(q: _Spelling, c: _Spelling, abjad: bool) -> float:
    """Similarity of the whole names with spaces removed, counted only when very close.

    Not for names written syllable by syllable (Chinese, Korean) with the same number of
    tokens: a one-letter difference over "kim yong sun" / "kim yong su" is another syllable,
    not a typo. Abjad skeletons are compared only when one name is a single token
    ("عبد الله" / "abdullah") or both have the same 3+ tokens: whole-name skeletons of
    short names agree far too often by chance ("mrym mrad" / "omar omar awadh").
    """
    nq, nc = len(q.tokens), len(c.tokens)
    if abjad:
        if not (min(nq, nc) == 1 or nq == nc >= 3):
            return 0.0
        # The abjad skeleton, as for single words: the Latin one drops j and merges a letter
        # repeated around a vowel, so "abd al jlyl al bdyry" and "abd al aaly abw dhr" were
        # both "bdlbdr" (0.95); as abjad skeletons they are "bdljllbdr" and "bdllbdr".
        a = abjad_skeleton(q.joined)
        if len(a) < ABJAD_JOINED_MIN_CONSONANTS:
            return 0.0
        b = abjad_skeleton(c.joined)
        scale = ABJAD_SKELETON_SCORE
    else:
        if nq == nc and (_syllabic(q) or _syllabic(c)):
            return 0.0
        a, b = q.joined, c.joined
        scale = 1.0
    la, lb = len(a), len(b)
    # Normalised Levenshtein similarity is at most min/max length: skip hopeless pairs.
    if not la or not lb or min(la, lb) < JOINED_MIN * max(la, lb):
        return 0.0
    # Letters of legal forms count only partly in the edit budget: "BM BANK PJSC" and "VTB
    # BANK PJSC" differ in the only words that say which bank, however long the form.
    full = max(la, lb)
    core = 0 if abjad else max(len("".join(q.tokens)), len("".join(c.tokens)))
    # At least (full - shared letters) edits apart: most pairs are ruled out without rapidfuzz.
    unshared = full - _shared_letters(a, b)
    if not core or core >= full:
        if 10 * unshared > full:  # similarity at most 1 - unshared / full < JOINED_MIN (0.9)
            return 0.0
        return scale * Levenshtein.normalized_similarity(a, b, score_cutoff=JOINED_MIN)
    budget = core + JOINED_LEGAL_FORM_SHARE * (full - core)
    if 1.0 - unshared / budget < JOINED_MIN:
        return 0.0
    similarity = 1.0 - Levenshtein.distance(a, b) / budget
    return similarity if similarity >= JOINED_MIN else 0.0


@cython.ccall
@cython.boundscheck(False)  # i < len(kinds)
@cython.wraparound(False)
def _syllabic(sp: _Spelling) -> cython.bint:
    """Written syllable by syllable: at least two tokens and most of them name syllables."""
    kinds: tuple = sp.kinds
    n: cython.Py_ssize_t = len(kinds)
    if n < 2:
        return False
    # A C loop when compiled: `kinds.count` cost 500 instructions a call, and the scorer asks
    # for every pair of 3+ token spellings.
    i: cython.Py_ssize_t
    kind: cython.int
    syllables: cython.Py_ssize_t = 0
    for i in range(n):
        kind = kinds[i]
        if kind == _SYLLABLE:
            syllables += 1
    return 2 * syllables > n
