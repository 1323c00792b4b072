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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz.distance import JaroWinkler, Levenshtein

from screening.legal_forms import split_legal_forms
from screening.normalize import clean_text, normalize_latin, tokenize
from screening.phonetics import metaphone, nysiis, skeleton
from screening.token_weights import DEFAULT_WEIGHTS, UNKNOWN_TOKEN_WEIGHT
from screening.translit import latin_variants

NameType = Literal["person", "entity", "vessel", "aircraft", "any"]

# Cost of a token present only in the fuller name, as a share of its weight.
EXTRA_TOKEN_COST = 0.15
# Cost of each side's unmatched weight when both sides have unmatched tokens.
CONFLICT_COST = 1.0
# Share of Levenshtein (vs Jaro-Winkler) in the fuzzy similarity of two tokens.
FUZZY_LEV_SHARE = 0.5
# Near-misses count for less than their raw similarity: credit = similarity ** power.
SIMILARITY_POWER = 1.0
# Token pairs less similar than this are not aligned at all.
ALIGN_FLOOR = 0.8
# Similarity credited for an initial that agrees with a full token ("J" / "Joachim").
INITIAL_SCORE = 0.9
# Credits for sound-alike or same-skeleton tokens (the fuzzy score may be higher).
PHONETIC_SCORE = 0.86
SKELETON_SCORE = 0.82
ABJAD_SKELETON_SCORE = 0.95
# Whole-name comparison of the joined tokens (catches joins/splits anywhere).
JOINED_MIN = 0.9
# Multiplier when both names carry legal forms and they share none.
LEGAL_FORM_MISMATCH = 0.97


@dataclass(frozen=True, slots=True)
class _Spelling:
    """One Latin spelling of a name, with every per-token feature precomputed."""

    tokens: tuple[str, ...]
    metaphones: tuple[str, ...]
    nysiis: tuple[str, ...]
    skeletons: tuple[str, ...]
    token_set: frozenset[str]
    bigrams: Mapping[str, int]  # "juxin"+"he" -> index of "juxin"
    joined: str  # all tokens incl. legal forms, no spaces, original order
    joined_skeleton: str
    patronyms: frozenset[str]  # skeletons of tokens after "bin"/"ibn"/"ben"


@dataclass(frozen=True, slots=True)
class AnalyzedName:
    """A name prepared once (at index build or query time) for fast repeated scoring.

    `index_keys` (the keys the candidate index files this name under and looks
    queries up by), over every Latin spelling of the name:
      - "t:<token>"      each normalised token (legal forms removed);
      - "t:<tok1tok2>"   each concatenation of two adjacent tokens, legal forms
                         included, so "jsc argument" meets "jscargument" and
                         "juxin he" meets "juxinhe";
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

    original: str
    type: NameType
    tokens: tuple[str, ...]  # normalised Latin name tokens, legal forms removed
    legal_forms: tuple[str, ...]  # canonical legal-form tokens found, e.g. ("ltd",)
    index_keys: frozenset[str]  # keys the candidate index files / looks up this name by
    # Added fields (not part of the original contract):
    spellings: tuple[_Spelling, ...] = field(default=(), repr=False, compare=False)
    abjad: bool = False  # written in a script without short vowels (Arabic, Hebrew, Thai)
    script_tokens: tuple[tuple[str, ...], ...] = ()  # all Latin token tuples, first = tokens


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """How one query token was matched, for the analyst-readable explanation."""

    query_token: str
    list_token: str | None  # None: nothing on the list side matched it
    how: str  # "exact" | "phonetic" | "transliterated" | "fuzzy" | "initial" | "missing"
    score: float
    weight: float


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float  # in [0, 1]
    token_matches: tuple[TokenMatch, ...]
    notes: tuple[str, ...] = ()


# Arabic/Persian particles written several ways; one spelling each so they align exactly.
_PARTICLES = {"ibn": "bin", "ben": "bin", "bint": "bint", "abou": "abu", "el": "al", "ul": "al"}
# Tokens that introduce a father's name: the next token is a patronym.
_PATRONYM_MARKERS = frozenset({"bin", "bint", "ould", "walad"})
# Multiplier when both names give a father's name (X bin Y) and the fathers differ.
PATRONYM_CONFLICT = 0.8


def _patronyms(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        skeleton(tokens[i + 1])
        for i in range(len(tokens) - 1)
        if tokens[i] in _PATRONYM_MARKERS and tokens[i + 1] not in _PATRONYM_MARKERS
    )


def _spelling(tokens: tuple[str, ...], legal_forms: tuple[str, ...], raw: str) -> _Spelling:
    tokens = tuple(_PARTICLES.get(t, t) for t in tokens)
    raw_tokens = tokenize(raw)
    bigrams: dict[str, int] = {}
    for i in range(len(tokens) - 1):
        bigrams.setdefault(tokens[i] + tokens[i + 1], i)
    joined = "".join(raw_tokens) or "".join(tokens)
    return _Spelling(
        tokens=tokens,
        metaphones=tuple(metaphone(t) if len(t) > 1 else "" for t in tokens),
        nysiis=tuple(nysiis(t) if len(t) > 1 else "" for t in tokens),
        skeletons=tuple(skeleton(t) for t in tokens),
        token_set=frozenset(tokens),
        bigrams=bigrams,
        joined=joined,
        joined_skeleton=skeleton(joined),
        patronyms=_patronyms(tokens),
    )


def _index_keys(spellings: tuple[_Spelling, ...]) -> frozenset[str]:
    keys: set[str] = set()
    for sp in spellings:
        raw = tokenize(" ".join(sp.tokens))
        for i, token in enumerate(sp.tokens):
            keys.add("t:" + token)
            if len(token) > 1:
                if sp.metaphones[i]:
                    keys.add("m:" + sp.metaphones[i])
                keys.add("k:" + sp.skeletons[i])
            if len(token) >= 5:
                keys.add("p:" + token[:4])
        for i in range(len(raw) - 1):
            keys.add("t:" + raw[i] + raw[i + 1])
        if sp.joined:
            keys.add("j:" + sp.joined_skeleton)
    return frozenset(keys)


def analyze_name(name: str, type: NameType = "any") -> AnalyzedName:
    """Normalise, transliterate and precompute everything scoring needs for one name."""
    native = clean_text(name)
    native_rest, native_forms = split_legal_forms(native) if type != "person" else (native, ())
    variants, abjad = latin_variants(native_rest)
    full_latin = normalize_latin(native)
    spellings: list[_Spelling] = []
    legal_forms: tuple[str, ...] = native_forms
    for variant in variants:
        rest, forms = split_legal_forms(variant) if type != "person" else (variant, ())
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
        spellings.append(_spelling(tokens, forms or native_forms, raw))
    if not spellings:
        spellings.append(_spelling((), (), ""))
    spellings_t = tuple(spellings)
    return AnalyzedName(
        original=name,
        type=type,
        tokens=spellings_t[0].tokens,
        legal_forms=legal_forms,
        index_keys=_index_keys(spellings_t),
        spellings=spellings_t,
        abjad=abjad,
        script_tokens=tuple(sp.tokens for sp in spellings_t),
    )


def _token_similarity(
    a: _Spelling, i: int, b: _Spelling, j: int, abjad: bool, initials: bool
) -> tuple[float, str]:
    ta, tb = a.tokens[i], b.tokens[j]
    if ta == tb:
        return 1.0, "exact"
    la, lb = len(ta), len(tb)
    if la == 1 or lb == 1:
        if initials and ta[0] == tb[0]:
            return INITIAL_SCORE, "initial"
        return 0.0, "missing"
    if ta.isdigit() or tb.isdigit():
        return 0.0, "missing"
    if abjad:
        ka, kb = a.skeletons[i], b.skeletons[j]
        if ka == kb:
            return ABJAD_SKELETON_SCORE, "transliterated"
        return Levenshtein.normalized_similarity(ka, kb) * 0.9, "transliterated"
    fuzzy = FUZZY_LEV_SHARE * Levenshtein.normalized_similarity(ta, tb) + (
        1.0 - FUZZY_LEV_SHARE
    ) * JaroWinkler.normalized_similarity(ta, tb)
    best, how = fuzzy, "fuzzy"
    if a.metaphones[i] and (a.metaphones[i] == b.metaphones[j] or a.nysiis[i] == b.nysiis[j]):
        if best < PHONETIC_SCORE:
            best, how = PHONETIC_SCORE, "phonetic"
    elif a.skeletons[i] == b.skeletons[j] and ta[0] == tb[0] and best < SKELETON_SCORE:
        best, how = SKELETON_SCORE, "phonetic"
    return best, how


_VOWELS = frozenset("aeiouy")


def _weight(weights: Mapping[str, float], token: str) -> float:
    return weights.get(token, UNKNOWN_TOKEN_WEIGHT)


def _score_spellings(
    q: _Spelling,
    c: _Spelling,
    weights: Mapping[str, float],
    abjad: bool,
    initials: bool,
    explain: bool,
) -> tuple[float, list[TokenMatch]]:
    qt, ct = q.tokens, c.tokens
    nq, nc = len(qt), len(ct)
    q_used = [False] * nq
    c_used = [False] * nc
    matched = 0.0  # sum of similarity * pair weight
    pair_weight = 0.0
    matches: list[TokenMatch] = []

    # Joined on one side, split on the other: "juxin he" / "juxinhe".
    if q.bigrams or c.bigrams:
        for joined, i in q.bigrams.items():
            if joined in c.token_set and not q_used[i] and not q_used[i + 1]:
                j = ct.index(joined)
                if c_used[j]:
                    continue
                w = min(_weight(weights, qt[i]) + _weight(weights, qt[i + 1]), _weight(weights, joined))
                q_used[i] = q_used[i + 1] = c_used[j] = True
                matched += w
                pair_weight += w
                if explain:
                    matches.append(TokenMatch(qt[i] + " " + qt[i + 1], joined, "exact", 1.0, w))
        for joined, j in c.bigrams.items():
            if joined in q.token_set and not c_used[j] and not c_used[j + 1]:
                i = qt.index(joined)
                if q_used[i]:
                    continue
                w = min(_weight(weights, ct[j]) + _weight(weights, ct[j + 1]), _weight(weights, joined))
                c_used[j] = c_used[j + 1] = q_used[i] = True
                matched += w
                pair_weight += w
                if explain:
                    matches.append(TokenMatch(joined, ct[j] + " " + ct[j + 1], "exact", 1.0, w))

    # Exact tokens first (cheap), then the rest by best similarity.
    common = q.token_set & c.token_set
    if common:
        for i, token in enumerate(qt):
            if token in common and not q_used[i]:
                for j in range(nc):
                    if not c_used[j] and ct[j] == token:
                        w = _weight(weights, token)
                        q_used[i] = c_used[j] = True
                        matched += w
                        pair_weight += w
                        if explain:
                            matches.append(TokenMatch(token, token, "exact", 1.0, w))
                        break
    candidates: list[tuple[float, int, int, str]] = []
    for i in range(nq):
        if q_used[i]:
            continue
        for j in range(nc):
            if c_used[j]:
                continue
            sim, how = _token_similarity(q, i, c, j, abjad, initials)
            if sim >= ALIGN_FLOOR:
                candidates.append((sim, i, j, how))
    if candidates:
        candidates.sort(reverse=True)
        for sim, i, j, how in candidates:
            if q_used[i] or c_used[j]:
                continue
            q_used[i] = c_used[j] = True
            w = min(_weight(weights, qt[i]), _weight(weights, ct[j]))
            if how == "initial":
                # An initial carries only the evidence of one letter.
                w = min(w, 0.5 * max(_weight(weights, qt[i]), _weight(weights, ct[j])))
            matched += sim**SIMILARITY_POWER * w
            pair_weight += w
            if explain:
                matches.append(TokenMatch(qt[i], ct[j], how, round(sim, 4), round(w, 4)))

    q_missing = sum(_weight(weights, qt[i]) for i in range(nq) if not q_used[i])
    c_missing = sum(_weight(weights, ct[j]) for j in range(nc) if not c_used[j])
    if explain:
        for i in range(nq):
            if not q_used[i]:
                matches.append(TokenMatch(qt[i], None, "missing", 0.0, round(_weight(weights, qt[i]), 4)))
    if pair_weight <= 0.0:
        return 0.0, matches
    if q_missing and c_missing:
        # Tokens unmatched on both sides contradict each other (a different father,
        # surname or clan): only the excess of the fuller side is a mere omission.
        shared = min(q_missing, c_missing)
        q_missing, c_missing = q_missing - shared, c_missing - shared
        pair_weight += 2 * shared * CONFLICT_COST
    as_query = matched / (pair_weight + q_missing + EXTRA_TOKEN_COST * c_missing)
    as_list = matched / (pair_weight + c_missing + EXTRA_TOKEN_COST * q_missing)
    score = max(as_query, as_list)
    if q.patronyms and c.patronyms and not q.patronyms & c.patronyms:
        score *= PATRONYM_CONFLICT
    return score, matches


def _joined_similarity(q: _Spelling, c: _Spelling, abjad: bool) -> float:
    """Similarity of the whole names with spaces removed, counted only when very close."""
    if abjad:
        sim = Levenshtein.normalized_similarity(q.joined_skeleton, c.joined_skeleton)
        if len(q.joined_skeleton) < 3:
            return 0.0
    else:
        sim = Levenshtein.normalized_similarity(q.joined, c.joined)
    return sim if sim >= JOINED_MIN else 0.0


def score_names(
    query: AnalyzedName,
    candidate: AnalyzedName,
    weights: Mapping[str, float] | None = None,
    explain: bool = False,
) -> NameScore:
    """Score two analysed names; `weights` maps a token to how distinctive it is (IDF-like).

    Symmetric in its two names (up to the explanation). With `explain=False`
    (the index's hot path) `token_matches` is empty; pass `explain=True` for the
    per-token explanation of a reported match.
    """
    if weights is None:
        weights = DEFAULT_WEIGHTS
    abjad = query.abjad or candidate.abjad
    initials = query.type not in ("entity", "vessel", "aircraft") and candidate.type not in (
        "entity",
        "vessel",
        "aircraft",
    )
    best = 0.0
    best_matches: list[TokenMatch] = []
    best_pair = (0, 0)
    for qi, q in enumerate(query.spellings):
        for ci, c in enumerate(candidate.spellings):
            if not q.tokens or not c.tokens:
                continue
            score, matches = _score_spellings(q, c, weights, abjad, initials, explain)
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
    notes: list[str] = []
    if (
        query.legal_forms
        and candidate.legal_forms
        and not set(query.legal_forms) & set(candidate.legal_forms)
    ):
        best *= LEGAL_FORM_MISMATCH
        notes.append(f"legal forms differ: {query.legal_forms} / {candidate.legal_forms}")
    if explain:
        if best_pair[0] or query.abjad:
            notes.append("query read as: " + " ".join(query.spellings[best_pair[0]].tokens))
        if best_pair[1] or candidate.abjad:
            notes.append("list name read as: " + " ".join(candidate.spellings[best_pair[1]].tokens))
        if best_pair != (0, 0) or abjad:
            best_matches = [
                TokenMatch(m.query_token, m.list_token, "transliterated", m.score, m.weight)
                if m.how in ("exact", "fuzzy", "phonetic")
                else m
                for m in best_matches
            ]
    best = min(1.0, max(0.0, best))
    return NameScore(best, tuple(best_matches), tuple(notes))
