"""The compiled posting arithmetic ranks exactly as a plain per-name reference does."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import screening
from screening import postings as compiled_postings
from tests.plain_source import plain_source_module

NAMES = 60
DESIGNATIONS = 20
PLAIN = plain_source_module("postings")


def _key_rank(shared: float, total: float, query_total: float, extra_cost: float) -> float:
    """The better of the two coverages, each side's extra key weight costing `extra_cost` of it."""
    as_query = shared / (query_total + extra_cost * max(0.0, total - shared))
    as_name = shared / (total + extra_cost * max(0.0, query_total - shared))
    return max(as_query, as_name)


def _word_bits(name: int, key: int) -> int:
    """The test's word bits of a posting: which of a name's three words key number `key` came from."""
    return 1 << ((name + key) % 3)


def _reference(
    keys,
    boost,
    totals,
    allowed,
    designation_of,
    shortlist,
    limit,
    min_share,
    min_count,
    tie_limit,
    query,
    words,
):
    """Sum per name in key order, rank by `_key_rank` (ties by id), walk as NameIndex.candidates documents.

    Returns the candidates and the ranked names lying inside the query or around it, best first:
    `words` = (per key the query's word bits, per name its required bits, the query's required bits).
    """
    key_bits, required, query_required = words
    sums: dict[int, float] = {}
    met: dict[int, int] = {}
    query_met: dict[int, int] = {}

    def meet(name: int, k: int, weight: float) -> None:
        sums[name] = sums.get(name, 0.0) + weight
        met[name] = met.get(name, 0) | _word_bits(name, k)
        query_met[name] = query_met.get(name, 0) | key_bits[k]

    for k, (ids, weight) in enumerate(keys):
        for name in ids:
            meet(name, k, weight)
    names = [n for n in sums if allowed[n]]

    def rank_of(name: int) -> float:
        return _key_rank(sums[name], totals[name], *query)

    def order(pool: list[int]) -> list[int]:
        return sorted(pool, key=lambda n: (-rank_of(n), n))

    if boost and names:
        names = order(names)[:shortlist]
        for k, (ids, weight) in enumerate(boost, start=len(keys)):
            for name in names:
                if name in ids:
                    meet(name, k, weight)
    inside = [
        n
        for n in order(names)
        if (required[n] and met[n] & required[n] == required[n])
        or (query_required and query_met[n] & query_required == query_required)
    ]
    ranked = order(names)[: max(limit, tie_limit) * 3]
    chosen: list[int] = []
    per_designation: dict[int, int] = {}
    cutoff = None
    last_rank = 0.0
    for name in ranked:
        rank = rank_of(name)
        cutoff = rank * min_share if cutoff is None else cutoff
        if rank < cutoff and len(chosen) >= min_count:
            break
        if len(chosen) >= limit and (len(chosen) >= tie_limit or rank < last_rank * 0.97):
            break
        count = per_designation.get(designation_of[name], 0)
        if count >= 3:
            continue
        per_designation[designation_of[name]] = count + 1
        chosen.append(name)
        if len(chosen) <= limit:
            last_rank = rank
    return chosen, inside


posting_lists = st.lists(
    st.tuples(
        st.sets(st.integers(0, NAMES - 1), min_size=1, max_size=25).map(sorted),
        st.sampled_from([0.5, 0.693, 1.25, 2.0, 3.7]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    generate=posting_lists,
    boost=posting_lists | st.just([]),
    totals=st.lists(st.sampled_from([1.0, 1.5, 2.25, 3.0, 9.5]), min_size=NAMES, max_size=NAMES),
    query=st.tuples(st.sampled_from([1.0, 4.0, 11.5]), st.sampled_from([0.0, 0.05, 0.4])),
    allowed=st.lists(st.booleans(), min_size=NAMES, max_size=NAMES) | st.just([True] * NAMES),
    designation_of=st.lists(st.integers(0, DESIGNATIONS - 1), min_size=NAMES, max_size=NAMES),
    shortlist=st.integers(1, 12),
    limit=st.integers(1, 8),
    min_share=st.sampled_from([0.0, 0.5, 0.9]),
    min_count=st.integers(0, 6),
    tie_limit=st.sampled_from([0, 10]),
    key_bits=st.lists(st.sampled_from([0, 1, 2, 4]), min_size=12, max_size=12),
    required=st.lists(st.sampled_from([0, 3, 7]), min_size=NAMES, max_size=NAMES),
    query_required=st.sampled_from([0, 3, 7]),
)
def test_ranking_equals_the_plain_reference(
    generate,
    boost,
    totals,
    query,
    allowed,
    designation_of,
    shortlist,
    limit,
    min_share,
    min_count,
    tie_limit,
    key_bits,
    required,
    query_required,
) -> None:
    keys = generate + boost
    flat = np.array([n for ids, _ in keys for n in ids], dtype=np.int32)
    flat_bits = np.array([_word_bits(n, k) for k, (ids, _) in enumerate(keys) for n in ids], dtype=np.uint32)
    spans, offset = [], 0
    for k, (ids, weight) in enumerate(keys):
        spans.append((offset, len(ids), weight, key_bits[k]))
        offset += len(ids)
    words = (key_bits, required, query_required)
    expected = _reference(
        generate,
        boost,
        totals,
        allowed,
        designation_of,
        shortlist,
        limit,
        min_share,
        min_count,
        tie_limit,
        query,
        words,
    )
    arrays = (
        flat_bits,
        (totals, required),
        None if all(allowed) else np.array(allowed, dtype=np.uint8),  # None: no list filter
        np.array(designation_of, dtype=np.int32),
    )
    walk = (limit, min_share, min_count, tie_limit)
    # Boost keys are scanned (the default for lists this short) or binary-searched (scan factor 0);
    # names below the share cut are found by scans (up to SCANNED_BELOW_CUT), then from a heap.
    scan_default, below_default = PLAIN.SCAN_PER_SHORTLISTED, PLAIN.SCANNED_BELOW_CUT
    variants = [(scan_default, below_default), (0, 0), (scan_default, 1)]
    for module, (scan, below) in [(m, v) for m in (compiled_postings, PLAIN) for v in variants]:
        defaults = module.SCAN_PER_SHORTLISTED, module.SCANNED_BELOW_CUT
        module.SCAN_PER_SHORTLISTED, module.SCANNED_BELOW_CUT = scan, below
        try:
            scratch = module.Scratch(NAMES)
            for _ in range(2):  # the scratch arrays are left clean for the next query
                ranked = _rank(
                    module,
                    scratch,
                    flat,
                    spans,
                    len(generate),
                    arrays,
                    shortlist,
                    query,
                    walk,
                    query_required,
                )
                assert ranked == expected
                assert not scratch.sums.any() and not scratch.marks.any() and not scratch.words.any()
        finally:
            module.SCAN_PER_SHORTLISTED, module.SCANNED_BELOW_CUT = defaults


def _rank(module, scratch, flat, spans, generated, arrays, shortlist, query, walk, query_required):
    """(candidates, names listed inside) as NameIndex.candidates gets them."""
    flat_bits, (totals, required), allowed, designation_of = arrays
    facts = module.NameFacts(totals, required)
    ranked = module.ranked_names(
        scratch,
        flat,
        flat_bits,
        facts.totals,
        facts.required,
        allowed,
        spans[:generated],
        spans[generated:],
        shortlist,
        *query,
        query_required,
    )
    inside = [name for _, name in sorted(scratch.inside)]
    return module.best_names(scratch, ranked, designation_of, *walk, 3, 0.97), inside


@settings(max_examples=300, deadline=None)
@given(
    ranks=st.lists(st.sampled_from([0.1, 0.25, 0.5, 0.5, 0.75, 1.0]), min_size=0, max_size=NAMES),
    latin=st.lists(st.booleans(), min_size=NAMES, max_size=NAMES),
    limit=st.integers(0, 12),
    seed=st.integers(0, 2**16),
)
def test_best_latin_equals_a_sort_of_the_latin_names(ranks, latin, limit, seed) -> None:
    """The `limit` best-ranked Latin-written names, best first, ties in name-id order, as a sort gives them."""
    ids = np.random.default_rng(seed).permutation(NAMES)[: len(ranks)].astype(np.int32)
    latin_flags = np.array(latin, dtype=np.uint8)
    expected = [
        int(name)
        for _, name in sorted((-rank, name) for rank, name in zip(ranks, ids, strict=True) if latin[name])
    ][:limit]
    for module in (compiled_postings, PLAIN):
        scratch = module.Scratch(NAMES)
        scratch.ranks[: len(ranks)] = ranks
        scratch.ids[: len(ranks)] = ids
        assert module.best_latin(scratch, len(ranks), latin_flags, limit) == expected


def test_the_installed_postings_module_is_compiled() -> None:
    assert screening.compiled_modules()["postings"]
    assert compiled_postings.__file__ != PLAIN.__file__
