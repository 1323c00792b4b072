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


def freeze_long_lived() -> None:
    """Collect what is garbage now, then move every surviving object to the permanent generation.

    Unfreezing first lets the collection free a previous index's cycles after a swap.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def collect_less_often() -> None:
    """The collector's thresholds for a process serving a mapped index (MAPPED_INDEX_THRESHOLDS)."""
    gc.set_threshold(*MAPPED_INDEX_THRESHOLDS)
