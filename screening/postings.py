"""Posting arithmetic of the candidate index: sum key weights per name, rank, walk best first.

Why a module of its own: this is the one loop of a query that touches a thousand
postings, so it is written as typed loops over flat arrays for Cython to compile
(pure-Python mode: uncompiled, the same code runs, only slower). Numpy did the same
work in about fifteen calls of a few microseconds each; compiled, one pass does it.

Names are ranked by `key_rank` of their summed key weight, best first, ties in name-id
order. Sums are added in key order per name, so they are bit-for-bit what a per-name
loop over the keys would give, whatever the platform.
"""

from __future__ import annotations

from collections.abc import Sequence

import cython
import numpy as np

# A boost key's postings are scanned in full, marking the shortlisted names, when there are at
# most this many per shortlisted name; longer lists are binary-searched for each of them. A scan
# reads memory in order; a binary search jumps through it, a cache miss per step.
SCAN_PER_SHORTLISTED = 64
# Names taken below the share cut (to reach the minimum candidate count) are found by a linear
# scan each, up to this many; heaping hundreds of names for two or three cost more.
SCANNED_BELOW_CUT = 4


@cython.ccall
@cython.inline
@cython.exceptval(check=False)
def key_rank(
    shared: cython.double, name_total: cython.double, query_total: cython.double, extra_cost: cython.double
) -> cython.double:
    """How well a name's keys cover the query's, and the query's the name's: the better of the two.

    Shaped like the pair scorer's score (`screening.names`): the name's keys the query lacks
    cost only `extra_cost` of their weight when the name is the fuller one (a list name
    with middle names, a company name around the query's one word), and the other way
    round. A cosine over the key weights put "RADULE STEVIC B.I., P.T.P. RAD" 45th for
    "RAD D.O.O.", though the scorer gives it 0.85: every long name ranked low.
    """
    name_extra: cython.double = name_total - shared
    query_extra: cython.double = query_total - shared
    if name_extra < 0.0:  # acronym keys are filed, not counted in the name's total
        name_extra = 0.0
    if query_extra < 0.0:
        query_extra = 0.0
    as_query: cython.double = shared / (query_total + extra_cost * name_extra)
    as_name: cython.double = shared / (name_total + extra_cost * query_extra)
    return as_query if as_query > as_name else as_name


class Scratch:
    """Per-thread work arrays sized to the index (allocated once: a query must not page in 1 MB).

    A name's summed key weight and its word bits sit side by side (name i at 2i and 2i + 1 of
    one buffer, read as float64 and as uint64): the posting loop updates both, and a query
    meets hundreds of names spread over the index, so one cache line per name, not two.
    """

    def __init__(self, names: int) -> None:
        slots = np.zeros(2 * names, dtype=np.uint64)  # all zero between queries
        self.sums = slots.view(np.float64)  # at 2i
        # Bits of each name's words met by the query's keys, and of the query's words met by the
        # name's keys (`ranked_names`); `inside` flags names whose words, or the query's, all met.
        # Low 32 bits: the name's words, high: the query's. At 2i + 1.
        self.words = slots
        self.touched = np.empty(names, dtype=np.int32)
        self.ids = np.empty(names, dtype=np.int32)
        self.ranks = np.empty(names, dtype=np.float64)
        self.marks = np.zeros(names, dtype=np.uint8)  # all zero between queries
        # (-rank, name id) of the ranked names lying inside the query or around it, this query's.
        self.inside: list[tuple[float, int]] = []


class NameFacts:
    """What `ranked_names` reads of each name: its total key weight and its required word bits.

    Side by side for the same reason as Scratch's sums and words: name i's total at 2i (read
    as float64), its required bits at 2i + 1.
    """

    def __init__(self, totals: Sequence[float], required: Sequence[int]) -> None:
        facts = np.zeros(2 * len(totals), dtype=np.uint64)
        self.totals = facts.view(np.float64)
        self.required = facts
        self.totals[0::2] = totals
        self.required[1::2] = required


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)
def _before(
    ranks: cython.double[::1], ids: cython.int[::1], a: cython.Py_ssize_t, b: cython.Py_ssize_t
) -> cython.bint:
    """Whether entry a ranks before entry b: higher rank, or the same rank and a lower name id."""
    return ranks[a] > ranks[b] or (ranks[a] == ranks[b] and ids[a] < ids[b])


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _sift_down(
    ranks: cython.double[::1], ids: cython.int[::1], start: cython.Py_ssize_t, end: cython.Py_ssize_t
) -> cython.void:
    """Restore the heap order (best entry at the root) below `start`, over entries [0, end)."""
    root: cython.Py_ssize_t = start
    child: cython.Py_ssize_t
    rank: cython.double
    name: cython.int
    while True:
        child = 2 * root + 1
        if child >= end:
            return
        if child + 1 < end and _before(ranks, ids, child + 1, child):
            child += 1
        if not _before(ranks, ids, child, root):
            return
        rank, name = ranks[root], ids[root]
        ranks[root], ids[root] = ranks[child], ids[child]
        ranks[child], ids[child] = rank, name
        root = child


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _heapify(ranks: cython.double[::1], ids: cython.int[::1], count: cython.Py_ssize_t) -> cython.void:
    start: cython.Py_ssize_t = count // 2 - 1
    while start >= 0:
        _sift_down(ranks, ids, start, count)
        start -= 1


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _pop(ranks: cython.double[::1], ids: cython.int[::1], count: cython.Py_ssize_t) -> cython.void:
    """Move the best of the `count` heap entries to position count - 1 (the heap shrinks by one)."""
    last: cython.Py_ssize_t = count - 1
    rank: cython.double = ranks[0]
    name: cython.int = ids[0]
    ranks[0], ids[0] = ranks[last], ids[last]
    ranks[last], ids[last] = rank, name
    _sift_down(ranks, ids, 0, last)


@cython.cfunc
@cython.inline
@cython.boundscheck(False)
@cython.wraparound(False)
def _swap(
    ranks: cython.double[::1], ids: cython.int[::1], a: cython.Py_ssize_t, b: cython.Py_ssize_t
) -> cython.void:
    rank: cython.double = ranks[a]
    name: cython.int = ids[a]
    ranks[a], ids[a] = ranks[b], ids[b]
    ranks[b], ids[b] = rank, name


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _select_best(
    ranks: cython.double[::1], ids: cython.int[::1], count: cython.Py_ssize_t, wanted: cython.Py_ssize_t
) -> cython.void:
    """Move the `wanted` best of the `count` entries to the front, in any order (quickselect).

    Linear on average, where popping them off a heap costs a logarithm each: the order
    (rank, then name id) is strict, so the chosen set is exactly the heap's.
    """
    low: cython.Py_ssize_t = 0
    high: cython.Py_ssize_t = count - 1
    target: cython.Py_ssize_t = wanted - 1
    middle: cython.Py_ssize_t
    store: cython.Py_ssize_t
    entry: cython.Py_ssize_t
    while high > low:
        # Median of three as the pivot, moved to `high`.
        middle = (low + high) // 2
        if _before(ranks, ids, middle, low):
            _swap(ranks, ids, middle, low)
        if _before(ranks, ids, high, low):
            _swap(ranks, ids, high, low)
        if _before(ranks, ids, middle, high):
            _swap(ranks, ids, middle, high)
        store = low
        for entry in range(low, high):
            if _before(ranks, ids, entry, high):
                _swap(ranks, ids, entry, store)
                store += 1
        _swap(ranks, ids, store, high)
        if store == target:
            return
        if store < target:
            low = store + 1
        else:
            high = store - 1


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _find(
    flat: cython.int[::1], start: cython.Py_ssize_t, stop: cython.Py_ssize_t, name: cython.int
) -> cython.Py_ssize_t:
    """Where the ascending slice flat[start:stop] holds `name`, or -1 (binary search)."""
    low: cython.Py_ssize_t = start
    high: cython.Py_ssize_t = stop
    middle: cython.Py_ssize_t
    while low < high:
        middle = (low + high) // 2
        if flat[middle] < name:
            low = middle + 1
        else:
            high = middle
    return low if low < stop and flat[low] == name else -1


@cython.boundscheck(False)
@cython.wraparound(False)
@cython.cdivision(True)
def ranked_names(
    scratch: Scratch,
    flat_postings: cython.int[::1],
    flat_word_bits: cython.uint[::1],
    totals_array: cython.double[::1],
    required_array: cython.ulonglong[::1],
    allowed_array: cython.uchar[::1] | None,
    generate: list,
    boost: list,
    shortlist: cython.Py_ssize_t,
    query_total: cython.double,
    extra_cost: cython.double,
    query_required: cython.uint,
) -> cython.Py_ssize_t:
    """Rank the names the `generate` keys meet; returns how many are left in scratch.ids/ranks.

    `generate` and `boost` are (offset, size, weight, query word bits) of posting slices of
    `flat_postings`; `totals_array` holds each name's total key weight (`NameFacts`), and
    `query_total` the query's (`key_rank`). Every name a generate key lists gets the key's
    weight; names not allowed (list filter; None: no filter) are dropped. With boost keys,
    only the `shortlist` best names are kept, and each boost key adds its weight to those it
    lists (the common keys re-rank, never recruit). The ranked names are left in
    scratch.ids/ranks, unordered: `best_names` walks them.

    Words: `flat_word_bits` holds, beside each posting, the bits of the name's words the key
    was made from; a key's own bits are those of the query's words. A ranked name whose
    `required_array` bits (`NameFacts`: its words, function words aside) are all met, or one
    meeting all of `query_required`, is listed in scratch.inside: one lies inside the other.
    """
    sums: cython.double[::1] = scratch.sums
    touched: cython.int[::1] = scratch.touched
    ids: cython.int[::1] = scratch.ids
    ranks: cython.double[::1] = scratch.ranks
    marks: cython.uchar[::1] = scratch.marks
    words: cython.ulonglong[::1] = scratch.words
    inside: list = []
    flat: cython.int[::1] = flat_postings
    word_bits: cython.uint[::1] = flat_word_bits
    totals: cython.double[::1] = totals_array
    required: cython.ulonglong[::1] = required_array
    filtered: cython.bint = allowed_array is not None
    allowed: cython.uchar[::1] = allowed_array
    seen: cython.Py_ssize_t = 0
    count: cython.Py_ssize_t = 0
    position: cython.Py_ssize_t
    stop: cython.Py_ssize_t
    entry: cython.Py_ssize_t
    name: cython.int
    weight: cython.double
    bits: cython.ulonglong
    met: cython.ulonglong
    need: cython.ulonglong
    query_need: cython.ulonglong = cython.cast(cython.ulonglong, query_required) << 32
    for offset, size, key_weight, key_bits in generate:
        position = offset
        stop = position + size
        weight = key_weight
        bits = cython.cast(cython.ulonglong, key_bits) << 32
        while position < stop:
            name = flat[position]
            if sums[2 * name] == 0.0:  # key weights are > 0: zero means not met yet
                touched[seen] = name
                seen += 1
            sums[2 * name] += weight
            words[2 * name + 1] |= cython.cast(cython.ulonglong, word_bits[position]) | bits
            position += 1
    for entry in range(seen):
        name = touched[entry]
        if not filtered or allowed[name]:
            ids[count] = name
            ranks[count] = key_rank(sums[2 * name], totals[2 * name], query_total, extra_cost)
            count += 1
    if boost and count:
        if count > shortlist:
            _select_best(ranks, ids, count, shortlist)
            count = shortlist
        for entry in range(count):
            marks[ids[entry]] = 1
        for offset, size, key_weight, key_bits in boost:
            weight = key_weight
            bits = cython.cast(cython.ulonglong, key_bits) << 32
            if size <= SCAN_PER_SHORTLISTED * count:
                position = offset
                stop = position + size
                while position < stop:
                    name = flat[position]
                    if marks[name]:
                        sums[2 * name] += weight
                        words[2 * name + 1] |= cython.cast(cython.ulonglong, word_bits[position]) | bits
                    position += 1
            else:
                for entry in range(count):
                    name = ids[entry]
                    position = _find(flat, offset, offset + size, name)
                    if position >= 0:
                        sums[2 * name] += weight
                        words[2 * name + 1] |= cython.cast(cython.ulonglong, word_bits[position]) | bits
        for entry in range(count):
            marks[ids[entry]] = 0
        for entry in range(count):
            name = ids[entry]
            ranks[entry] = key_rank(sums[2 * name], totals[2 * name], query_total, extra_cost)
    for entry in range(count):
        name = ids[entry]
        met = words[2 * name + 1]
        need = required[2 * name + 1]
        if (need and (met & need) == need) or (query_need and (met & query_need) == query_need):
            inside.append((-ranks[entry], int(name)))
    scratch.inside = inside
    for entry in range(seen):
        name = touched[entry]
        sums[2 * name] = 0.0
        words[2 * name + 1] = 0
    return count


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _split_at(
    ranks: cython.double[::1], ids: cython.int[::1], count: cython.Py_ssize_t, cutoff: cython.double
) -> cython.Py_ssize_t:
    """Move the entries ranking at least `cutoff` to the front (any order); returns how many."""
    store: cython.Py_ssize_t = 0
    entry: cython.Py_ssize_t
    for entry in range(count):
        if ranks[entry] >= cutoff:
            _swap(ranks, ids, entry, store)
            store += 1
    return store


@cython.boundscheck(False)
@cython.wraparound(False)
def best_names(
    scratch: Scratch,
    ranked: cython.Py_ssize_t,
    designation_array: cython.int[::1],
    limit: cython.Py_ssize_t,
    min_share: cython.double,
    min_count: cython.Py_ssize_t,
    tie_limit: cython.Py_ssize_t,
    per_designation_max: cython.Py_ssize_t,
    tie_tolerance: cython.double,
) -> list[int]:
    """Walk the names left by `ranked_names`, best first, into the candidate list (see NameIndex.candidates).

    At most `per_designation_max` names per designation; after `min_count` names, a name
    below `min_share` of the best one ends the list; after `limit` names, only names tied
    (within `tie_tolerance`) with the last one admitted follow, up to `tie_limit` in all.

    Only the names at or above the share cut are heaped: a query meets hundreds of names and
    walks a few dozen. When fewer than `min_count` names were taken above the cut (half the
    queries: one name far ahead), the next few are found by scans, and only a longer walk
    heaps the rest. The order is the same as one heap's.
    """
    ranks: cython.double[::1] = scratch.ranks
    ids: cython.int[::1] = scratch.ids
    designation_of: cython.int[::1] = designation_array
    chosen: list[int] = []
    per_designation: dict[int, int] = {}
    walk: cython.Py_ssize_t = min(ranked, max(limit, tie_limit) * per_designation_max)
    taken: cython.Py_ssize_t = 0
    last_rank: cython.double = 0.0
    rank: cython.double
    name: cython.int
    position: cython.int
    count: cython.Py_ssize_t
    entry: cython.Py_ssize_t
    best: cython.Py_ssize_t
    best_rank: cython.double
    best_name: cython.int
    if ranked <= 0:
        return chosen
    top: cython.double = ranks[0]
    for entry in range(1, ranked):
        if ranks[entry] > top:
            top = ranks[entry]
    cutoff: cython.double = top * min_share
    above: cython.Py_ssize_t = _split_at(ranks, ids, ranked, cutoff)
    below: cython.Py_ssize_t = ranked - above
    heaped: cython.Py_ssize_t = above
    _heapify(ranks, ids, heaped)
    scanned: cython.Py_ssize_t = 0
    scan_limit: cython.Py_ssize_t = SCANNED_BELOW_CUT
    while walk > 0:
        if heaped == 0 and below and scanned < scan_limit:
            # Below the cut the walk wants only a few names (up to `min_count`): each is found
            # by a scan, moved to the end of the names below the cut, and popped from there.
            best = above
            best_rank = ranks[above]
            best_name = ids[above]
            for entry in range(above + 1, above + below):
                rank = ranks[entry]
                if rank > best_rank or (rank == best_rank and ids[entry] < best_name):
                    best, best_rank, best_name = entry, rank, ids[entry]
            below -= 1
            _swap(ranks, ids, best, above + below)
            scanned += 1
            walk -= 1
            rank = ranks[above + below]
            name = ids[above + below]
        else:
            if heaped == 0:
                if below == 0:
                    break
                # The walk goes on further below the cut: heap those names, moved to the front.
                for entry in range(below):
                    ranks[entry] = ranks[above + entry]
                    ids[entry] = ids[above + entry]
                heaped, below = below, 0
                _heapify(ranks, ids, heaped)
            _pop(ranks, ids, heaped)
            heaped -= 1
            walk -= 1
            rank = ranks[heaped]
            name = ids[heaped]
        if rank < cutoff and taken >= min_count:
            break
        if taken >= limit and (taken >= tie_limit or rank < last_rank * tie_tolerance):
            break
        position = designation_of[name]
        count = per_designation.get(position, 0)
        if count >= per_designation_max:
            continue
        per_designation[position] = count + 1
        chosen.append(int(name))
        taken += 1
        if taken <= limit:
            last_rank = rank
    return chosen


@cython.boundscheck(False)
@cython.wraparound(False)
def best_latin(
    scratch: Scratch, ranked: cython.Py_ssize_t, written_latin: cython.uchar[::1], limit: cython.Py_ssize_t
) -> list[int]:
    """The `limit` best-ranked of the names left by `ranked_names` that are written in Latin
    letters, best first, equal rankings in name-id order (see NameIndex.candidates).

    One pass keeping a short sorted list: numpy's mask, partition and lexsort cost a non-Latin
    query of the world mix 5% of its time in call overhead alone.
    """
    ranks: cython.double[::1] = scratch.ranks
    ids: cython.int[::1] = scratch.ids
    kept_ranks: list[float] = []
    kept_ids: list[int] = []
    kept: cython.Py_ssize_t = 0
    entry: cython.Py_ssize_t
    place: cython.Py_ssize_t
    rank: cython.double
    name: cython.int
    worst_rank: cython.double = 0.0
    worst_name: cython.int = 0
    if limit <= 0:
        return kept_ids
    for entry in range(ranked):
        name = ids[entry]
        if not written_latin[name]:
            continue
        rank = ranks[entry]
        if kept == limit and (rank < worst_rank or (rank == worst_rank and name > worst_name)):
            continue
        place = kept
        while place > 0:
            other_rank: cython.double = kept_ranks[place - 1]
            if other_rank > rank or (other_rank == rank and kept_ids[place - 1] < name):
                break
            place -= 1
        kept_ranks.insert(place, rank)
        kept_ids.insert(place, name)
        if kept == limit:
            kept_ranks.pop()
            kept_ids.pop()
        else:
            kept += 1
        worst_rank = kept_ranks[kept - 1]
        worst_name = kept_ids[kept - 1]
    return kept_ids
