"""The small index a list change is screened with: only the added and changed designations.

Built from the stored designations of the new version, and made to score as the
serving Screener does: a name's score depends on how distinctive each word
is across ALL listed names (token weights), so the delta index borrows the full
index's weights, person words and legal-form words. Without that, every word of a
five-designation delta would count as rare, and "X Technology Group" would score
high against "Integrity Technology Group" on the generic words alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from lists.model import Designation
from screening.screener import Screener
from service.monitoring.keys import delta_keys

_BORROWED_INDEX = ("token_weights", "person_tokens")
_BORROWED_SCREENER = ("_form_words",)


def delta_screener(
    full: Screener, designations: Sequence[Designation], labels: dict[str, str]
) -> Screener | None:
    """A Screener of `designations` scoring like `full` (whose weights it borrows); None if none."""
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
