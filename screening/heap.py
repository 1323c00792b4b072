"""Keep a built index out of the cyclic garbage collector's reach.

An index is millions of long-lived objects. Without this, every full collection
walks all of them: a pause of tens of milliseconds to a second in the middle of
screening, which shows up as the p99 latency. Call it once the index is built.
"""

from __future__ import annotations

import gc

# The collector's thresholds in a screening process (Python's defaults: 700, 10, 10). A query
# allocates thousands of short-lived containers, and a mapped index (index_parts.py) keeps up to
# thousands of decoded names, which each young collection's survivors join: with the defaults,
# collections of the older generations walked that cache every few payment messages, and their
# pauses made the p99 (30 ms against 9-11 ms with these, BENCHMARKS.md "Payment message screening").
# Garbage cycles are still collected, a little later.
COLLECTOR_THRESHOLDS = (10_000, 10, 100)


def freeze_long_lived() -> None:
    """Collect what is garbage now, then move every surviving object to the permanent generation.

    Unfreezing first lets the collection free a previous index's cycles after a swap. Also sets
    the collector's thresholds for a process that screens (COLLECTOR_THRESHOLDS).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
