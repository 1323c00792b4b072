"""pykakasi's kanji dictionary as flat parts, read one first character at a time.

pykakasi (Japanese readings, `screening.translit.japanese_reading`) unpickles its whole
kanji dictionary (kanwadict4.db: 6,823 first characters, about 270,000 words) into every
process that reads a Japanese name: about 100 MB of private memory per worker, more than
the mapped index itself. As parts (`kanwa_parts`: the sorted first characters, offsets,
and one pickled word table per first character), written once to a file every process maps
(the service's `service/snapshot/kanwa.py`), a process decodes only the tables of the first
characters its names hold. The readings are pykakasi's own: `use_kanwa` only replaces where
its dictionary object gets a first character's table (tests/test_kanwa.py).

Pure apart from reading pykakasi's own data file in `pykakasi_table`.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import numpy as np

# Bump when the parts' layout changes (a file of another layout is rebuilt).
KANWA_LAYOUT = 1
_PICKLE = 5


def pykakasi_version() -> str:
    """The installed pykakasi's version: the parts are made from its dictionary."""
    return metadata.version("pykakasi")


def pykakasi_table() -> dict[int, dict[str, Any]]:
    """pykakasi's kanji dictionary, read from its own data file (about 0.3 s and 100 MB while held)."""
    from pykakasi.properties import Configurations

    settings: Any = Configurations  # an instance, though its stub says class
    with open(settings.dictpath(settings.jisyo_kanwa), "rb") as file:
        table: dict[int, dict[str, Any]] = pickle.load(file)
    return table


def kanwa_parts(table: Mapping[int, dict[str, Any]]) -> dict[str, np.ndarray]:
    """The dictionary as arrays: first characters (sorted), offsets, and their pickled tables end to end."""
    keys = sorted(table)
    records = [pickle.dumps(table[key], protocol=_PICKLE) for key in keys]
    offsets = np.zeros(len(records) + 1, dtype=np.int64)
    np.cumsum([len(record) for record in records], out=offsets[1:])
    return {
        "first_characters": np.array(keys, dtype=np.int64),
        "offsets": offsets,
        "tables": np.frombuffer(b"".join(records), dtype=np.uint8),
    }


class LazyKanwa:
    """What pykakasi's dictionary object reads (`get(first character code)`), decoded on first use.

    A first character's table, once decoded, is kept: names use a few hundred kanji, not 6,823.
    """

    def __init__(self, parts: Mapping[str, np.ndarray]) -> None:
        self._keys = parts["first_characters"]
        self._offsets = parts["offsets"]
        self._tables = parts["tables"].data
        self._decoded: dict[int, dict[str, Any] | None] = {}
        self._lock = threading.Lock()

    def get(self, key: int, default: Any = None) -> Any:
        try:
            table = self._decoded[key]
        except KeyError:
            table = self._decode(key)
        return default if table is None else table

    def _decode(self, key: int) -> dict[str, Any] | None:
        position = int(np.searchsorted(self._keys, key))
        table = None
        if position < len(self._keys) and int(self._keys[position]) == key:
            start, end = int(self._offsets[position]), int(self._offsets[position + 1])
            table = pickle.loads(self._tables[start:end])
        with self._lock:
            return self._decoded.setdefault(key, table)

    def __len__(self) -> int:
        return len(self._keys)

    def decoded(self) -> int:
        """How many first characters' tables this process has decoded."""
        return sum(1 for table in self._decoded.values() if table is not None)


def use_kanwa(parts: Mapping[str, np.ndarray]) -> bool:
    """Make pykakasi read its kanji dictionary from `parts`; False if it had already loaded its own.

    pykakasi's `Kanwa` shares one dictionary per process (a Borg): set before its first use,
    the shared table is this lazy one and pykakasi never unpickles its file.
    """
    from pykakasi.kanji import Kanwa

    state: dict[str, Any] = Kanwa._shared_state
    with state["_lock"]:
        if state["_jisyo_table"] is not None and not isinstance(state["_jisyo_table"], LazyKanwa):
            return False
        state["_jisyo_table"] = LazyKanwa(parts)
    return True


def kanwa_in_use() -> LazyKanwa | None:
    """The lazy dictionary pykakasi reads in this process, if `use_kanwa` set one."""
    from pykakasi.kanji import Kanwa

    table = Kanwa._shared_state["_jisyo_table"]
    return table if isinstance(table, LazyKanwa) else None
