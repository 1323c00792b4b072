"""A built Screener as flat parts, and a Screener over such parts: what an index snapshot holds.

Building the index takes about 10 s and 0.7 GiB a process. `screener_parts` turns a built
Screener into flat numpy arrays (postings, weights, totals) and byte blobs (one serialised
record per list name and per designation, with an offsets array), which the service writes
to a file once; `screener_from_parts` makes a Screener over such parts given as buffers (a
memory-mapped file's), without copying the arrays and without decoding every record: a query
scores about 40 candidate names, so names and designations are decoded on first use and kept
in a bounded per-process cache. Processes mapping one file share its pages.

Pure: no I/O here (the service's `service/snapshot/` writes, checks and maps the file).
Answers are identical to the Screener the parts were taken from (tests/test_index_snapshot.py).
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import numpy as np

from lists.countries import country_code
from lists.model import Designation
from screening.evidence import DesignationFacts
from screening.heap import collect_less_often
from screening.index import DEFAULT_CANDIDATES, IndexedName, NameIndex, NameOutline, Postings
from screening.names import AnalyzedName, cache_token_weights
from screening.names.model import _Spelling
from screening.ofac_screening import OfacScreening
from screening.postings import NameFacts
from screening.screener import Screener, ScreenerStats, _load_reading_tables
from screening.thresholds import DEFAULT_THRESHOLD
from screening.truncation import NamePrefixes

# Bump when the parts' layout or a record's encoding changes: a snapshot of another layout is rebuilt.
PARTS_LAYOUT = 6
# Decoded names (and designations) kept per process: at most 16,384 x ~4.2 KB = 69 MB. The speed
# mix's 1,800 queries meet 18,858 distinct list names; a name decoded again costs 20-30 us with
# the eviction it causes. Measured on that mix, CPU per query over a mapped index: 8,192 kept 0.70 ms,
# 16,384 kept 0.56 ms, every name kept 0.41 ms (a built index: 0.37-0.40 ms).
DEFAULT_CACHE_NAMES = 16384
_PICKLE = 5

T = TypeVar("T")

# Fields of a spelling serialised (its weight cache holds the whole weights mapping: refilled on decode).
_SPELLING_FIELDS = tuple(f for f in _Spelling.__dataclass_fields__ if f != "weight_cache")
_NAME_FIELDS = tuple(AnalyzedName.__dataclass_fields__)
_SPELLINGS_AT = _NAME_FIELDS.index("spellings")
# A list name's index keys are not stored with it: they are the postings, and only filing a name
# reads them (NameIndex's build, never a mapped index). They were a third of a record's bytes and
# half of a decoded name's memory (a frozenset of ~25 strings, ~2.5 KB), paid on every cache miss.
_NO_KEYS: frozenset[str] = frozenset()
if tuple(_Spelling.__dataclass_fields__)[: len(_SPELLING_FIELDS)] != _SPELLING_FIELDS:
    raise RuntimeError("_Spelling's serialised fields must come first: names are decoded positionally")


# --- encoding -------------------------------------------------------------------------------


def _encode_name(name: IndexedName) -> tuple[Any, ...]:
    analyzed = name.analyzed
    state = []
    for field in _NAME_FIELDS:
        value = getattr(analyzed, field)
        if field == "index_keys":
            value = _NO_KEYS
        elif field == "spellings":
            value = tuple(tuple(getattr(sp, f) for f in _SPELLING_FIELDS) for sp in value)
        state.append(value)
    return (name.designation, name.text, name.kind, tuple(state))


def _decode_name(record: tuple[Any, ...], weights: Mapping[str, float]) -> IndexedName:
    designation, text, kind, state = record
    # Positional: the fields in declaration order, as `_encode_name` wrote them (keywords cost twice).
    fields = list(state)
    fields[_SPELLINGS_AT] = tuple([_Spelling(*sp) for sp in fields[_SPELLINGS_AT]])
    analyzed = AnalyzedName(*fields)
    cache_token_weights(analyzed, weights)  # as the in-process build does for every list name
    return IndexedName(designation, text, kind, analyzed)


def _blob(records: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Records end to end (uint8) and their offsets (int64, one more than records)."""
    offsets = np.zeros(len(records) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in records], out=offsets[1:])
    return np.frombuffer(b"".join(records), dtype=np.uint8), offsets


def _pickled(value: Any) -> np.ndarray:
    return np.frombuffer(pickle.dumps(value, protocol=_PICKLE), dtype=np.uint8)


def _unpickled(part: np.ndarray) -> Any:
    return pickle.loads(part.data)


def screener_parts(screener: Screener) -> dict[str, np.ndarray]:
    """Every part a Screener over `screener_from_parts` needs, as numpy arrays (blobs as uint8)."""
    index = screener.index
    spans = index._spans
    keys = list(spans)
    name_records, name_offsets = _blob([pickle.dumps(_encode_name(n), protocol=_PICKLE) for n in index.names])
    designation_records, designation_offsets = _blob(
        [pickle.dumps(d, protocol=_PICKLE) for d in index.designations]
    )
    prefixes = screener._prefixes
    return {
        "flat_postings": index._flat_postings,
        "flat_word_bits": index._flat_word_bits,
        "name_facts": index._facts.required,  # totals and required bits interleaved (NameFacts)
        "name_designation": index._name_designation,
        "name_written_latin": index._written_latin,
        "name_starts": np.asarray(index._name_starts, dtype=np.int64),
        "twin_starts": index._twin_starts,
        "twin_flat": index._twin_flat,
        "key_size": np.array([spans[k][0] for k in keys], dtype=np.int64),
        "key_offset": np.array([spans[k][2] for k in keys], dtype=np.int64),
        "key_weight": np.array([spans[k][3] for k in keys], dtype=np.float64),
        "keys": _pickled(keys),
        "name_records": name_records,
        "name_offsets": name_offsets,
        "designation_records": designation_records,
        "designation_offsets": designation_offsets,
        # Plain tuples (text, tokens, designation type): a NamedTuple would pickle its class path.
        "name_outlines": _pickled([tuple(outline) for outline in index.outlines()]),
        "prefixes": _pickled((prefixes._texts, prefixes._ids)),
        "tables": _pickled(
            {
                "designation_list": index.designation_list,
                "identifiers": index.identifiers,
                "person_tokens": index.person_tokens,
                "token_weights": index.token_weights,
                "form_words": screener._form_words,
                "lists": screener.stats.lists,
            }
        ),
    }


# --- lazy records ---------------------------------------------------------------------------


# try/except, not contextlib.suppress: these run for every candidate name, and a suppress() is an
# object made and entered each time (2% of a payment's CPU in the server).
def _recent(cache: OrderedDict[int, T], i: int) -> T | None:
    """The cached value of `i`, marked most recently used (None when not cached)."""
    found = cache.get(i)
    if found is not None:
        try:  # noqa: SIM105 (see above)
            cache.move_to_end(i)
        except KeyError:  # evicted by another thread since the get
            pass
    return found


def _keep(cache: OrderedDict[int, T], i: int, value: T, size: int) -> None:
    """Cache `value`, evicting the least recently used entry when over `size`."""
    cache[i] = value
    if len(cache) > size:
        try:  # noqa: SIM105 (see above)
            cache.popitem(last=False)
        except KeyError:  # another thread evicted first
            pass


class LazyRecords(Sequence[T], Generic[T]):
    """Records decoded from a blob on first use, the `cache_size` most recently used kept.

    Decoding is pure, so a record decoded twice is equal. The cache is an OrderedDict in
    least-recently-used order (its C operations are atomic under the GIL): the names many
    queries meet (common surnames, "bank", "trading") stay decoded, and eviction frees one
    record at a time, where clearing a full cache freed thousands in one request (a 0.2 s pause).
    """

    def __init__(
        self, blob: np.ndarray, offsets: np.ndarray, decode: Callable[[memoryview], T], cache_size: int
    ) -> None:
        self._blob = blob.data
        self._offsets = offsets
        self._decode = decode
        self._cache: OrderedDict[int, T] = OrderedDict()
        self._cache_size = max(cache_size, 1)
        self._count = len(offsets) - 1

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...
    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._count))]
        found = _recent(self._cache, i)
        if found is not None:
            return found
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError(i)
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        value = self._decode(self._blob[start:end])
        _keep(self._cache, i, value, self._cache_size)
        return value

    def __iter__(self) -> Iterator[T]:
        for i in range(self._count):
            yield self[i]


class KeySpans(Mapping[str, tuple[int, str, int, float]]):
    """key -> (size, key, offset, weight) over the key arrays, as NameIndex._spans holds them."""

    def __init__(self, keys: list[str], size: np.ndarray, offset: np.ndarray, weight: np.ndarray) -> None:
        self._position = dict(zip(keys, range(len(keys)), strict=True))
        self._size = size
        self._offset = offset
        self._weight = weight

    def __getitem__(self, key: str) -> tuple[int, str, int, float]:
        i = self._position[key]
        return (int(self._size[i]), key, int(self._offset[i]), float(self._weight[i]))

    def __contains__(self, key: object) -> bool:
        return key in self._position

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)


class KeyWeights(Mapping[str, float]):
    """key -> weight over the key arrays (NameIndex.key_weights)."""

    def __init__(self, spans: KeySpans) -> None:
        self._spans = spans

    def __getitem__(self, key: str) -> float:
        return self._spans[key][3]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)


class LazyFacts(Sequence[DesignationFacts]):
    """DesignationFacts of each designation, made on first use (the Screener's `_facts`)."""

    def __init__(self, designations: Sequence[Designation], cache_size: int) -> None:
        self._designations = designations
        self._cache: OrderedDict[int, DesignationFacts] = OrderedDict()
        self._cache_size = max(cache_size, 1)

    def __len__(self) -> int:
        return len(self._designations)

    def __getitem__(self, i: int) -> DesignationFacts:  # type: ignore[override]
        found = _recent(self._cache, i)
        if found is None:
            found = DesignationFacts.of(self._designations[i])
            _keep(self._cache, i, found, self._cache_size)
        return found


class LazyPrefixes(NamePrefixes):
    """NamePrefixes whose sorted texts are decoded on the first cut query (most queries are not cut)."""

    def __init__(self, part: np.ndarray) -> None:
        self._part = part
        self._lock = threading.Lock()
        self._loaded = False

    def beginning_with(self, query: Any, limit: int) -> list[int]:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._texts, self._ids = _unpickled(self._part)
                    self._loaded = True
        return super().beginning_with(query, limit)


class LazyOfacScreening(OfacScreening):
    """`ofac-sls` whose word table is built from the name texts alone (not every decoded name)."""

    def __init__(self, screener: Screener, texts: Callable[[], list[str]]) -> None:
        super().__init__(screener)
        self._texts = texts

    def candidates_table(self) -> Any:
        from screening.ofac_sls import OfacCandidates

        with self._lock:
            if self._candidates is None:
                self._candidates = OfacCandidates(self._texts())
            return self._candidates


def warm_up() -> None:
    """Load the lazily loaded reading tables (Han, Hangul, Cyrillic...) a built Screener loads at build.

    A Screener over parts skips it so as to serve at once; call this off the request path.
    """
    _load_reading_tables()
    country_code("Germany")  # rigour's territory names: read by the first designation's facts (about 2 s)


# --- rebuilding -----------------------------------------------------------------------------


class MappedNameIndex(NameIndex):
    """A NameIndex over parts: its name outlines are read from their own part, not from every name."""

    outline_part: np.ndarray

    def outlines(self) -> list[NameOutline]:
        return [NameOutline(*outline) for outline in _unpickled(self.outline_part)]


def index_from_parts(parts: Mapping[str, np.ndarray], cache_names: int = DEFAULT_CACHE_NAMES) -> NameIndex:
    """A NameIndex over `parts` (arrays used as given: a memory map stays one)."""
    tables = _unpickled(parts["tables"])
    weights: dict[str, float] = tables["token_weights"]
    index: MappedNameIndex = MappedNameIndex.__new__(MappedNameIndex)
    index.outline_part = parts["name_outlines"]
    index.designations = LazyRecords(  # type: ignore[assignment]
        parts["designation_records"], parts["designation_offsets"], pickle.loads, cache_names
    )
    index.names = LazyRecords(  # type: ignore[assignment]
        parts["name_records"],
        parts["name_offsets"],
        lambda raw: _decode_name(pickle.loads(raw), weights),
        cache_names,
    )
    index.designation_list = tables["designation_list"]
    index.identifiers = tables["identifiers"]
    index.person_tokens = tables["person_tokens"]
    index.token_weights = weights
    index._name_starts = parts["name_starts"]  # type: ignore[assignment]
    index._twin_starts = parts["twin_starts"]
    index._twin_flat = parts["twin_flat"]
    index._flat_postings = parts["flat_postings"]
    index._flat_word_bits = parts["flat_word_bits"]
    spans = KeySpans(_unpickled(parts["keys"]), parts["key_size"], parts["key_offset"], parts["key_weight"])
    index._spans = spans  # type: ignore[assignment]
    index.key_weights = KeyWeights(spans)  # type: ignore[assignment]
    index.postings = Postings(index._flat_postings, spans)
    facts: NameFacts = NameFacts.__new__(NameFacts)
    facts.required = parts["name_facts"]
    facts.totals = facts.required.view(np.float64)
    index._facts = facts
    index._totals = facts.totals[0::2]
    index._name_designation = parts["name_designation"]
    index._written_latin = parts["name_written_latin"]
    index._list_masks = {}
    index._per_thread = threading.local()
    return index


def screener_from_parts(
    parts: Mapping[str, np.ndarray],
    list_versions: Mapping[str, str],
    default_threshold: float = DEFAULT_THRESHOLD,
    cache_names: int = DEFAULT_CACHE_NAMES,
    build_seconds: float = 0.0,
) -> Screener:
    """A Screener over `parts` (see `screener_parts`), answering as the one they were taken from.

    Sets what Screener.__init__ sets; tests/test_index_snapshot.py checks both have the same attributes.
    """
    index = index_from_parts(parts, cache_names)
    collect_less_often()  # its decoded-name cache must not be walked by frequent full collections
    tables = _unpickled(parts["tables"])
    screener: Screener = Screener.__new__(Screener)
    screener._index = index
    screener._facts = LazyFacts(index.designations, cache_names)  # type: ignore[assignment]
    screener.list_versions = dict(list_versions)
    screener.default_threshold = default_threshold

    screener.candidate_limit = DEFAULT_CANDIDATES
    counts: dict[str, int] = tables["lists"]
    screener._loaded_lists = frozenset(counts)
    screener._prefixes = LazyPrefixes(parts["prefixes"])
    screener._form_words = tables["form_words"]
    screener._ofac = LazyOfacScreening(screener, lambda: [outline.text for outline in index.outlines()])
    screener.stats = ScreenerStats(
        designations=len(index.designations),
        names=len(index.names),
        keys=len(index.postings),
        identifiers=len(index.identifiers),
        build_seconds=round(build_seconds, 3),
        lists=counts,
    )
    return screener
