"""Token distinctiveness weights (IDF over list names) and the default table.

Why: "technology", "company", "al", "kim" appear in thousands of list names and
say little; "juxinhe" or "putin" identify a party. The index computes weights
from the lists it serves with `compute_token_weights`; `score_names` falls back
to `DEFAULT_WEIGHTS`, made from the document frequencies of name tokens on the
bundled lists in screening/data/token_weights.json (package data, read once when
this module is imported), which

    python scripts/regenerate_token_weights.py

rewrites from the bundled lists.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib.resources import files

# Weight of a token the table has never seen: as distinctive as a one-off token.
UNKNOWN_TOKEN_WEIGHT = 1.0
# Floor so that even the commonest token carries some evidence.
MIN_WEIGHT = 0.08
# Tokens found in at most this many names count as fully distinctive.
RARE_DF = 3
# IDF ratio is raised to this power: common words should weigh far less than rare ones.
WEIGHT_POWER = 2.0
# The bundled lists' document frequencies (package data): {"name_count": N, "document_frequencies": {...}}.
TABLE = "data/token_weights.json"


def weight_from_df(df: int, name_count: int) -> float:
    """IDF scaled so a token in <= RARE_DF names weighs 1 and one in every name MIN_WEIGHT."""
    if df <= RARE_DF or name_count <= RARE_DF:
        return 1.0
    idf = math.log(name_count / df)
    top = math.log(name_count / RARE_DF)
    return max(MIN_WEIGHT, min(1.0, (idf / top) ** WEIGHT_POWER))


def compute_token_weights(token_lists: Iterable[Iterable[str]]) -> dict[str, float]:
    """Weights from the token sets of many names (each name counts a token once).

    Only tokens more common than RARE_DF are stored; look-ups of the rest should
    default to UNKNOWN_TOKEN_WEIGHT (1.0), as `score_names` does.
    """
    df: Counter[str] = Counter()
    names = 0
    for tokens in token_lists:
        names += 1
        df.update(set(tokens))
    return {t: round(weight_from_df(n, names), 3) for t, n in df.items() if n > RARE_DF}


def load_table() -> tuple[int, dict[str, int]]:
    """(name count, document frequency per token) of the bundled lists, from the package data."""
    resource = files("screening").joinpath(TABLE)
    try:
        table = json.loads(resource.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:  # an install without its package data: scores would drift
        raise RuntimeError(f"screening/{TABLE} is missing: reinstall the package (make install)") from exc
    return int(table["name_count"]), {str(t): int(n) for t, n in table["document_frequencies"].items()}


def _load_default() -> Mapping[str, float]:
    name_count, frequencies = load_table()
    return {t: weight_from_df(n, name_count) for t, n in frequencies.items()}


DEFAULT_WEIGHTS: Mapping[str, float] = _load_default()
