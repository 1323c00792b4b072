"""Every tuning constant of name scoring, each with an example of what it does.

Plain Python (not compiled). The compiled modules import these once: those read per token
pair or per alignment (`similarity`, `align`) keep C copies, so setting one at run time does not
reach them; edit it here. Changing one changes scores: the pinned pair scores of
tests/test_algorithms.py and the algorithm version must follow.
"""

# --- What is left unmatched (screening.names.align) ---

# Cost of a token present only in the fuller name, as a share of its weight.
# e.g. "Vladimir Putin" / "Vladimir Vladimirovich Putin": the patronymic costs 0.15 of its weight (0.96).
EXTRA_TOKEN_COST = 0.15
# The same for entities, vessels and aircraft (no middle names). F1 on the labelled pairs is the
# same from 0.33 to 0.40 (0.30 adds false positives); the low end alerts on a company named
# without its generic words ("Shanghai Heiying" for "... Heiying Information Technology Co.").
# e.g. "Banco Santander" / "Banco Santander Chile": "chile" costs a third of its weight (0.83).
ENTITY_EXTRA_TOKEN_COST = 0.33
# Aligned pairs needed before the fuller name's other parts count as optional middle names.
# e.g. "Lauren Bryant" / "LAUREN": one pair, so "bryant" is a surname the query lacks, not a middle name.
CORE_PAIRS = 2
# Cost of each side's unmatched weight when both sides have unmatched tokens.
# e.g. "Osama bin Ali" / "Osama bin Omar": "ali" and "omar" contradict each other at full cost.
CONFLICT_COST = 1.0
# Shortest one-token query treated as a mononym (shorter ones are initials or fragments).
# e.g. "Juxin" alone against "HE Juxin Feng": the other parts count as one omitted part.
MONONYM_MIN_LENGTH = 3
# Share of an organisation's extra-word cost waived for a generic word (one with a symbol).
# 1.0 measured F1 0.8867 against 0.8854 and 4,309 SDN aliases against 4,304 (Faker alerts 35
# both), but it scores "Shanghai Heiying" 1.0, an exact match, against "Shanghai Heiying
# Information Technology", and made a brute-force hit the index misses (recall 128/129).
# e.g. "Shanghai Heiying" / "Shanghai Heiying Technology": "technology" costs half as much as a name word.
GENERIC_WORD_DISCOUNT = 0.5

# --- Token kinds (screening.names.analysis) ---

# Syllable-length tokens (Chinese/Korean syllables, "lu", "su"): matched only exactly and
# never treated as optional when unmatched.
# e.g. "kim song su" / "kim song": "su" (2 letters) is part of the given name, not an omitted middle name.
SHORT_TOKEN_MIN = 2
# e.g. "kim yong sun" / "kim yong sung": "sun" (3 letters) and "sung" are other syllables, not a typo.
SHORT_TOKEN_MAX = 3
# Credit for two short tokens one keystroke apart (a letter inserted, dropped or doubled, two
# swapped) unless the change makes another name: two East Asian syllables ("sun" / "un"),
# particles, an acronym (similarity._typo_similarity).
# e.g. "kim jog un" / "kim jong un": "jog" is no syllable, so a typo of "jong": 0.8 (name 0.93).
TYPO_SCORE = 0.8
# Longer tokens that are one Mandarin syllable ("chen", "zhou", "ping") are syllables too.
# e.g. "zhuang" (6 letters) is a syllable, matched only exactly and never an optional name.
CHINESE_SYLLABLE_MAX = 6
# Longest middle token joined with its neighbours ("bashir ud din" / "bashiruddin").
# e.g. "abd al rahman" is also read "abdalrahman"; "abd allah rahman" is not joined around "allah".
JOIN_PARTICLE_MAX = 3

# --- Token-pair similarity (screening.names.similarity) ---

# Share of the edit similarity (vs Jaro-Winkler) in the fuzzy similarity of two tokens; the edit
# similarity counts two swapped neighbours as one edit (optimal string alignment), Levenshtein two.
# e.g. "mohammed" / "mohamed": 0.5 x edit 0.875 + 0.5 x Jaro-Winkler 0.975 = 0.925.
# e.g. "nazar" / "anzar": 0.5 x edit 0.8 + 0.5 x Jaro-Winkler 0.93 = 0.87 (Levenshtein: 0.77).
FUZZY_LEV_SHARE = 0.5
# Near-misses count for less than their raw similarity: credit = similarity ** power.
# e.g. at 1.0 a 0.9-similar pair is credited 0.9 of its weight (at 2.0 it would be 0.81).
SIMILARITY_POWER = 1.0
# Token pairs less similar than this are not aligned at all.
# e.g. "ivanov" / "ivanova" (fuzzy 0.91) align; "mikhail" / "michael" (fuzzy 0.78) do not.
ALIGN_FLOOR = 0.8
# Sound-alike or same-skeleton tokens must still share this much spelling (Levenshtein
# similarity): "yang" / "yonghao" share a Metaphone key but are different names.
# e.g. "yang" / "yonghao": Levenshtein similarity 0.43 < 0.5, not sound-alikes.
PHONETIC_LEV_MIN = 0.5
# Similarity credited for an initial that agrees with a full token ("J" / "Joachim").
# e.g. "J Smith" / "Joachim Smith": "j" / "joachim" scores 0.9.
INITIAL_SCORE = 0.9
# Multiplier when the only aligned pairs are initials against words.
# e.g. "C.A.S." / "Carlos Alberto Sanchez": 0.9 for the initials, halved to 0.45.
INITIALS_ONLY_FACTOR = 0.5
# Credits for sound-alike or same-skeleton tokens (the fuzzy score may be higher).
# e.g. "philip" / "filip" (Metaphone FLP both; fuzzy lower): 0.86.
PHONETIC_SCORE = 0.86
# Sound-alike with the same consonant skeleton and first letter (name_pairs F1 unchanged at 0.88,
# 0.90 lifts "OSAMA BIN LADEN" / "BIN LADIN, Osama bin Muhammad bin Awad" from 0.83 to 0.85).
# e.g. "laden" / "ladin": same sound, skeleton "ldn", first letter: 0.9.
SOUND_AND_SKELETON_SCORE = 0.9
# Same first letter and consonant skeleton without the same sound.
# e.g. "robert" / "rupert" (skeleton "rbrt", Metaphones RBRT / RPRT): 0.82.
SKELETON_SCORE = 0.82
# Two abjad readings (Arabic, Hebrew, Thai) with the same consonant skeleton.
# e.g. "mohammed" / "muhamad" read from Arabic ("mhmd"): 0.95.
ABJAD_SKELETON_SCORE = 0.95
# In an organisation's name, a word of 4+ letters that begins another is its abbreviation or a
# truncation ("tech" / "technology"; "techno", cut by a 35-character payment field). Not for
# persons: "Ivan" begins "Ivanov", "Petr" begins "Petrov".
# e.g. "tech" (4 letters) abbreviates "technology"; "co" (2) abbreviates nothing.
ABBREVIATION_MIN = 4
# e.g. "inter" / "international" (it begins the word): 0.85; "intl" does not begin it.
ABBREVIATION_SCORE = 0.85

# --- Whole-name comparison (screening.names.similarity) ---

# Shortest whole-name consonant skeleton compared in an abjad script: three consonants agree by
# chance ("asra azizi" and "syriss" are both "srs"); "abd allah" / "abdullah" ("bdlh") keeps four.
# e.g. "عبد الله" / "abdullah" ("bdlh", four) compare; "asra azizi" / "syriss" ("srs") do not.
ABJAD_JOINED_MIN_CONSONANTS = 4
# Whole-name comparison of the joined tokens (catches joins/splits anywhere).
# e.g. "jsc argument" / "jscargument": the same letters, 1.0; counted only from 0.9.
JOINED_MIN = 0.9
# Share of legal-form letters in the edit budget of that comparison (name_pairs F1 at 0.84:
# 1.0 gives 0.8821, 0.5 gives 0.8829, 0.0 gives 0.8816).
# e.g. "BM BANK PJSC" / "VTB BANK PJSC": "pjsc" counts half in the budget of edits.
JOINED_LEGAL_FORM_SHARE = 0.5

# --- Whole-name multipliers (screening.names.score, screening.names.align) ---

# Multiplier when both names carry legal forms and they share none.
# e.g. "Acme Ltd" / "Acme GmbH": 1.0 x 0.97.
LEGAL_FORM_MISMATCH = 0.97
# Multiplier when both names give a father's name (X bin Y) and the fathers differ.
# e.g. "Ali bin Hassan" / "Ali bin Omar": 0.8 x what the rest of the alignment gives (0.39).
PATRONYM_CONFLICT = 0.8
# Multiplier when two names written syllable by syllable align their syllables in another order
# than a surname moved to the other end allows: the given name's syllables swapped name another person.
# e.g. "김은정" (Kim Eun-jeong, read "kim un jong") / "KIM, Jong Un": 0.8 x 1.0, under the threshold.
SYLLABLE_ORDER_FACTOR = 0.8

# --- Acronyms and generic words of organisations (screening.names.align) ---

# Organisation names: a token that spells the initials of a run of the other name's words
# ("us" / "united states", "pla" / "peoples liberation army") is aligned with the run.
# e.g. "pla" spells "peoples liberation army" (3 words); a run of one word is no acronym.
ACRONYM_MIN_WORDS = 2
# An acronym that is the whole name needs this many letters: "SK" alone spells Sberbank
# Kapital, Seaport of Kerch, Sumiyoshi-Kai and a hundred other pairs of words.
# e.g. "SK" alone spells nothing; "SKB" alone spells "Sberbank Kapital Bank" (0.95).
LONE_ACRONYM_MIN_LETTERS = 3
# e.g. "irgc" (4 words) is read; runs of more than 6 words are not.
ACRONYM_MAX_WORDS = 6
# e.g. "irgc" / "islamic revolutionary guard corps": 0.95 of the pair's weight.
ACRONYM_SCORE = 0.95
# In an organisation's name, two words rigour's table reads as the same generic word ("grp" /
# "group", "tech" / "technologies", "科技" read as "tech"; `screening.org_words`).
# e.g. "Integrity Technology Grp" / "Integrity Technology Group": "grp" / "group" 0.95.
SYMBOL_SCORE = 0.95
