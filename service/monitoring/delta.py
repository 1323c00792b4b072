"""The small index a list change is screened with: only the added and changed designations.

Built from the stored designations of the new version, and made to score as the
serving Screener does: a name's score depends on how distinctive each word
is across ALL listed names (token weights), so the delta index borrows the full
index's weights, person words and legal-form words. Without that, every word of a
five-designation delta would count as rare, and "X Technology Group" would score
high against "Integrity Technology Group" on the generic words alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lists.model import Designation
from screening.screener import Screener
from service.monitoring.keys import ALWAYS, ID_PREFIX

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


# A party is screened against the delta only if the key weight it shares with one delta name is at
# least this share of the smaller of the two names' total key weights (weights: the full index's,
# rare keys count most). Measured on the e2e register (2,003 parties screened against OFAC and UN
# in full: 29 hits), every hit shares at least 0.20 ("Stahr" / "JOINT STOCK COMPANY STAR", 0.201);
# 0.15 leaves a margin. On the benchmark register it screens about 1 party in 14 instead of the
# 1 in 2 sharing any key (short consonant skeletons, "group", "trading"...).
COVER_MIN = 0.15


class DeltaFilter:
    """Which parties (by their stored keys) may match a delta designation at all."""

    def __init__(self, small: Screener, full: Screener) -> None:
        from screening.index import filed_acronym_keys, lookup_keys

        weights = full.index.key_weights
        self._weights = weights
        self._unknown = math.log(1.0 + max(len(full.index.names), 1))  # a key no list name has: rarest
        self._names: list[set[str]] = []
        self._totals: list[float] = []
        self._by_key: dict[str, list[int]] = {}
        for name in small.index.names:
            keys = set(lookup_keys(name.analyzed)) | filed_acronym_keys(name.analyzed)
            name_id = len(self._names)
            self._names.append(keys)
            self._totals.append(sum(self._weight(k) for k in keys) or 1.0)
            for key in keys:
                self._by_key.setdefault(key, []).append(name_id)
        self._always = frozenset({ALWAYS} | {ID_PREFIX + value for value in small.index.identifiers})
        self.keys = frozenset(self._by_key) | self._always

    def _weight(self, key: str) -> float:
        return self._weights.get(key, self._unknown)

    def admits(self, party_keys: str) -> bool:
        keys = party_keys.split()
        if self.keys.isdisjoint(keys):
            return False
        if not self._always.isdisjoint(keys):
            return True
        weight = self._weight
        party_total = sum(weight(k) for k in keys) or 1.0
        shared: dict[int, float] = {}
        for key in keys:
            for name_id in self._by_key.get(key, ()):
                shared[name_id] = shared.get(name_id, 0.0) + weight(key)
        totals = self._totals
        return any(w >= COVER_MIN * min(party_total, totals[n]) for n, w in shared.items())
