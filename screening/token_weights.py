"""Token distinctiveness weights (IDF over list names) and the default table.

Why: "technology", "company", "al", "kim" appear in thousands of list names and
say little; "juxinhe" or "putin" identify a party. The index computes weights
from the lists it serves with `compute_token_weights`; `score_names` falls back
to `DEFAULT_WEIGHTS`, generated once from the bundled lists by

    python -m screening.token_weights --regenerate

which rewrites screening/token_weights_table.py (package data; no file is
read at import time beyond that module).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

# Weight of a token the table has never seen: as distinctive as a one-off token.
UNKNOWN_TOKEN_WEIGHT = 1.0
# Floor so that even the commonest token carries some evidence.
MIN_WEIGHT = 0.08
# Tokens found in at most this many names count as fully distinctive.
RARE_DF = 3
# IDF ratio is raised to this power: common words should weigh far less than rare ones.
WEIGHT_POWER = 2.0


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


def _load_default() -> Mapping[str, float]:
    try:
        from screening.token_weights_table import DOCUMENT_FREQUENCIES, NAME_COUNT
    except ImportError:  # table not generated yet
        return {}
    return {t: weight_from_df(n, NAME_COUNT) for t, n in DOCUMENT_FREQUENCIES.items()}


DEFAULT_WEIGHTS: Mapping[str, float] = _load_default()


def _bundled_names() -> list[tuple[str, str]]:
    """(name, type) of every primary name and alias on the bundled lists (uses lists/ parsers)."""
    from lists.ofac_csv import parse_ofac_csv
    from lists.un_xml import parse_un_xml

    data = Path(__file__).resolve().parent.parent / "lists" / "data"
    parsed = [
        parse_ofac_csv([data / "ofac"]),
        parse_ofac_csv([data / "ofac-delta-2025"]),
        parse_ofac_csv([data / "ofac-nonsdn"]),
        parse_un_xml(data / "un" / "consolidated.xml"),
    ]
    out: list[tuple[str, str]] = []
    for plist in parsed:
        for d in plist.designations:
            kind = "person" if d.type.value == "person" else "entity"
            out.append((d.primary_name, kind))
            out.extend((a.name, kind) for a in d.aliases)
    return out


def regenerate(target: Path) -> None:
    from screening.names import analyze_name

    df: Counter[str] = Counter()
    names = 0
    for name, kind in _bundled_names():
        analyzed = analyze_name(name, kind)  # type: ignore[arg-type]
        names += 1
        df.update(set(analyzed.tokens))
    kept = {t: n for t, n in sorted(df.items()) if n > RARE_DF}
    lines = [
        '"""Document frequencies of name tokens on the bundled lists (generated; do not edit).',
        "",
        "Regenerate with: python -m screening.token_weights --regenerate",
        '"""',
        "",
        f"NAME_COUNT = {names}",
        "DOCUMENT_FREQUENCIES: dict[str, int] = {",
        *(f"    {t!r}: {n}," for t, n in kept.items()),
        "}",
        "",
    ]
    target.write_text("\n".join(lines), encoding="utf-8")
    print(f"{names} names, {len(kept)} tokens with df > {RARE_DF} -> {target}")


if __name__ == "__main__":
    if "--regenerate" in sys.argv:
        regenerate(Path(__file__).with_name("token_weights_table.py"))
    else:
        print(__doc__)
