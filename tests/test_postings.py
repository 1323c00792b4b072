"""The compiled posting arithmetic ranks exactly as a plain per-name reference does."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import screening
from screening import postings as compiled_postings

NAMES = 60
DESIGNATIONS = 20


def _plain_source_module():
    """screening/postings.py run as plain Python, whatever the installed build."""
    path = Path(screening.__file__).with_name("postings.py")
    spec = importlib.util.spec_from_file_location("postings_as_source", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PLAIN = _plain_source_module()


def _key_rank(shared: float, total: float, query_total: float, extra_cost: float) -> float:
    """The better of the two coverages, each side's extra key weight costing `extra_cost` of it."""
    as_query = shared / (query_total + extra_cost * max(0.0, total - shared))
    as_name = shared / (total + extra_cost * max(0.0, query_total - shared))
    return max(as_query, as_name)


def _reference(
    keys, boost, totals, allowed, designation_of, shortlist, limit, min_share, min_count, tie_limit, query
):
    """Sum per name in key order, rank by `_key_rank` (ties by id), walk as NameIndex.candidates documents."""
    sums: dict[int, float] = {}
    for ids, weight in keys:
        for name in ids:
            sums[name] = sums.get(name, 0.0) + weight
    names = [n for n in sums if allowed[n]]

    def rank_of(name: int) -> float:
        return _key_rank(sums[name], totals[name], *query)

    def order(pool: list[int]) -> list[int]:
        return sorted(pool, key=lambda n: (-rank_of(n), n))

    if boost and names:
        names = order(names)[:shortlist]
        for ids, weight in boost:
            for name in names:
                if name in ids:
                    sums[name] += weight
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
    return chosen


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
)
def test_ranking_equals_the_plain_reference(
    generate, boost, totals, query, allowed, designation_of, shortlist, limit, min_share, min_count, tie_limit
) -> None:
    flat = np.array([n for ids, _ in generate + boost for n in ids], dtype=np.int32)
    spans, offset = [], 0
    for ids, weight in generate + boost:
        spans.append((offset, len(ids), weight))
        offset += len(ids)
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
    )
    arrays = (
        np.array(totals, dtype=np.float64),
        np.array(allowed, dtype=np.uint8),
        np.array(designation_of, dtype=np.int32),
    )
    walk = (limit, min_share, min_count, tie_limit)
    # Boost keys are scanned (the default for lists this short) or binary-searched (scan factor 0).
    for module, scan in [(m, f) for m in (compiled_postings, PLAIN) for f in (m.SCAN_PER_SHORTLISTED, 0)]:
        default_scan, module.SCAN_PER_SHORTLISTED = module.SCAN_PER_SHORTLISTED, scan
        try:
            scratch = module.Scratch(NAMES)
            for _ in range(2):  # the scratch arrays are left clean for the next query
                ranked = _rank(module, scratch, flat, spans, len(generate), arrays, shortlist, query, walk)
                assert ranked == expected
                assert not scratch.sums.any() and not scratch.marks.any()
        finally:
            module.SCAN_PER_SHORTLISTED = default_scan


def _rank(module, scratch, flat, spans, generated, arrays, shortlist, query, walk) -> list[int]:
    totals, allowed, designation_of = arrays
    heaped = module.ranked_names(
        scratch, flat, totals, allowed, spans[:generated], spans[generated:], shortlist, *query
    )
    return module.best_names(scratch, heaped, designation_of, *walk, 3, 0.97)


def test_the_installed_postings_module_is_compiled() -> None:
    assert screening.compiled_modules()["postings"]
    assert compiled_postings.__file__ != PLAIN.__file__
