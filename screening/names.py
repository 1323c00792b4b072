"""Name analysis and pair scoring: the contract between the matching core and the index.

`analyze_name` does all the slow work once per name (Unicode normalisation,
transliteration under several systems, legal-form extraction, phonetic codes,
consonant skeletons, index keys). `score_names` is called for every candidate of
every query, so it only compares precomputed tuples with rapidfuzz's C functions.

Scoring, in short: query and candidate tokens are aligned one-to-one (greedy on
the best token similarity: exact, initial, phonetic, transliterated skeleton or
fuzzy); adjacent tokens that were joined on one side ("juxin he" / "juxinhe") are
aligned as one. Each token carries a distinctiveness weight (IDF over the list
names). The score is the weighted share of matched evidence, where unmatched
tokens of the fuller name cost only `EXTRA_TOKEN_COST` of their weight (lists
carry middle names and patronymics a customer record omits), and unmatched
tokens of the shorter name cost all of it. Legal forms are kept aside and only
nudge the score. Transliterated names carry several Latin spellings; the best
pairing wins.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import cython
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rigour.names import extract_org_types, remove_obj_prefixes, remove_person_prefixes

from screening.legal_forms import form_written_otherwise, split_legal_forms
from screening.normalize import clean_text, join_initialisms, normalize_latin, tokenize
from screening.org_words import known_symbols, org_symbols
from screening.phonetics import abjad_skeleton, metaphone, nysiis, skeleton
from screening.rigour_private import person_name_prefixes
from screening.token_weights import DEFAULT_WEIGHTS, UNKNOWN_TOKEN_WEIGHT
from screening.translit import (
    han_word_reading,
    is_chinese_syllable,
    korean_rr_name_to_mr,
    latin_variants,
    pinyin_name_to_wade_giles,
    pinyin_token_to_wade_giles,
    scripts_of,
)

NameType = Literal["person", "entity", "vessel", "aircraft", "any"]

# Cost of a token present only in the fuller name, as a share of its weight.
EXTRA_TOKEN_COST = 0.15
# The same for entities, vessels and aircraft (no middle names). F1 on the labelled pairs is the
# same from 0.33 to 0.40 (0.30 adds false positives); the low end alerts on a company named
# without its generic words ("Shanghai Heiying" for "... Heiying Information Technology Co.").
ENTITY_EXTRA_TOKEN_COST = 0.33
# Aligned pairs needed before the fuller name's other parts count as optional middle names.
CORE_PAIRS = 2
# Syllable-length tokens (Chinese/Korean syllables, "lu", "su"): matched only exactly and
# never treated as optional when unmatched.
SHORT_TOKEN_MIN = 2
SHORT_TOKEN_MAX = 3
# Longer tokens that are one Mandarin syllable ("chen", "zhou", "ping") are syllables too.
CHINESE_SYLLABLE_MAX = 6
# Cost of each side's unmatched weight when both sides have unmatched tokens.
CONFLICT_COST = 1.0
# Share of Levenshtein (vs Jaro-Winkler) in the fuzzy similarity of two tokens.
FUZZY_LEV_SHARE = 0.5
# Near-misses count for less than their raw similarity: credit = similarity ** power.
SIMILARITY_POWER = 1.0
# Token pairs less similar than this are not aligned at all.
ALIGN_FLOOR = 0.8
# Sound-alike or same-skeleton tokens must still share this much spelling (Levenshtein
# similarity): "yang" / "yonghao" share a Metaphone key but are different names.
PHONETIC_LEV_MIN = 0.5
# Similarity credited for an initial that agrees with a full token ("J" / "Joachim").
INITIAL_SCORE = 0.9
# Multiplier when the only aligned pairs are initials against words.
INITIALS_ONLY_FACTOR = 0.5
# Credits for sound-alike or same-skeleton tokens (the fuzzy score may be higher).
PHONETIC_SCORE = 0.86
# Sound-alike with the same consonant skeleton and first letter (name_pairs F1 unchanged at 0.88,
# 0.90 lifts "OSAMA BIN LADEN" / "BIN LADIN, Osama bin Muhammad bin Awad" from 0.83 to 0.85).
SOUND_AND_SKELETON_SCORE = 0.9
SKELETON_SCORE = 0.82
ABJAD_SKELETON_SCORE = 0.95
# Shortest whole-name consonant skeleton compared in an abjad script: three consonants agree by
# chance ("asra azizi" and "syriss" are both "srs"); "abd allah" / "abdullah" ("bdlh") keeps four.
ABJAD_JOINED_MIN_CONSONANTS = 4
# Whole-name comparison of the joined tokens (catches joins/splits anywhere).
JOINED_MIN = 0.9
# Share of legal-form letters in the edit budget of that comparison (name_pairs F1 at 0.84:
# 1.0 gives 0.8821, 0.5 gives 0.8829, 0.0 gives 0.8816).
JOINED_LEGAL_FORM_SHARE = 0.5
# Longest middle token joined with its neighbours ("bashir ud din" / "bashiruddin").
JOIN_PARTICLE_MAX = 3
# Shortest one-token query treated as a mononym (shorter ones are initials or fragments).
MONONYM_MIN_LENGTH = 3
# Multiplier when both names carry legal forms and they share none.
LEGAL_FORM_MISMATCH = 0.97
# Organisation names: a token that spells the initials of a run of the other name's words
# ("us" / "united states", "pla" / "peoples liberation army") is aligned with the run.
ACRONYM_MIN_WORDS = 2
# An acronym that is the whole name needs this many letters: "SK" alone spells Sberbank
# Kapital, Seaport of Kerch, Sumiyoshi-Kai and a hundred other pairs of words.
LONE_ACRONYM_MIN_LETTERS = 3
ACRONYM_MAX_WORDS = 6
ACRONYM_SCORE = 0.95
# In an organisation's name, a word of 4+ letters that begins another is its abbreviation or a
# truncation ("tech" / "technology"; "techno", cut by a 35-character payment field). Not for
# persons: "Ivan" begins "Ivanov", "Petr" begins "Petrov".
ABBREVIATION_MIN = 4
ABBREVIATION_SCORE = 0.85
# In an organisation's name, two words rigour's table reads as the same generic word ("grp" /
# "group", "tech" / "technologies", "科技" read as "tech"; `screening.org_words`).
SYMBOL_SCORE = 0.95
# Share of an organisation's extra-word cost waived for a generic word (one with a symbol).
# 1.0 measured F1 0.8867 against 0.8854 and 4,309 SDN aliases against 4,304 (Faker alerts 35
# both), but it scores "Shanghai Heiying" 1.0, an exact match, against "Shanghai Heiying
# Information Technology", and made a brute-force hit the index misses (recall 128/129).
GENERIC_WORD_DISCOUNT = 0.5
# Endings that make another word of the same stem, not an abbreviation's missing letters:
# "Trust Bank" is not "Banking Corporation", "Iran" is not "Iranian".
_WORD_ENDINGS = frozenset(
    {"s", "es", "ed", "er", "ers", "ing", "ings", "al", "ic", "ian", "ians", "ist", "ism"}
)


@cython.no_gc
@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class _Spelling:
    """One Latin spelling of a name, with every per-token feature precomputed.

    A Cython extension type when compiled (a plain dataclass otherwise): the scorer reads
    these fields for every candidate, and a typed field is a C struct read where a slot of a
    dataclass went through Python's attribute lookup (7% of a query's instructions).
    """

    tokens: tuple
    metaphones: tuple
    skeletons: tuple
    token_set: frozenset
    # Adjacent tokens joined: "juxin"+"he" -> (index of "juxin", 2); and three tokens around a
    # short particle, as Arabic compounds are written both ways: "bashir ud din" -> (i, 3).
    joins: dict
    joined: str  # all tokens incl. legal forms, no spaces, original order
    joined_skeleton: str
    patronyms: frozenset  # skeletons of tokens after "bin"/"ibn"/"ben"
    kinds: tuple  # per token: ORDINARY, SYLLABLE or FUNCTION_WORD (see `token_kind`)
    join_keys: frozenset  # keys of `joins`, for a fast disjointness test
    # Initials of runs of words (function words skipped inside a run) -> (first index, span).
    acronyms: dict
    acronym_keys: frozenset
    # For a name that may be an organisation's: per token, its generic-word symbols
    # (`screening.org_words`), None where not looked up yet (the scorer looks a query's words
    # up when it needs them; `cache_token_weights` a list name's, and empties the list of one
    # that has none). None for a person's name.
    symbols: object = cython.dataclasses.field(default=None, repr=False, compare=False)
    # [weights mapping, per-token weights under it]: filled on first use by `_token_weights`.
    weight_cache: list = cython.dataclasses.field(default_factory=list, repr=False, compare=False)


@cython.no_gc
@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class AnalyzedName:
    """A name prepared once (at index build or query time) for fast repeated scoring.

    `index_keys` (the keys the candidate index files this name under and looks
    queries up by), over every Latin spelling of the name:
      - "t:<token>"      each normalised token (legal forms removed);
      - "t:<tok1tok2>"   each concatenation of two adjacent tokens, legal forms
                         included, so "jsc argument" meets "jscargument" and
                         "juxin he" meets "juxinhe"; also three tokens around a short
                         particle ("bashir ud din" -> "t:bashiruddin");
      - "m:<metaphone>"  Metaphone of each token of 2+ letters (sound-alikes, many
                         one-letter typos and Cyrillic/German habits: v/w, ch/tsch);
      - "k:<skeleton>"   consonant skeleton of each token of 2+ letters (vowel
                         changes, Arabic/Hebrew names written without vowels);
      - "p:<prefix4>"    first four letters of each token of 5+ letters (typos late
                         in a long token that change its Metaphone);
      - "j:<skeleton>"   skeleton of the whole joined name (fully joined/split names).
    Keys of very common tokens (low weight) make long posting lists; the index may
    skip keys whose token weight is below its own cut-off when other keys exist.
    """

    # Fields typed as the builtin containers (a C struct member each when compiled).
    original: str
    type: str  # a NameType
    tokens: tuple  # normalised Latin name tokens (str), legal forms removed
    legal_forms: tuple  # canonical legal-form tokens found, e.g. ("ltd",)
    index_keys: frozenset  # keys (str) the candidate index files / looks up this name by
    # Added fields (not part of the original contract):
    # Of _Spelling: every Latin reading of the name, first = tokens.
    spellings: tuple = cython.dataclasses.field(default=(), repr=False, compare=False, hash=False)
    abjad: cython.bint = False  # written in a script without short vowels (Arabic, Hebrew, Thai)
    script_tokens: tuple = ()  # all Latin token tuples, first = tokens
    scripts: frozenset = frozenset()  # non-Latin scripts the name is written in (ISO 15924)


@cython.dataclasses.dataclass(frozen=True)
@cython.cclass
class TokenMatch:
    """How one query token was matched, for the analyst-readable explanation.

    An extension type when compiled: a frozen dataclass set each field through
    object.__setattr__, a fifth of the cost of explaining a match.
    """

    query_token: str
    list_token: object  # str, or None: nothing on the list side matched it
    how: str  # "exact" | "phonetic" | "transliterated" | "fuzzy" | "initial" | "acronym" | "abbreviation" | "symbol" | "missing"
    score: cython.double
    weight: cython.double


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float  # in [0, 1]
    token_matches: tuple[TokenMatch, ...]
    notes: tuple[str, ...] = ()


# Arabic/Persian particles written several ways; one spelling each so they align exactly.
_PARTICLES = {"ibn": "bin", "ben": "bin", "bint": "bint", "abou": "abu", "el": "al", "ul": "al"}
# Particles and connectives of names and company names: never a name part of their own.
# (A general stopword list would also take Chinese syllables such as "na" or "he".)
_NAME_PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ad",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "ad",
        "bin",
        "ibn",
        "ben",
        "bint",
        "abu",
        "abou",
        "umm",
        "ould",
        "wa",
        "de",
        "da",
        "di",
        "do",
        "du",
        "del",
        "della",
        "dela",
        "dos",
        "das",
        "des",
        "der",
        "den",
        "di",
        "la",
        "le",
        "les",
        "lo",
        "van",
        "von",
        "ten",
        "ter",
        "y",
        "e",
        "i",
        "et",
        "und",
        "and",
        "the",
        "of",
        "for",
    ]
)
# Tokens that introduce a father's name: the next token is a patronym.
_PATRONYM_MARKERS = frozenset({"bin", "bint", "ould", "walad"})
# Multiplier when both names give a father's name (X bin Y) and the fathers differ.
PATRONYM_CONFLICT = 0.8


def _patronyms(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        {
            skeleton(tokens[i + 1])
            for i in range(len(tokens) - 1)
            if tokens[i] in _PATRONYM_MARKERS and tokens[i + 1] not in _PATRONYM_MARKERS
        }
    )


# Every spelling of rigour's person-name prefixes ("Mr", "Sheikh", "Colonel"): a token that is
# none of them cannot be stripped by `remove_person_prefixes`, whose regex over 135 titles costs
# 7 us a call; only tokens in this set (or starting with a non-word character) are tried with it.
_PERSON_PREFIX_SPELLINGS = frozenset(
    spelling for prefix in person_name_prefixes() for spelling in (prefix.lower(), prefix.casefold())
)


def _may_be_person_prefix(token: str) -> bool:
    """Whether `remove_person_prefixes(token + " x")` can strip anything (a cheap necessary test)."""
    first = token[:1]
    return token in _PERSON_PREFIX_SPELLINGS or not (first.isalnum() or first == "_")


@functools.lru_cache(maxsize=65536)
def is_function_word(token: str) -> bool:
    """Stopwords ("de", "and"), particles ("bin", "abu"), titles ("mr"), vessel prefixes ("mv"), legal forms ("sa")."""
    if token in _PARTICLES or token in _PARTICLES.values() or token in _PATRONYM_MARKERS:
        return True
    if token in _NAME_PARTICLES:
        return True
    probe = token + " x"
    if remove_obj_prefixes(probe) != probe or extract_org_types(token):
        return True
    return _may_be_person_prefix(token) and remove_person_prefixes(probe) != probe


def is_name_syllable(token: str) -> bool:
    """A 2-3 letter token that is part of a name ("su", "lu", "jin"), not a function word.

    Chinese and Korean names are written syllable by syllable; a missing or different
    syllable is a different name, never an omitted middle name.
    """
    return (
        SHORT_TOKEN_MIN <= len(token) <= SHORT_TOKEN_MAX and token.isalpha() and not is_function_word(token)
    )


# Kinds of tokens for the cost of leaving them unmatched.
ORDINARY, SYLLABLE, FUNCTION_WORD = 0, 1, 2


@functools.lru_cache(maxsize=65536)
def token_kind(token: str) -> int:
    """How costly leaving `token` unmatched is: ORDINARY, SYLLABLE or FUNCTION_WORD."""
    if is_function_word(token):
        return FUNCTION_WORD
    if is_name_syllable(token) or (
        SHORT_TOKEN_MIN <= len(token) <= CHINESE_SYLLABLE_MAX and is_chinese_syllable(token)
    ):
        return SYLLABLE
    return ORDINARY


def _acronyms(tokens: tuple[str, ...], kinds: tuple[int, ...]) -> dict[str, tuple[int, int]]:
    """Initials of each run of ACRONYM_MIN_WORDS+ name words: "peoples liberation army" -> "pla".

    Runs start and end on a name word; function words inside ("department of state") are
    skipped. Only runs of 2+ letter words: a run of initials is not spelled out by anything.
    """
    found: dict[str, tuple[int, int]] = {}
    n = len(tokens)
    for i in range(n):
        if kinds[i] == FUNCTION_WORD or len(tokens[i]) < 2:
            continue
        letters = ""
        for j in range(i, min(n, i + ACRONYM_MAX_WORDS + 2)):
            if len(tokens[j]) < 2:
                break
            if kinds[j] == FUNCTION_WORD:
                continue
            letters += tokens[j][0]
            if len(letters) >= ACRONYM_MIN_WORDS:
                found.setdefault(letters, (i, j - i + 1))
            if len(letters) >= ACRONYM_MAX_WORDS:
                break
    return found


def _spelling(
    tokens: tuple[str, ...], legal_forms: tuple[str, ...], raw: str, organisation_words: bool = False
) -> _Spelling:
    tokens = tuple([_PARTICLES.get(t, t) for t in tokens])
    # Only the symbols known already: rigour's tagger takes microseconds a word, and most of a
    # query's words never meet a generic word of a list name (`_align_symbols` looks them up).
    symbols = [known_symbols(t) for t in tokens] if organisation_words else None
    raw_tokens = tokenize(raw)
    joins: dict[str, tuple[int, int]] = {}
    for i in range(len(tokens) - 1):
        joins.setdefault(tokens[i] + tokens[i + 1], (i, 2))
    for i in range(len(tokens) - 2):
        if len(tokens[i + 1]) <= JOIN_PARTICLE_MAX and len(tokens[i]) > 1 and len(tokens[i + 2]) > 1:
            joins.setdefault(tokens[i] + tokens[i + 1] + tokens[i + 2], (i, 3))
    joined = "".join(raw_tokens) or "".join(tokens)
    kinds = tuple([token_kind(t) for t in tokens])
    acronyms = _acronyms(tokens, kinds)
    return _Spelling(
        tokens=tokens,
        metaphones=tuple([metaphone(t) if len(t) > 1 else "" for t in tokens]),
        skeletons=tuple([skeleton(t) for t in tokens]),
        token_set=frozenset(tokens),
        joins=joins,
        joined=joined,
        joined_skeleton=skeleton(joined),
        patronyms=_patronyms(tokens),
        kinds=kinds,
        join_keys=frozenset(joins),
        acronyms=acronyms,
        acronym_keys=frozenset(acronyms),
        symbols=symbols,
    )


# Word bits: word i of a spelling is bit i (words past the 32nd share the last bit).
LAST_WORD_BIT = 31


def index_key_words(spellings: tuple[_Spelling, ...]) -> dict[str, int]:
    """Each index key of a name -> the bits of the words it was made from; its keys are `index_keys`.

    A word's own keys (token, Metaphone, skeleton, prefix) carry its bit, a join of words
    ("t:juxinhe", "t:bashiruddin") all of theirs, the joined-name key every word's. The
    candidate index uses the bits to tell a name lying wholly inside another.
    """
    bits: dict[str, int] = {}
    for sp in spellings:
        tokens = sp.tokens  # tokens never contain spaces
        every = 0
        for i, token in enumerate(tokens):
            bit = 1 << min(i, LAST_WORD_BIT)
            every |= bit
            key = "t:" + token
            bits[key] = bits.get(key, 0) | bit
            if len(token) > 1:
                if sp.metaphones[i]:
                    key = "m:" + sp.metaphones[i]
                    bits[key] = bits.get(key, 0) | bit
                key = "k:" + sp.skeletons[i]
                bits[key] = bits.get(key, 0) | bit
            if len(token) >= 5:
                key = "p:" + token[:4]
                bits[key] = bits.get(key, 0) | bit
        for joined, (start, span) in sp.joins.items():
            # Every two adjacent words are joined, three only around a short particle.
            key = "t:" + joined
            bits[key] = bits.get(key, 0) | (((1 << span) - 1) << min(start, LAST_WORD_BIT + 1 - span))
        if sp.joined:
            key = "j:" + sp.joined_skeleton
            bits[key] = bits.get(key, 0) | every
    return bits


def _pinyin_name(rest: str, forms: tuple[str, ...]) -> bool:
    """Whether a name and the legal forms taken out of it are all Mandarin syllables."""
    words = rest.split()
    return bool(words) and all(is_chinese_syllable(w) for w in (*words, *forms))


def _read(name: str, type: NameType) -> tuple[list[_Spelling], tuple[str, ...], bool, frozenset[str]]:
    """(spellings, legal forms, abjad, scripts) of one written form of a name."""
    native = clean_text(name)
    organisation = type == "entity"
    may_be_organisation = type != "person"
    native_rest, native_forms = split_legal_forms(native, organisation) if type != "person" else (native, ())
    if type == "any" and native_forms and _pinyin_name(native_rest, native_forms):
        # "Liu Yu", "Zhang Sa", "Wang Ao": a Chinese name in pinyin whose given name is also a
        # legal form (Yu, SA, AO). Without the type to say otherwise, it stays a name.
        native_rest, native_forms = native, ()
    scripts: frozenset[str]
    if native_rest.isascii():  # clean ASCII text: its own only Latin spelling (`latin_variants`)
        variants, abjad, scripts = [native_rest], False, frozenset()
    else:
        variants, abjad = latin_variants(native_rest)
        scripts = frozenset(scripts_of(native_rest)) - _NEUTRAL_SCRIPTS
        if "Hani" in scripts and may_be_organisation:
            # One more reading with the generic words in Latin ("网络科技" -> "network tech").
            worded = han_word_reading(native_rest, organisation)
            if worded is not None:
                worded = normalize_latin(worded)
                if worded not in variants:
                    variants.append(worded)
    # `native` is clean text already: ASCII clean text is its own normalize_latin.
    full_latin = native if native.isascii() else normalize_latin(native)
    spellings: list[_Spelling] = []
    legal_forms: tuple[str, ...] = native_forms
    # Han, Hangul and Kana names write their legal forms in their own script (taken out of
    # `native` above): a Latin "form" in their reading is a syllable ("sun yu": Yu is a name).
    read_syllables = not scripts.isdisjoint(_CJK_SCRIPTS)
    forms: tuple[str, ...]
    for variant in variants:
        if type == "person" or variant == native_rest or read_syllables:
            # Latin input: its legal forms were taken out of `native` already.
            rest, forms = variant, ()
        else:
            rest, forms = split_legal_forms(variant, organisation)
            if forms and not (variant.startswith(rest) or variant.endswith(rest)):
                # A legal form inside a transliterated name is a syllable ("i yu jin"), not a form.
                rest, forms = variant, ()
        if not legal_forms and forms:
            legal_forms = forms
        tokens = tokenize(rest)
        if not tokens and not forms:
            continue
        raw = (
            full_latin
            if not abjad and variant == variants[0] and full_latin.isascii() and native.isascii()
            else variant + " " + " ".join(native_forms)
        )
        spellings.append(_spelling(tokens, forms or native_forms, raw, may_be_organisation))
    if len(spellings) == 1 and not abjad and type in ("person", "any"):
        wade_giles = pinyin_name_to_wade_giles(spellings[0].tokens)
        if wade_giles:
            spellings.append(_spelling(wade_giles, legal_forms, " ".join(wade_giles)))
        elif not scripts:
            korean = korean_rr_name_to_mr(spellings[0].tokens)
            if korean:
                spellings.append(_spelling(korean, legal_forms, " ".join(korean)))
    if type == "any" and not scripts and spellings:
        # Of unknown type, it may be an organisation whose last legal form is written in letters
        # the table knows only solid ("... CIA. S. C. S."): read that way too, as one more
        # spelling of two or more words. (Not a word spaced out: "Lee Doo" is a person's name.)
        kept, form = form_written_otherwise(list(spellings[0].tokens), spaced_out=False)
        if form and len(kept) >= 2:
            spellings.append(_spelling(tuple(kept), (form,), full_latin, may_be_organisation))
    return spellings, legal_forms, abjad, scripts


def analyze_name(name: str, type: NameType = "any") -> AnalyzedName:
    """Normalise, transliterate and precompute everything scoring needs for one name."""
    # Dotted initialisms ("A.B.C.") are one word in an organisation's name and initials of
    # given names in a person's; a name of unknown type is read both ways.
    texts = [name]
    if type != "person":
        joined = join_initialisms(name)
        if joined != name:
            texts = [joined] if type in _NO_INITIALS_TYPES else [name, joined]
    spellings, legal_forms, abjad, scripts = _read(texts[0], type)
    for text in texts[1:]:
        more, forms, _, _ = _read(text, type)
        seen = {sp.tokens for sp in spellings}
        spellings.extend(sp for sp in more if sp.tokens not in seen)
        legal_forms = tuple(dict.fromkeys(legal_forms + forms))
    if not spellings:
        spellings.append(_spelling((), (), ""))
    spellings_t = tuple(spellings)
    return AnalyzedName(
        original=name,
        type=type,
        tokens=spellings_t[0].tokens,
        legal_forms=legal_forms,
        index_keys=frozenset(index_key_words(spellings_t)),
        spellings=spellings_t,
        abjad=abjad,
        script_tokens=tuple([sp.tokens for sp in spellings_t]),
        scripts=scripts,
    )


# Lowest Levenshtein similarity whose fuzzy score can still reach ALIGN_FLOOR (Jaro-Winkler <= 1).
_LEV_CUTOFF = max(0.0, (ALIGN_FLOOR - (1.0 - FUZZY_LEV_SHARE)) / FUZZY_LEV_SHARE)
_NO_MATCH = (0.0, "missing")
# Memo of token-pair similarities (pure functions of the two tokens), bounded in size.
_MEMO_LIMIT = 1_000_000
_latin_memo: dict[str, dict[str, tuple[float, str]]] = {}
_abjad_memo: dict[str, dict[str, tuple[float, str]]] = {}
# Entries in both memos: a C global when compiled (a list item cost 240 instructions a miss).
_memo_size = cython.declare(cython.Py_ssize_t, 0)


_ABBREVIATION = (ABBREVIATION_SCORE, "abbreviation")


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
    if la <= SHORT_TOKEN_MAX or lb <= SHORT_TOKEN_MAX:
        return True
    if (la if la < lb else lb) < PHONETIC_LEV_MIN * (lb if la < lb else la):
        return True
    return 2 * _shared_letters(ta, tb) < (la if la > lb else lb)


# Bound once: a module attribute lookup per call cost a tenth of the call.
_levenshtein_similarity = Levenshtein.normalized_similarity
_jaro_winkler_similarity = JaroWinkler.normalized_similarity


@cython.cfunc
def _shared_letters(ta: str, tb: str) -> cython.Py_ssize_t:
    """How many letters two tokens have in common, repeats counted (the size of their multiset meet)."""
    if cython.compiled and ta.isascii() and tb.isascii():
        counts = cython.declare(cython.int[128])  # type: ignore[misc, valid-type]  # a C array of 128 ints
        letter: cython.Py_UCS4
        shared: cython.Py_ssize_t = 0
        for letter in ta:
            counts[letter] = 0
        for letter in tb:
            counts[letter] = 0
        for letter in ta:
            counts[letter] += 1
        for letter in tb:
            if counts[letter] > 0:
                counts[letter] -= 1
                shared += 1
        return shared
    return (Counter(ta) & Counter(tb)).total()


@cython.ccall
def _latin_similarity(ta: str, tb: str) -> tuple[float, str]:
    """Similarity of two different Latin tokens of 2+ letters; below ALIGN_FLOOR reported as 0."""
    if len(ta) <= SHORT_TOKEN_MAX or len(tb) <= SHORT_TOKEN_MAX:
        # Syllables ("lu", "su", "kim", "yang") are matched only exactly: a one-letter change is
        # another syllable, and sound-alike codes of syllables agree by chance.
        return _NO_MATCH
    # The cheapest tests that reject most pairs (nine in ten candidate token pairs) go first.
    # Normalised Levenshtein similarity is at most the shorter length over the longer one.
    la: cython.Py_ssize_t = len(ta)
    lb: cython.Py_ssize_t = len(tb)
    if (la if la < lb else lb) < PHONETIC_LEV_MIN * (lb if la < lb else la):
        return _NO_MATCH
    # At least (longer length - shared letters) edits apart: most pairs fail here without
    # the rapidfuzz call, whose Python entry costs ten times this count (PHONETIC_LEV_MIN 0.5).
    if 2 * _shared_letters(ta, tb) < (la if la > lb else lb):
        return _NO_MATCH
    lev = _levenshtein_similarity(ta, tb)
    if lev < PHONETIC_LEV_MIN or ta.isdigit() or tb.isdigit() or _chinese_pair(ta, tb):
        return _NO_MATCH
    fuzzy = (
        FUZZY_LEV_SHARE * lev + (1.0 - FUZZY_LEV_SHARE) * _jaro_winkler_similarity(ta, tb)
        if lev >= _LEV_CUTOFF
        else 0.0
    )
    if not (ta.isalpha() and tb.isalpha()):
        # A token with digits is a code (a tail number, a registration, "3data"): sound-alike
        # codes skip digits ("yv2763" and "yv3360" both sound "YF"), so only spelling counts.
        return (fuzzy, "fuzzy") if fuzzy >= ALIGN_FLOOR else _NO_MATCH
    best, how = fuzzy, "fuzzy"
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
    return (best, how) if best >= ALIGN_FLOOR else _NO_MATCH


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
    return (sim, "transliterated") if sim >= ALIGN_FLOOR else _NO_MATCH


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


@cython.ccall
def _token_weights(sp: _Spelling, weights: Mapping[str, float]) -> tuple[float, ...]:
    """Per-token weights of a spelling under `weights`, cached for the last mapping used."""
    cache = sp.weight_cache
    if cache and cache[0] is weights:
        return cache[1]
    values = tuple([weights.get(t, UNKNOWN_TOKEN_WEIGHT) for t in sp.tokens])
    cache[:] = [weights, values]
    return values


def cache_token_weights(name: AnalyzedName, weights: Mapping[str, float]) -> None:
    """Fill each spelling's weight cache under `weights` now: a list name's, while its index is built.

    Its generic-word symbols too, and a spelling without any forgets its symbol list, so
    the scorer skips it at once.
    """
    for sp in name.spellings:
        _token_weights(sp, weights)
        symbols = sp.symbols
        # Every word looked up (a list, not a generator: any() would stop at the first symbol).
        if symbols is not None and not any(
            [_token_symbols(symbols, sp.tokens, i) for i in range(len(symbols))]
        ):
            symbols.clear()


@cython.ccall
def _weight(weights: Mapping[str, float], token: str) -> float:
    return weights.get(token, UNKNOWN_TOKEN_WEIGHT)


@cython.ccall
def _score_spellings(
    q: _Spelling,
    c: _Spelling,
    weights: Mapping[str, float],
    abjad: bool,
    initials: bool,
    explain: bool,
    acronyms: int = 0,
    floor: cython.double = 0.0,
) -> tuple[float, list[TokenMatch]]:
    """(score, token matches) of two spellings; a score that cannot reach `floor` may come back as 0."""
    global _memo_size
    qt, ct = q.tokens, c.tokens
    # C types when compiled with Cython (plain annotations otherwise).
    nq: cython.Py_ssize_t = len(qt)
    nc: cython.Py_ssize_t = len(ct)
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    w: cython.double
    sim: cython.double
    shared: cython.double
    q_missing: cython.double
    c_missing: cython.double
    q_cost: cython.double
    c_cost: cython.double
    extra_cost: cython.double
    # Per-token weights, cached on the spelling for the last mapping used (inlined: hot path).
    cache = q.weight_cache
    wq = cache[1] if cache and cache[0] is weights else _token_weights(q, weights)
    cache = c.weight_cache
    wc = cache[1] if cache and cache[0] is weights else _token_weights(c, weights)
    matches: list[TokenMatch] = []

    # Fast path: the same tokens on both sides (any order).
    if nq == nc and q.token_set == c.token_set and len(q.token_set) == nq:
        if explain:
            matches.extend([TokenMatch(t, t, "exact", 1.0, w) for t, w in zip(qt, wq, strict=True)])
        if sum(wq) <= 0.0:
            return 0.0, matches
        if q.patronyms and c.patronyms and not q.patronyms & c.patronyms:
            return PATRONYM_CONFLICT, matches
        return 1.0, matches

    q_used = [False] * nq
    c_used = [False] * nc
    matched: cython.double = 0.0  # sum of similarity * pair weight
    pair_weight: cython.double = 0.0
    pairs: cython.int = 0  # aligned token pairs (a join counts once)
    initial_pairs: cython.int = 0  # of which an initial against a word
    # The query is one word, or an organisation's one word split ("hei ying" / "HEIYING"); a
    # person's two words joined are often a full name ("jiang ping" / "ZHANG, Jiangping").
    one_word: cython.bint = nq == 1

    # Joined on one side, split on the other: "juxin he" / "juxinhe".
    if not q.join_keys.isdisjoint(c.token_set):
        for joined, (i, span) in q.joins.items():
            if joined in c.token_set and not any(q_used[i : i + span]):
                j = ct.index(joined)
                if c_used[j]:
                    continue
                one_word = one_word or (span == nq and not initials)
                w = min(sum(wq[i : i + span]), _weight(weights, joined))
                q_used[i : i + span] = [True] * span
                c_used[j] = True
                matched += w
                pair_weight += w
                pairs += 1
                if explain:
                    matches.append(TokenMatch(" ".join(qt[i : i + span]), joined, "exact", 1.0, w))
    if not c.join_keys.isdisjoint(q.token_set):
        for joined, (j, span) in c.joins.items():
            if joined in q.token_set and not any(c_used[j : j + span]):
                i = qt.index(joined)
                if q_used[i]:
                    continue
                w = min(sum(wc[j : j + span]), _weight(weights, joined))
                c_used[j : j + span] = [True] * span
                q_used[i] = True
                matched += w
                pair_weight += w
                pairs += 1
                if explain:
                    matches.append(TokenMatch(joined, " ".join(ct[j : j + span]), "exact", 1.0, w))

    if acronyms:
        # An acronym on one side, its words spelled out on the other: "us" / "united states".
        if acronyms & SPELLED_OUT_CANDIDATE and not c.acronym_keys.isdisjoint(q.token_set):
            matched, pair_weight, pairs = _align_acronyms(
                q, c, wq, wc, q_used, c_used, weights, matched, pair_weight, pairs, matches, explain, False
            )
        if acronyms & SPELLED_OUT_QUERY and not q.acronym_keys.isdisjoint(c.token_set):
            matched, pair_weight, pairs = _align_acronyms(
                c, q, wc, wq, c_used, q_used, weights, matched, pair_weight, pairs, matches, explain, True
            )

    # Exact tokens first (cheap), then the rest by best similarity.
    c_set = c.token_set
    if not q.token_set.isdisjoint(c_set):
        for i in range(nq):
            token = qt[i]
            if not q_used[i] and token in c_set:
                for j in range(nc):
                    if not c_used[j] and ct[j] == token:
                        w = wq[i]
                        q_used[i] = c_used[j] = True
                        matched += w
                        pair_weight += w
                        pairs += 1
                        if explain:
                            matches.append(TokenMatch(token, token, "exact", 1.0, w))
                        break
    # Both organisations' names (`_Spelling.symbols`): generic words may align, and cost less missing.
    generic: cython.bint = not initials and not abjad and q.symbols is not None and c.symbols is not None
    if generic and c.symbols:
        matched, pair_weight, pairs = _align_symbols(
            qt,
            ct,
            q.symbols,  # type: ignore[arg-type]  # a list here: `generic` checked it is not None
            c.symbols,  # type: ignore[arg-type]
            wq,
            wc,
            q_used,
            c_used,
            matched,
            pair_weight,
            pairs,
            matches,
            explain,
        )
    candidates: list[tuple[float, int, int, str]] = []
    # Bit i: query token i (bit j: list token j) has a similar token on the other side, kept
    # only when a floor may cut the pair short (and the names fit the bit masks).
    bounded: cython.bint = floor > 0.0 and nq <= _BOUND_TOKENS_MAX and nc <= _BOUND_TOKENS_MAX
    one: cython.ulonglong = 1
    q_similar: cython.ulonglong = 0
    c_similar: cython.ulonglong = 0
    memo = _abjad_memo if abjad else _latin_memo
    for i in range(nq):
        if q_used[i]:
            continue
        ta = qt[i]
        row = memo.get(ta)
        if row is None:
            row = _memo_row(memo, ta)
        for j in range(nc):
            if c_used[j]:
                continue
            tb = ct[j]
            if not abjad and _latin_hopeless(ta, tb):
                found = _NO_MATCH  # known without the memo (most pairs)
            else:
                found = row.get(tb)  # type: ignore[assignment]  # None only until the next line
                if found is None:
                    found = row[tb] = _pair_similarity(ta, tb, abjad)
                    _memo_size += 1
            if not found[0]:
                # In an organisation's name one word may still abbreviate the other.
                if initials or abjad or not _abbreviates(ta, tb):
                    continue
                found = _ABBREVIATION
            if found[0] and (initials or found[1] != "initial"):
                candidates.append((found[0], i, j, found[1]))
                if bounded:
                    q_similar |= one << i
                    c_similar |= one << j
    if bounded and _alignment_bound(wq, q_used, q_similar, nq, wc, c_used, c_similar, nc) < floor:
        return 0.0, matches
    if candidates:
        if len(candidates) > 1:
            candidates.sort(reverse=True)
        for sim, i, j, how in candidates:
            if q_used[i] or c_used[j]:
                continue
            q_used[i] = c_used[j] = True
            w = min(wq[i], wc[j])
            if how == "initial":
                # An initial carries only the evidence of one letter.
                w = min(w, 0.5 * max(wq[i], wc[j]))
                initial_pairs += 1
            matched += sim**SIMILARITY_POWER * w
            pair_weight += w
            pairs += 1
            if explain:
                matches.append(TokenMatch(qt[i], ct[j], how, round(sim, 4), round(w, 4)))

    # Middle names and patronymics are a person's; an extra word in a company name
    # ("Banco Santander Chile") names another company.
    extra_cost = EXTRA_TOKEN_COST if initials else ENTITY_EXTRA_TOKEN_COST
    if explain:
        matches.extend(
            [TokenMatch(qt[i], None, "missing", 0.0, round(wq[i], 4)) for i in range(nq) if not q_used[i]]
        )
    if pair_weight <= 0.0:
        return 0.0, matches
    # With fewer than CORE_PAIRS aligned pairs only one part of the names agrees: the fuller
    # name's most distinctive other part is a given name or surname the other name lacks, not
    # a middle name ("Lauren Bryant" / "LAUREN").
    promote = pairs < CORE_PAIRS
    q_lenient, q_core = _unmatched(q, wq, q_used, promote)
    c_lenient, c_core = _unmatched(c, wc, c_used, promote)
    q_missing, c_missing = q_lenient + q_core, c_lenient + c_core
    if q_missing and c_missing:
        # Tokens unmatched on both sides contradict each other (a different father,
        # surname or clan): only the excess of the fuller side is a mere omission.
        shared = min(q_missing, c_missing)
        q_lenient, q_core = _take(q_lenient, q_core, shared)
        c_lenient, c_core = _take(c_lenient, c_core, shared)
        q_missing, c_missing = q_missing - shared, c_missing - shared
        pair_weight += 2 * shared * CONFLICT_COST
    # A company is often named without its generic words ("Shanghai Heiying" for "Shanghai
    # Heiying Information Technology"): those it lacks cost less than another word.
    if one_word and c_missing and not q_missing and sum([len(t) for t in qt]) >= MONONYM_MIN_LENGTH:
        # A one-word query (a mononym, or a surname searched alone, perhaps split: "Juxin He")
        # can name only one part of a fuller list name: the other parts count as one omitted
        # part, however many there are.
        c_cost = EXTRA_TOKEN_COST * max([wc[j] for j in range(nc) if not c_used[j]])
    else:
        if generic:
            c_lenient -= GENERIC_WORD_DISCOUNT * min(c_lenient, _generic_weight(c, wc, c_used))
        c_cost = extra_cost * c_lenient + c_core
    if generic:
        q_lenient -= GENERIC_WORD_DISCOUNT * min(q_lenient, _generic_weight(q, wq, q_used))
    q_cost = extra_cost * q_lenient + q_core
    as_query = matched / (pair_weight + q_missing + c_cost)
    as_list = matched / (pair_weight + c_missing + q_cost)
    score = max(as_query, as_list)
    if initial_pairs == pairs:
        # Only initials agree ("C.A.S." / "Carlos Alberto Sanchez"): a few letters in common.
        score *= INITIALS_ONLY_FACTOR
    if q.patronyms and c.patronyms and not q.patronyms & c.patronyms:
        score *= PATRONYM_CONFLICT
    return score, matches


def _align_acronyms(
    short: _Spelling,
    full: _Spelling,
    w_short: tuple[float, ...],
    w_full: tuple[float, ...],
    short_used: list[bool],
    full_used: list[bool],
    weights: Mapping[str, float],
    matched: float,
    pair_weight: float,
    pairs: int,
    matches: list[TokenMatch],
    explain: bool,
    full_is_query: bool,
) -> tuple[float, float, int]:
    """Align acronym tokens of `short` with the runs of `full` they abbreviate (one pair each)."""
    lone = len(short.tokens) == 1
    for i, token in enumerate(short.tokens):
        run = full.acronyms.get(token)
        if run is None or short_used[i] or token in full.token_set:
            continue
        if lone and len(token) < LONE_ACRONYM_MIN_LETTERS:
            continue
        j, span = run
        if any(full_used[j : j + span]):
            continue
        w = min(w_short[i], sum(w_full[j : j + span]))
        short_used[i] = True
        full_used[j : j + span] = [True] * span
        matched += ACRONYM_SCORE * w
        pair_weight += w
        pairs += 1
        if explain:
            words = " ".join(full.tokens[j : j + span])
            pair = (words, token) if full_is_query else (token, words)
            matches.append(TokenMatch(pair[0], pair[1], "acronym", ACRONYM_SCORE, round(w, 4)))
    return matched, pair_weight, pairs


@cython.cfunc
def _token_symbols(symbols: list, tokens: tuple, i: cython.Py_ssize_t) -> frozenset:
    """Symbols of token i of a spelling, looked up now and kept if not yet."""
    found = symbols[i]
    if found is None:
        found = symbols[i] = org_symbols(tokens[i])
    return found


@cython.cfunc
def _generic_weight(sp: _Spelling, weights: tuple, used: list) -> cython.double:
    """Weight of a name's unmatched generic organisation words (looked up now where not yet)."""
    symbols: list = sp.symbols  # type: ignore[assignment]  # the caller checked it is not None
    i: cython.Py_ssize_t
    total: cython.double = 0.0
    if not symbols:
        return 0.0
    for i in range(len(symbols)):
        if not used[i] and _token_symbols(symbols, sp.tokens, i):
            total += weights[i]
    return total


@cython.cfunc
def _other_form(ta: str, tb: str) -> cython.bint:
    """Whether one word is the other with a word ending added ("bank" / "banking").

    Another word of the same stem names another business: "Sumitomo Mitsui Trust Bank" is
    not "Sumitomo Mitsui Banking Corporation", though rigour files both words under BANK.
    """
    added = _added_letters(ta, tb)
    return added is not None and added in _WORD_ENDINGS


@cython.cfunc
def _align_symbols(
    qt: tuple,
    ct: tuple,
    q_symbols: list,
    c_symbols: list,
    wq: tuple,
    wc: tuple,
    q_used: list,
    c_used: list,
    matched: cython.double,
    pair_weight: cython.double,
    pairs: cython.int,
    matches: list,
    explain: cython.bint,
) -> tuple:
    """Align unmatched words of two organisation names that are the same generic word.

    "Integrity Technology Grp" / "Integrity Technology Group": "grp" and "group" share rigour's
    symbol GRP. Generic words weigh little, so this only keeps them from counting as missing.
    """
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    w: cython.double
    for j in range(len(ct)):
        if c_used[j]:
            continue
        listed = _token_symbols(c_symbols, ct, j)
        if not listed:
            continue
        for i in range(len(qt)):
            # A query word is looked up once, when a list name's generic word needs it.
            if q_used[i] or listed.isdisjoint(_token_symbols(q_symbols, qt, i)) or _other_form(qt[i], ct[j]):
                continue
            w = min(wq[i], wc[j])
            q_used[i] = c_used[j] = True
            matched += SYMBOL_SCORE * w
            pair_weight += w
            pairs += 1
            if explain:
                matches.append(TokenMatch(qt[i], ct[j], "symbol", SYMBOL_SCORE, round(w, 4)))
            break
    return matched, pair_weight, pairs


# Names longer than this many tokens are never cut short by `_alignment_bound` (bit masks).
_BOUND_TOKENS_MAX = 63


@cython.cfunc
def _alignment_bound(
    wq: tuple,
    q_used: list,
    q_similar: cython.ulonglong,
    nq: cython.Py_ssize_t,
    wc: tuple,
    c_used: list,
    c_similar: cython.ulonglong,
    nc: cython.Py_ssize_t,
) -> cython.double:
    """The most the token alignment can score, from which tokens could be aligned at all.

    Every aligned pair weighs at most the tokens it takes on each side, and the unaligned
    tokens of a side all count against its share: the score is at most the larger of the two
    sides' weight shares of their alignable tokens (already aligned, or with a similar token
    on the other side). Lets most unrelated candidates skip sorting, aligning and costing.
    """
    return max(_alignable_share(wq, q_used, q_similar, nq), _alignable_share(wc, c_used, c_similar, nc))


@cython.cfunc
def _alignable_share(
    weights: tuple, used: list, similar: cython.ulonglong, n: cython.Py_ssize_t
) -> cython.double:
    """Weight share of one side's tokens that are aligned already or have a similar token."""
    i: cython.Py_ssize_t
    total: cython.double = 0.0
    alignable: cython.double = 0.0
    for i in range(n):
        total += weights[i]
        if used[i] or (similar >> i) & 1:
            alignable += weights[i]
    return alignable / total if total > 0.0 else 0.0


@cython.ccall
def _unmatched(
    sp: _Spelling, weights: tuple[float, ...], used: list[bool], promote: bool = False
) -> tuple[float, float]:
    """(lenient, core) weight of a name's unmatched tokens.

    Core: syllable-length tokens (2-3 letters: "su" of Kim Song Su, "lu" of Su Lu-chi), which
    are parts of a given name or a surname, never optional middle names. Lenient: the rest,
    which a fuller name may carry and a shorter record omit (middle names, patronymics).
    With `promote`, the heaviest unmatched ordinary token moves from lenient to core (it is a
    given name or surname the other name lacks), computed in the same pass.
    """
    lenient: cython.double = 0.0
    core: cython.double = 0.0
    weight: cython.double
    heaviest: float | None = None
    kinds = sp.kinds
    for i, was_used in enumerate(used):
        if not was_used:
            kind = kinds[i]
            weight = weights[i]
            if kind == SYLLABLE:
                core += weight
            else:
                lenient += weight
                if kind == ORDINARY and (heaviest is None or weight > heaviest):
                    heaviest = weight
    if promote:
        top = 0.0 if heaviest is None else heaviest
        return lenient - top, core + top
    return lenient, core


@cython.ccall
def _take(lenient: float, core: float, amount: float) -> tuple[float, float]:
    """Remove `amount` of unmatched weight, core first (conflicting parts are core parts)."""
    from_core = min(core, amount)
    return max(0.0, lenient - (amount - from_core)), core - from_core


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
        if not (min(nq, nc) == 1 or nq == nc >= 3) or len(q.joined_skeleton) < ABJAD_JOINED_MIN_CONSONANTS:
            return 0.0
        a, b = q.joined_skeleton, c.joined_skeleton
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
def _syllabic(sp: _Spelling) -> bool:
    """Written syllable by syllable: at least two tokens and most of them name syllables."""
    return len(sp.tokens) >= 2 and 2 * sp.kinds.count(SYLLABLE) > len(sp.kinds)


_NO_INITIALS_TYPES = frozenset({"entity", "vessel", "aircraft"})
_NEUTRAL_SCRIPTS = frozenset({"Latn", "Zyyy", "Zinh", "Zzzz"})
# Han is read in Chinese, Korean and Japanese: these scripts may meet through their readings.
_CJK_SCRIPTS = frozenset({"Hani", "Hang", "Hira", "Kana"})


# Names of these types are never read as acronyms, nor spelled out by one: a registration
# mark ("EP-MHA") or a vessel's name abbreviates nothing.
_NO_ACRONYM_TYPES = frozenset({"person", "vessel", "aircraft"})


def acronyms_apply(name: AnalyzedName) -> bool:
    """Whether `name` may meet another name through an acronym: an organisation's, in Latin script."""
    return name.type not in _NO_ACRONYM_TYPES and not name.scripts


def may_be_spelled_out(name: AnalyzedName) -> bool:
    """Whether `name`'s words may spell out the other name's acronym: only a name known to be
    an organisation's. Untyped, "David Miller" would be "DM" and "Dan Chico Bonilla" "DCB"."""
    return name.type == "entity" and not name.scripts


# Which side of a pair may be the spelled-out one (bit flags for _score_spellings).
SPELLED_OUT_CANDIDATE = 1
SPELLED_OUT_QUERY = 2


def comparable_scripts(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two names may be compared through their Latin readings.

    Two names written in different non-Latin scripts (Hangul and Arabic, Han and Cyrillic)
    are not one name: both readings are lossy guesses, and guesses agree by chance.
    """
    return not a or not b or bool(a & b) or (a | b) <= _CJK_SCRIPTS


@cython.ccall
def _best_reading(
    query: AnalyzedName,
    candidate: AnalyzedName,
    weights: Mapping[str, float],
    explain: bool,
    floor: cython.double = 0.0,
) -> tuple[float, list[TokenMatch], tuple[int, int], bool]:
    """(score before clamping, token matches, (query, candidate) spelling pair, legal forms differ)."""
    abjad = query.abjad or candidate.abjad
    initials = query.type not in _NO_INITIALS_TYPES and candidate.type not in _NO_INITIALS_TYPES
    # Acronyms are formed from written words: only for organisations, both named in Latin
    # script (the initials of a transliteration guess agree with short names by chance).
    acronyms = 0
    if not initials and acronyms_apply(query) and acronyms_apply(candidate):
        acronyms = (SPELLED_OUT_CANDIDATE if may_be_spelled_out(candidate) else 0) | (
            SPELLED_OUT_QUERY if may_be_spelled_out(query) else 0
        )
    best = 0.0
    best_matches: list[TokenMatch] = []
    best_pair = (0, 0)
    for qi, q in enumerate(query.spellings):
        if not q.tokens:
            continue
        for ci, c in enumerate(candidate.spellings):
            if not c.tokens:
                continue
            score, matches = _score_spellings(q, c, weights, abjad, initials, explain, acronyms, floor)
            if score < 1.0:
                joined = _joined_similarity(q, c, abjad)
                if joined > score:
                    score = joined
                    if explain:
                        matches = [TokenMatch(" ".join(q.tokens), " ".join(c.tokens), "fuzzy", joined, 1.0)]
            if score > best:
                best, best_matches, best_pair = score, matches, (qi, ci)
                if best >= 1.0:
                    break
        if best >= 1.0:
            break
    q_forms, c_forms = query.legal_forms, candidate.legal_forms
    legal_conflict = bool(q_forms and c_forms and frozenset(q_forms).isdisjoint(c_forms))
    if legal_conflict:
        best *= LEGAL_FORM_MISMATCH
    return best, best_matches, best_pair, legal_conflict


def name_similarity(
    query: AnalyzedName,
    candidate: AnalyzedName,
    weights: Mapping[str, float] | None = None,
    floor: float = 0.0,
) -> float:
    """`score_names(query, candidate, weights).score` without building a NameScore: the index's hot path.

    A score below `floor` may be returned as 0.0: the screener passes the lowest score it can
    still use, so candidates that cannot reach it skip most of the scoring.
    """
    if query.scripts is not candidate.scripts and not comparable_scripts(query.scripts, candidate.scripts):
        return 0.0
    best = _best_reading(query, candidate, DEFAULT_WEIGHTS if weights is None else weights, False, floor)[0]
    return min(1.0, max(0.0, best))


def score_names(
    query: AnalyzedName,
    candidate: AnalyzedName,
    weights: Mapping[str, float] | None = None,
    explain: bool = False,
) -> NameScore:
    """Score two analysed names; `weights` maps a token to how distinctive it is (IDF-like).

    Symmetric in its two names (up to the explanation). With `explain=False`
    `token_matches` is empty; pass `explain=True` for the per-token explanation of a
    reported match (`name_similarity` gives the bare score faster).
    """
    if weights is None:
        weights = DEFAULT_WEIGHTS
    if query.scripts is not candidate.scripts and not comparable_scripts(query.scripts, candidate.scripts):
        return NameScore(0.0, (), ("written in different scripts",) if explain else ())
    best, best_matches, best_pair, legal_conflict = _best_reading(query, candidate, weights, explain)
    if not explain:
        return NameScore(min(1.0, max(0.0, best)), ())
    notes: list[str] = []
    if legal_conflict:
        notes.append(f"legal forms differ: {query.legal_forms} / {candidate.legal_forms}")
    if best_pair[0] or query.abjad:
        notes.append("query read as: " + " ".join(query.spellings[best_pair[0]].tokens))
    if best_pair[1] or candidate.abjad:
        notes.append("list name read as: " + " ".join(candidate.spellings[best_pair[1]].tokens))
    if best_pair != (0, 0) or query.abjad or candidate.abjad:
        best_matches = [
            TokenMatch(m.query_token, m.list_token, "transliterated", m.score, m.weight)
            if m.how in ("exact", "fuzzy", "phonetic")
            else m
            for m in best_matches
        ]
    best = min(1.0, max(0.0, best))
    return NameScore(best, tuple(best_matches), tuple(notes))
