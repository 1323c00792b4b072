"""The small index a list change is screened with: only the added and changed designations.

Built from the designations the serving Screener already holds, and made to score
as the serving Screener does: a name's score depends on how distinctive each word
is across ALL listed names (token weights), so the delta index borrows the full
index's weights, person words and legal-form words. Without that, every word of a
five-designation delta would count as rare, and "X Technology Group" would score
high against "Integrity Technology Group" on the generic words alone.
"""

from __future__ import annotations

from collections.abc import Collection

from screening.screener import Screener
from service.monitoring.keys import delta_keys

_BORROWED_INDEX = ("token_weights", "person_tokens")
_BORROWED_SCREENER = ("_form_words",)


def delta_screener(full: Screener, entity_ids: Collection[str], labels: dict[str, str]) -> Screener | None:
    """A Screener of the designations in `entity_ids` scoring like `full`; None if none is in it."""
    wanted = set(entity_ids)
    designations = [d for d in full.index.designations if d.entity_id in wanted]
    if not designations:
        return None
    small = Screener(designations, labels, default_threshold=full.default_threshold)
    for name in _BORROWED_INDEX:
        if not hasattr(small.index, name):  # the engine changed: fail loudly, never score differently
            raise RuntimeError(
                f"screening.index.NameIndex has no {name!r}; update service/monitoring/delta.py"
            )
        setattr(small.index, name, getattr(full.index, name))
    for name in _BORROWED_SCREENER:
        if not hasattr(small, name):
            raise RuntimeError(
                f"screening.screener.Screener has no {name!r}; update service/monitoring/delta.py"
            )
        setattr(small, name, getattr(full, name))
    return small


def keys_of(small: Screener) -> frozenset[str]:
    """The keys a party must share with the delta to be screened against it at all."""
    return delta_keys(small.index)
