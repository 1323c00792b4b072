"""Aligning two spellings token by token, in named stages, and the cost of what is left.

Query and candidate tokens are aligned one-to-one. `_score_spellings` runs the stages in
order, each taking only tokens no earlier stage took:
  - `_align_joins`: adjacent tokens joined on one side ("juxin he" / "juxinhe");
  - `_align_acronyms`: an organisation's acronym and the words it spells out ("us" / "united states");
  - `_align_exact`: the same token on both sides;
  - `_align_symbols`: organisations' generic words read as one symbol ("grp" / "group");
  - `_fuzzy_pairs` and `_align_fuzzy`: the other token pairs, greedily by best similarity
    (initial, sound-alike, same skeleton, fuzzy, abbreviation: `screening.names.similarity`);
  - `_score_of_rest`: the weighted share of matched evidence, where unmatched tokens of the
    fuller name cost only `EXTRA_TOKEN_COST` of their weight (middle names and patronymics a
    customer record omits) and unmatched tokens of the shorter name cost all of it.
The stages share one `_Alignment`: which tokens each side has used and the evidence so far.
"""

from __future__ import annotations

from collections.abc import Mapping

import cython

from screening.names.magic import (
    ABBREVIATION_SCORE,
    ACRONYM_SCORE,
    CONFLICT_COST,
    CORE_PAIRS,
    ENTITY_EXTRA_TOKEN_COST,
    EXTRA_TOKEN_COST,
    GENERIC_WORD_DISCOUNT,
    INITIALS_ONLY_FACTOR,
    LONE_ACRONYM_MIN_LETTERS,
    MONONYM_MIN_LENGTH,
    PATRONYM_CONFLICT,
    SIMILARITY_POWER,
    SYLLABLE_ORDER_FACTOR,
    SYMBOL_SCORE,
)
from screening.names.model import ORDINARY, SYLLABLE
from screening.org_words import org_symbols
from screening.token_weights import UNKNOWN_TOKEN_WEIGHT

if cython.compiled:  # typed fields (model.pxd) and C calls (similarity.pxd); plain Python imports them
    from cython.cimports.screening.names.model import AnalyzedName, TokenMatch, _Spelling
    from cython.cimports.screening.names.similarity import (
        _abbreviates,
        _memoised_similarity,
        _other_form,
        _similarity_row,
        _syllabic,
    )
else:
    from screening.names.model import AnalyzedName, TokenMatch, _Spelling
    from screening.names.similarity import (
        _abbreviates,
        _memoised_similarity,
        _other_form,
        _similarity_row,
        _syllabic,
    )

_ABBREVIATION = cython.declare(tuple, (ABBREVIATION_SCORE, "abbreviation"))
# Names longer than this many tokens are never cut short by `_alignment_bound` (bit masks).
_BOUND_TOKENS_MAX = cython.declare(cython.Py_ssize_t, 63)
# C copies of the tuning constants each alignment reads, when compiled: a module global is a
# dictionary look-up, and arithmetic with it boxed Python numbers.
_SIMILARITY_POWER = cython.declare(cython.double, SIMILARITY_POWER)
_EXTRA_TOKEN_COST = cython.declare(cython.double, EXTRA_TOKEN_COST)
_ENTITY_EXTRA_TOKEN_COST = cython.declare(cython.double, ENTITY_EXTRA_TOKEN_COST)
_CORE_PAIRS = cython.declare(cython.int, CORE_PAIRS)
_CONFLICT_COST = cython.declare(cython.double, CONFLICT_COST)
_MONONYM_MIN_LENGTH = cython.declare(cython.Py_ssize_t, MONONYM_MIN_LENGTH)
_GENERIC_WORD_DISCOUNT = cython.declare(cython.double, GENERIC_WORD_DISCOUNT)
_INITIALS_ONLY_FACTOR = cython.declare(cython.double, INITIALS_ONLY_FACTOR)
_PATRONYM_CONFLICT = cython.declare(cython.double, PATRONYM_CONFLICT)
_SYLLABLE_KIND = cython.declare(cython.int, SYLLABLE)
_ORDINARY_KIND = cython.declare(cython.int, ORDINARY)
# Which side of a pair may be the spelled-out one (bit flags for _score_spellings).
SPELLED_OUT_CANDIDATE = 1
SPELLED_OUT_QUERY = 2


@cython.final
@cython.freelist(8)  # one per spelling pair scored past the fast path: reuse the memory
@cython.cclass
class _Alignment:
    """Two spellings being aligned: which tokens each side has used, and the evidence so far.

    An extension type when compiled (its fields C struct members): every stage of
    `_score_spellings` reads and updates it for every candidate.
    """

    q: _Spelling  # the query's spelling
    c: _Spelling  # the list name's spelling
    wq: tuple  # per-token weights of q (float)
    wc: tuple  # per-token weights of c (float)
    q_used: list  # per token of q: aligned already (bool)
    c_used: list  # per token of c: aligned already (bool)
    weights: Mapping[str, float]  # token -> weight (for joined tokens)
    explain: cython.bint  # record a TokenMatch per pair in `matches`
    matches: list  # TokenMatch of each aligned pair, when explaining
    matched: cython.double  # sum of similarity * pair weight
    pair_weight: cython.double  # sum of pair weights
    pairs: cython.int  # aligned token pairs (a join counts once)
    initial_pairs: cython.int  # of which an initial against a word
    # The query is one word, or an organisation's one word split ("hei ying" / "HEIYING"); a
    # person's two words joined are often a full name ("jiang ping" / "ZHANG, Jiangping").
    one_word: cython.bint
    # Per token of q: the position of the c token it was aligned with (-1: none), kept only for
    # names written syllable by syllable, whose given names' syllables keep their order.
    order: list | None


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
    abjad: cython.bint,
    initials: cython.bint,
    explain: cython.bint,
    acronyms: cython.int = 0,
    floor: cython.double = 0.0,
) -> tuple:  # (score, [TokenMatch])
    """(score, token matches) of two spellings; a score that cannot reach `floor` may come back as 0."""
    # C types when compiled with Cython (plain annotations otherwise).
    nq: cython.Py_ssize_t = len(q.tokens)
    nc: cython.Py_ssize_t = len(c.tokens)
    # Per-token weights, cached on the spelling for the last mapping used (inlined: hot path).
    cache = q.weight_cache
    wq = cache[1] if cache and cache[0] is weights else _token_weights(q, weights)
    cache = c.weight_cache
    wc = cache[1] if cache and cache[0] is weights else _token_weights(c, weights)

    # Fast path: the same tokens on both sides (any order), or the same spelling with a token
    # twice ("a aa aa aaa": the alignment would join "a aa" against "aaa" both ways, out of order).
    if (nq == nc and q.token_set == c.token_set and len(q.token_set) == nq) or q.tokens == c.tokens:
        return _same_tokens(q, c, wq, explain)

    st: _Alignment = _Alignment.__new__(_Alignment)
    st.q, st.c, st.wq, st.wc = q, c, wq, wc
    st.q_used = [False] * nq
    st.c_used = [False] * nc
    st.weights = weights
    st.explain = explain
    st.matches = []
    st.matched = 0.0
    st.pair_weight = 0.0
    st.pairs = 0
    st.initial_pairs = 0
    st.one_word = nq == 1
    st.order = [-1] * nq if nq >= 3 and nc >= 3 and (_syllabic(q) or _syllabic(c)) else None

    _align_joins(st, True, initials)
    _align_joins(st, False, initials)
    if acronyms:
        if acronyms & SPELLED_OUT_CANDIDATE and not c.acronym_keys.isdisjoint(q.token_set):
            _align_acronyms(st, False)
        if acronyms & SPELLED_OUT_QUERY and not q.acronym_keys.isdisjoint(c.token_set):
            _align_acronyms(st, True)
    _align_exact(st)
    # Both organisations' names (`_Spelling.symbols`): generic words may align, and cost less missing.
    generic: cython.bint = not initials and not abjad and q.symbols is not None and c.symbols is not None
    if generic and c.symbols:
        _align_symbols(st)
    candidates = _fuzzy_pairs(st, abjad, initials, floor)
    if candidates is None:
        return 0.0, st.matches
    _align_fuzzy(st, candidates)
    score: cython.double = _score_of_rest(st, initials, generic)
    if st.order is not None and not _in_order(st.order):
        score *= SYLLABLE_ORDER_FACTOR
    return score, st.matches


@cython.cfunc
def _same_tokens(q: _Spelling, c: _Spelling, wq: tuple, explain: cython.bint) -> tuple:
    """(score, token matches) of two spellings of the same tokens (any order)."""
    matches: list[TokenMatch] = []
    if explain:
        matches.extend([TokenMatch(t, t, "exact", 1.0, w) for t, w in zip(q.tokens, wq, strict=True)])
    if sum(wq) <= 0.0:
        return 0.0, matches
    if q.patronyms and c.patronyms and not q.patronyms & c.patronyms:
        return _PATRONYM_CONFLICT, matches
    nq: cython.Py_ssize_t = len(q.tokens)
    if (
        nq >= 3
        and q.tokens != c.tokens
        and _syllabic(q)
        and not _in_order([c.tokens.index(t) for t in q.tokens])
    ):
        return SYLLABLE_ORDER_FACTOR, matches
    return 1.0, matches


@cython.cfunc
def _in_order(order: list) -> cython.bint:
    """Whether the list name's positions of the query's aligned syllables run in the query's order,
    but for the first or last one: a surname may be written at either end.

    Korean, Chinese and Vietnamese given names are syllables in a fixed order: "kim un jong"
    (김은정, Kim Eun-jeong) is not "kim jong un" (김정은), but "jong un kim" is. Positions
    may repeat (two syllables joined in the other name); -1 is a token not aligned.
    """
    seq: list = [j for j in order if j >= 0]
    n: cython.Py_ssize_t = len(seq)
    if n < 3:
        return True
    if _ascending(seq, 0, n):
        return True
    if seq[0] >= seq[n - 1] and _ascending(seq, 1, n):
        return True  # the first one written last in the list name
    return seq[n - 1] <= seq[0] and _ascending(seq, 0, n - 1)


@cython.cfunc
def _ascending(seq: list, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> cython.bint:
    """Whether seq[start:end] never decreases (a C loop when compiled, not a generator)."""
    i: cython.Py_ssize_t
    for i in range(start + 1, end):  # noqa: SIM110
        if seq[i] < seq[i - 1]:
            return False
    return True


@cython.cfunc
def _align_joins(st: _Alignment, split_in_query: cython.bint, initials: cython.bint) -> cython.void:
    """Adjacent tokens of one side joined are a token of the other: "juxin he" / "juxinhe" (one pair each).

    The query's tokens are the split ones when `split_in_query` (the list name has them as
    one token), the list name's otherwise.
    """
    split: _Spelling
    whole: _Spelling
    if split_in_query:
        split, whole, w_split = st.q, st.c, st.wq
        split_used, whole_used = st.q_used, st.c_used
    else:
        split, whole, w_split = st.c, st.q, st.wc
        split_used, whole_used = st.c_used, st.q_used
    nq: cython.Py_ssize_t = len(st.q.tokens)
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    w: cython.double
    if split.join_keys.isdisjoint(whole.token_set):
        return
    for joined, (i, span) in split.joins.items():
        if joined in whole.token_set and not any(split_used[i : i + span]):
            j = whole.tokens.index(joined)
            if whole_used[j]:
                continue
            if split_in_query:
                st.one_word = st.one_word or (span == nq and not initials)
            w = min(sum(w_split[i : i + span]), _weight(st.weights, joined))
            split_used[i : i + span] = [True] * span
            whole_used[j] = True
            if st.order is not None:
                if split_in_query:
                    st.order[i : i + span] = [j] * span
                else:
                    st.order[j] = i
            st.matched += w
            st.pair_weight += w
            st.pairs += 1
            if st.explain:
                words = " ".join(split.tokens[i : i + span])
                pair = (words, joined) if split_in_query else (joined, words)
                st.matches.append(TokenMatch(pair[0], pair[1], "exact", 1.0, w))


@cython.cfunc
def _align_acronyms(st: _Alignment, full_is_query: cython.bint) -> cython.void:
    """Align acronym tokens of one side with the runs of the other side's words they abbreviate.

    The acronym is the list name's token ("us" / the query's "united states") unless
    `full_is_query` is false: then the query's token spells out the list name's words.
    """
    short: _Spelling
    full: _Spelling
    if full_is_query:
        short, full, w_short, w_full = st.c, st.q, st.wc, st.wq
        short_used, full_used = st.c_used, st.q_used
    else:
        short, full, w_short, w_full = st.q, st.c, st.wq, st.wc
        short_used, full_used = st.q_used, st.c_used
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
        st.matched = st.matched + ACRONYM_SCORE * w
        st.pair_weight = st.pair_weight + w
        st.pairs += 1
        if st.explain:
            words = " ".join(full.tokens[j : j + span])
            pair = (words, token) if full_is_query else (token, words)
            st.matches.append(TokenMatch(pair[0], pair[1], "acronym", ACRONYM_SCORE, round(w, 4)))


@cython.cfunc
@cython.boundscheck(False)  # i < len(q.tokens), j < len(c.tokens): every index in range
@cython.wraparound(False)
def _align_exact(st: _Alignment) -> cython.void:
    """The same token on both sides (each token once)."""
    q, c = st.q, st.c
    qt, ct = q.tokens, c.tokens
    q_used, c_used = st.q_used, st.c_used
    nq: cython.Py_ssize_t = len(qt)
    nc: cython.Py_ssize_t = len(ct)
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    w: cython.double
    c_set = c.token_set
    if not q.token_set.isdisjoint(c_set):
        for i in range(nq):
            token = qt[i]
            if not q_used[i] and token in c_set:
                for j in range(nc):
                    if not c_used[j] and ct[j] == token:
                        w = st.wq[i]
                        q_used[i] = c_used[j] = True
                        if st.order is not None:
                            st.order[i] = j
                        st.matched += w
                        st.pair_weight += w
                        st.pairs += 1
                        if st.explain:
                            st.matches.append(TokenMatch(token, token, "exact", 1.0, w))
                        break


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
def _align_symbols(st: _Alignment) -> cython.void:
    """Align unmatched words of two organisation names that are the same generic word.

    "Integrity Technology Grp" / "Integrity Technology Group": "grp" and "group" share rigour's
    symbol GRP. Generic words weigh little, so this only keeps them from counting as missing.
    Both spellings have symbol lists (`_score_spellings` checked).
    """
    qt, ct = st.q.tokens, st.c.tokens
    q_symbols: list = st.q.symbols  # type: ignore[assignment]
    c_symbols: list = st.c.symbols  # type: ignore[assignment]
    wq, wc = st.wq, st.wc
    q_used, c_used = st.q_used, st.c_used
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
            if st.order is not None:
                st.order[i] = j
            st.matched += SYMBOL_SCORE * w
            st.pair_weight += w
            st.pairs += 1
            if st.explain:
                st.matches.append(TokenMatch(qt[i], ct[j], "symbol", SYMBOL_SCORE, round(w, 4)))
            break


@cython.cfunc
@cython.boundscheck(False)  # i < len(q.tokens), j < len(c.tokens): every index in range
@cython.wraparound(False)
def _fuzzy_pairs(
    st: _Alignment, abjad: cython.bint, initials: cython.bint, floor: cython.double
) -> list | None:
    """(similarity, i, j, how) of every alignable pair of tokens left; None when `floor` is out of reach."""
    qt, ct = st.q.tokens, st.c.tokens
    q_used, c_used = st.q_used, st.c_used
    nq: cython.Py_ssize_t = len(qt)
    nc: cython.Py_ssize_t = len(ct)
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    candidates: list[tuple[float, int, int, str]] = []
    found: tuple
    sim: cython.double
    # Bit i: query token i (bit j: list token j) has a similar token on the other side, kept
    # only when a floor may cut the pair short (and the names fit the bit masks).
    bounded: cython.bint = floor > 0.0 and nq <= _BOUND_TOKENS_MAX and nc <= _BOUND_TOKENS_MAX
    one: cython.ulonglong = 1
    q_similar: cython.ulonglong = 0
    c_similar: cython.ulonglong = 0
    for i in range(nq):
        if q_used[i]:
            continue
        ta = qt[i]
        row = _similarity_row(ta, abjad)
        for j in range(nc):
            if c_used[j]:
                continue
            tb = ct[j]
            found = _memoised_similarity(row, ta, tb, abjad)
            sim = found[0]
            if sim == 0.0:
                # In an organisation's name one word may still abbreviate the other.
                if initials or abjad or not _abbreviates(ta, tb):
                    continue
                found = _ABBREVIATION
                sim = found[0]
            if sim != 0.0 and (initials or found[1] != "initial"):
                candidates.append((found[0], i, j, found[1]))
                if bounded:
                    q_similar |= one << i
                    c_similar |= one << j
    if bounded and _alignment_bound(st.wq, q_used, q_similar, nq, st.wc, c_used, c_similar, nc) < floor:
        return None
    return candidates


@cython.cfunc
@cython.boundscheck(False)  # the pairs' indices come from _fuzzy_pairs: in range
@cython.wraparound(False)
def _align_fuzzy(st: _Alignment, candidates: list) -> cython.void:
    """Align the pairs of `_fuzzy_pairs`, most similar first, each token once."""
    qt, ct = st.q.tokens, st.c.tokens
    wq, wc = st.wq, st.wc
    q_used, c_used = st.q_used, st.c_used
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    w: cython.double
    sim: cython.double
    if candidates:
        if len(candidates) > 1:
            candidates.sort(reverse=True)
        for sim, i, j, how in candidates:
            if q_used[i] or c_used[j]:
                continue
            q_used[i] = c_used[j] = True
            if st.order is not None:
                st.order[i] = j
            w = min(wq[i], wc[j])
            if how == "initial":
                # An initial carries only the evidence of one letter.
                w = min(w, 0.5 * max(wq[i], wc[j]))
                st.initial_pairs += 1
            st.matched += sim**_SIMILARITY_POWER * w
            st.pair_weight += w
            st.pairs += 1
            if st.explain:
                st.matches.append(TokenMatch(qt[i], ct[j], how, round(sim, 4), round(w, 4)))


@cython.cfunc
def _score_of_rest(st: _Alignment, initials: cython.bint, generic: cython.bint) -> cython.double:
    """The alignment's score: matched evidence against the cost of the tokens left unmatched."""
    q, c = st.q, st.c
    qt = q.tokens
    wq, wc = st.wq, st.wc
    q_used, c_used = st.q_used, st.c_used
    nq: cython.Py_ssize_t = len(qt)
    nc: cython.Py_ssize_t = len(c.tokens)
    # C loop indices of the comprehensions below, when compiled (as before the split).
    i: cython.Py_ssize_t  # noqa: F842
    j: cython.Py_ssize_t  # noqa: F842
    shared: cython.double
    q_missing: cython.double
    c_missing: cython.double
    q_cost: cython.double
    c_cost: cython.double
    extra_cost: cython.double
    pair_weight: cython.double = st.pair_weight
    # Middle names and patronymics are a person's; an extra word in a company name
    # ("Banco Santander Chile") names another company.
    extra_cost = _EXTRA_TOKEN_COST if initials else _ENTITY_EXTRA_TOKEN_COST
    if st.explain:
        st.matches.extend(
            [TokenMatch(qt[i], None, "missing", 0.0, round(wq[i], 4)) for i in range(nq) if not q_used[i]]
        )
    if pair_weight <= 0.0:
        return 0.0
    # With fewer than CORE_PAIRS aligned pairs only one part of the names agrees: the fuller
    # name's most distinctive other part is a given name or surname the other name lacks, not
    # a middle name ("Lauren Bryant" / "LAUREN").
    promote = st.pairs < _CORE_PAIRS
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
        pair_weight += 2 * shared * _CONFLICT_COST
    # A company is often named without its generic words ("Shanghai Heiying" for "Shanghai
    # Heiying Information Technology"): those it lacks cost less than another word.
    if st.one_word and c_missing and not q_missing and sum([len(t) for t in qt]) >= _MONONYM_MIN_LENGTH:
        # A one-word query (a mononym, or a surname searched alone, perhaps split: "Juxin He")
        # can name only one part of a fuller list name: the other parts count as one omitted
        # part, however many there are.
        c_cost = _EXTRA_TOKEN_COST * max([wc[j] for j in range(nc) if not c_used[j]])
    else:
        if generic:
            c_lenient -= _GENERIC_WORD_DISCOUNT * min(c_lenient, _generic_weight(c, wc, c_used))
        c_cost = extra_cost * c_lenient + c_core
    if generic:
        q_lenient -= _GENERIC_WORD_DISCOUNT * min(q_lenient, _generic_weight(q, wq, q_used))
    q_cost = extra_cost * q_lenient + q_core
    matched: cython.double = st.matched
    as_query: cython.double = matched / (pair_weight + q_missing + c_cost)
    as_list: cython.double = matched / (pair_weight + c_missing + q_cost)
    score: cython.double = as_query if as_query > as_list else as_list
    if st.initial_pairs == st.pairs:
        # Only initials agree ("C.A.S." / "Carlos Alberto Sanchez"): a few letters in common.
        score *= _INITIALS_ONLY_FACTOR
    if q.patronyms and c.patronyms and not q.patronyms & c.patronyms:
        score *= _PATRONYM_CONFLICT
    return score


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
@cython.boundscheck(False)  # n is the length of both weights and used
@cython.wraparound(False)
def _alignable_share(
    weights: tuple, used: list, similar: cython.ulonglong, n: cython.Py_ssize_t
) -> cython.double:
    """Weight share of one side's tokens that are aligned already or have a similar token."""
    i: cython.Py_ssize_t
    w: cython.double
    total: cython.double = 0.0
    alignable: cython.double = 0.0
    for i in range(n):
        w = weights[i]
        total += w
        if (similar >> i) & 1 or used[i]:
            alignable += w
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
    kind: cython.int
    kinds = sp.kinds
    for i, was_used in enumerate(used):
        if not was_used:
            kind = kinds[i]
            weight = weights[i]
            if kind == _SYLLABLE_KIND:
                core += weight
            else:
                lenient += weight
                if kind == _ORDINARY_KIND and (heaviest is None or weight > heaviest):
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
