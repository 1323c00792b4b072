"""Keep a built index out of the cyclic garbage collector's reach.

An index is millions of long-lived objects. Without this, every full collection
walks all of them: a pause of tens of milliseconds to a second in the middle of
screening, which shows up as the p99 latency. Call it once the index is built.
"""

from __future__ import annotations

import gc

# The collector's thresholds in a process that screens against a mapped index (Python's
# defaults: 700, 10, 10). Such an index keeps up to thousands of decoded list names
# (index_parts.py), which each young collection's survivors join: with the defaults, collections
# of the older generations walked that cache every few payment messages, and their pauses made
# the p99 (30 ms against 9-11 ms with these, BENCHMARKS.md "Payment message screening"). A built
# index has no such cache and keeps the defaults: there the larger young generation cost 10-20%
# of a query's mean (benchmarks speed). Garbage cycles are still collected, a little later.
MAPPED_INDEX_THRESHOLDS = (10_000, 10, 100)


# True in a process whose permanent generation holds a parent's objects, frozen before it forked
# several workers (service/http/prefork.py): they share those pages. Unfreezing would make the
# next full collection write to every one of them, and so copy them into each worker; so such a
# process never unfreezes, and never freezes either (what it froze could never be freed again:
# a mapped index and its decoded names are reference cycles, freed only by the collector).
_frozen_by_parent = False


def freeze_for_children() -> None:
    """In a parent about to fork long-lived workers: freeze what it holds, for them to share."""
    global _frozen_by_parent
    gc.collect()
    gc.freeze()
    _frozen_by_parent = True


def freeze() -> None:
    """gc.freeze, except in a worker that shares its parent's frozen objects (then nothing)."""
    if not _frozen_by_parent:
        gc.freeze()


def unfreeze() -> None:
    """gc.unfreeze, except in a worker that shares its parent's frozen objects (then nothing)."""
    if not _frozen_by_parent:
        gc.unfreeze()


def freeze_long_lived() -> None:
    """Collect what is garbage now, then move every surviving object to the permanent generation.

    Unfreezing first lets the collection free a previous index's cycles after a swap. In a
    worker sharing its parent's frozen objects, only the collection: a mapped index has a few
    hundred objects the collector tracks; a built one (snapshots off) is walked by the rare
    full collections there.
    """
    unfreeze()
    gc.collect()
    freeze()


def collect_less_often() -> None:
    """The collector's thresholds for a process serving a mapped index (MAPPED_INDEX_THRESHOLDS)."""
    gc.set_threshold(*MAPPED_INDEX_THRESHOLDS)
