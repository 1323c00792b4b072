"""Name analysis and pair scoring: the contract between the matching core and the index.

`analyze_name` does all the slow work once per name; `score_names` and `name_similarity`
compare two analysed names (the latter for every candidate of every query). The package,
after nomenklatura's `matching/logic_v2/names/`:
  - `magic`: every tuning constant, each with an example of what it does;
  - `model`: the value types (a name's spellings, the analysed name, token matches, scores);
  - `analysis`: reading a name (normalisation, transliteration, legal forms, token kinds);
  - `keys`: the candidate index's keys of a name;
  - `similarity`: how alike two tokens (or two joined names) are, and the memo of token pairs;
  - `align`: the alignment of two spellings in named stages, and the cost of what is left;
  - `score`: the best pairing of two names' readings.
`model`, `keys`, `analysis`, `similarity`, `align` and `score` are compiled with Cython
(screening/_compiled_modules.py); the `.pxd` files beside them declare what one compiled
module reads or calls of another, so that it stays a C access.

Scoring, in short: query and candidate tokens are aligned one-to-one (greedy on the best token
similarity: exact, initial, phonetic, transliterated skeleton or fuzzy); adjacent tokens that
were joined on one side ("juxin he" / "juxinhe") are aligned as one. Each token carries a
distinctiveness weight (IDF over the list names). The score is the weighted share of matched
evidence, where unmatched tokens of the fuller name cost only `EXTRA_TOKEN_COST` of their
weight and unmatched tokens of the shorter name cost all of it. Transliterated names carry
several Latin spellings; the best pairing wins.

Everything other modules use is imported from here (`screening.names`); private helpers
live in their module.
"""

from screening.names.align import SPELLED_OUT_CANDIDATE, SPELLED_OUT_QUERY, cache_token_weights
from screening.names.analysis import analyze_name, is_function_word, is_name_syllable, token_kind
from screening.names.keys import LAST_WORD_BIT, index_key_words
from screening.names.magic import (
    ABBREVIATION_MIN,
    ABBREVIATION_SCORE,
    ABJAD_JOINED_MIN_CONSONANTS,
    ABJAD_SKELETON_SCORE,
    ACRONYM_MAX_WORDS,
    ACRONYM_MIN_WORDS,
    ACRONYM_SCORE,
    ALIGN_FLOOR,
    CHINESE_SYLLABLE_MAX,
    CONFLICT_COST,
    CORE_PAIRS,
    ENTITY_EXTRA_TOKEN_COST,
    EXTRA_TOKEN_COST,
    FUZZY_LEV_SHARE,
    GENERIC_WORD_DISCOUNT,
    INITIAL_SCORE,
    INITIALS_ONLY_FACTOR,
    JOIN_PARTICLE_MAX,
    JOINED_LEGAL_FORM_SHARE,
    JOINED_MIN,
    LEGAL_FORM_MISMATCH,
    LONE_ACRONYM_MIN_LETTERS,
    MONONYM_MIN_LENGTH,
    PATRONYM_CONFLICT,
    PHONETIC_LEV_MIN,
    PHONETIC_SCORE,
    SHORT_TOKEN_MAX,
    SHORT_TOKEN_MIN,
    SIMILARITY_POWER,
    SKELETON_SCORE,
    SOUND_AND_SKELETON_SCORE,
    SYLLABLE_ORDER_FACTOR,
    SYMBOL_SCORE,
    TYPO_SCORE,
)
from screening.names.model import (
    FUNCTION_WORD,
    ORDINARY,
    SYLLABLE,
    AnalyzedName,
    NameScore,
    NameType,
    TokenMatch,
)
from screening.names.score import (
    acronyms_apply,
    comparable_scripts,
    may_be_spelled_out,
    name_similarity,
    score_names,
)
from screening.names.similarity import clear_similarity_memo

__all__ = [
    "ABBREVIATION_MIN",
    "ABBREVIATION_SCORE",
    "ABJAD_JOINED_MIN_CONSONANTS",
    "ABJAD_SKELETON_SCORE",
    "ACRONYM_MAX_WORDS",
    "ACRONYM_MIN_WORDS",
    "ACRONYM_SCORE",
    "ALIGN_FLOOR",
    "CHINESE_SYLLABLE_MAX",
    "CONFLICT_COST",
    "CORE_PAIRS",
    "ENTITY_EXTRA_TOKEN_COST",
    "EXTRA_TOKEN_COST",
    "FUNCTION_WORD",
    "FUZZY_LEV_SHARE",
    "GENERIC_WORD_DISCOUNT",
    "INITIALS_ONLY_FACTOR",
    "INITIAL_SCORE",
    "JOINED_LEGAL_FORM_SHARE",
    "JOINED_MIN",
    "JOIN_PARTICLE_MAX",
    "LAST_WORD_BIT",
    "LEGAL_FORM_MISMATCH",
    "LONE_ACRONYM_MIN_LETTERS",
    "MONONYM_MIN_LENGTH",
    "ORDINARY",
    "PATRONYM_CONFLICT",
    "PHONETIC_LEV_MIN",
    "PHONETIC_SCORE",
    "SHORT_TOKEN_MAX",
    "SHORT_TOKEN_MIN",
    "SIMILARITY_POWER",
    "SKELETON_SCORE",
    "SOUND_AND_SKELETON_SCORE",
    "SPELLED_OUT_CANDIDATE",
    "SPELLED_OUT_QUERY",
    "SYLLABLE",
    "SYLLABLE_ORDER_FACTOR",
    "SYMBOL_SCORE",
    "TYPO_SCORE",
    "AnalyzedName",
    "NameScore",
    "NameType",
    "TokenMatch",
    "acronyms_apply",
    "analyze_name",
    "cache_token_weights",
    "clear_similarity_memo",
    "comparable_scripts",
    "index_key_words",
    "is_function_word",
    "is_name_syllable",
    "may_be_spelled_out",
    "name_similarity",
    "score_names",
    "token_kind",
]
