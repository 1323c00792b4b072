"""Keep a built index out of the cyclic garbage collector's reach.

An index is millions of long-lived objects. Without this, every full collection
walks all of them: a pause of tens of milliseconds to a second in the middle of
screening, which shows up as the p99 latency. Call it once the index is built.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Collect what is garbage now, then move every surviving object to the permanent generation.

    Unfreezing first lets the collection free a previous index's cycles after a swap.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
