"""Reading a name: normalisation, transliteration, legal forms, particles and token kinds.

`analyze_name` does all the slow work once per name (Unicode normalisation, transliteration
under several systems, legal-form extraction, phonetic codes, consonant skeletons, index
keys), so that scoring (`screening.names.score`) only compares precomputed tuples.
"""

from __future__ import annotations

import functools

import cython
from rigour.names import extract_org_types, remove_obj_prefixes, remove_person_prefixes

from screening.legal_forms import form_written_otherwise, split_legal_forms
from screening.names.keys import index_key_words
from screening.names.magic import (
    ACRONYM_MAX_WORDS,
    ACRONYM_MIN_WORDS,
    CHINESE_SYLLABLE_MAX,
    JOIN_PARTICLE_MAX,
    SHORT_TOKEN_MAX,
    SHORT_TOKEN_MIN,
)
from screening.names.model import FUNCTION_WORD, ORDINARY, SYLLABLE, NameType
from screening.normalize import clean_text, join_initialisms, normalize_latin, tokenize
from screening.org_words import known_symbols
from screening.phonetics import metaphone, skeleton
from screening.rigour_private import person_name_prefixes
from screening.titles import without_leading_titles
from screening.translit import (
    han_word_reading,
    is_chinese_syllable,
    korean_rr_name_to_mr,
    latin_variants,
    pinyin_name_to_wade_giles,
    scripts_of,
)

if cython.compiled:  # the fields typed (model.pxd); plain Python imports the classes
    from cython.cimports.screening.names.model import AnalyzedName, _Spelling
else:
    from screening.names.model import AnalyzedName, _Spelling

_NO_INITIALS_TYPES = frozenset({"entity", "vessel", "aircraft"})
_NEUTRAL_SCRIPTS = frozenset({"Latn", "Zyyy", "Zinh", "Zzzz"})
# Han is read in Chinese, Korean and Japanese: these scripts may meet through their readings.
_CJK_SCRIPTS = frozenset({"Hani", "Hang", "Hira", "Kana"})

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


def _pinyin_name(rest: str, forms: tuple[str, ...]) -> bool:
    """Whether a name and the legal forms taken out of it are all Mandarin syllables."""
    words = rest.split()
    return bool(words) and all(is_chinese_syllable(w) for w in (*words, *forms))


# Types whose names may begin with a person's title (`screening.titles`).
_TITLED_TYPES = frozenset({"person", "any"})


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
    if type in _TITLED_TYPES and not native_forms:
        native_rest = without_leading_titles(native_rest, type == "person")
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
