"""Rewrite screening/data/token_weights.json: document frequencies of name tokens on the bundled lists.

    python scripts/regenerate_token_weights.py [--check]

Every primary name and alias of the bundled OFAC SDN (with its 2025 delta), OFAC non-SDN and
UN lists is analysed as the engine analyses it (`screening.names.analyze_name`); tokens found
in more than RARE_DF names are kept (rarer ones weigh 1.0 anyway). `--check` writes nothing
and fails when the file differs from what the lists give (the scores depend on it: changing it
changes balanced-v1's scores, see screening/algorithms.py).

The shipped file is the table as generated when the weights were tuned: today's analysis of the
same lists differs from it (2026-12-06: 69 frequencies changed, 21 tokens added, 9 dropped), so
`--check` fails. Regenerating is a scoring change: bump balanced-v1's version with it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.token_weights import RARE_DF, TABLE  # noqa: E402

TARGET = ROOT / "screening" / TABLE


def bundled_names() -> list[tuple[str, str]]:
    """(name, type) of every primary name and alias on the bundled lists (uses lists/ parsers)."""
    from lists.ofac_csv import parse_ofac_csv
    from lists.un_xml import parse_un_xml

    data = ROOT / "lists" / "data"
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


def table() -> str:
    """The file's text: {"name_count": N, "document_frequencies": {token: names, ...}} by token."""
    from screening.names import analyze_name

    df: Counter[str] = Counter()
    names = 0
    for name, kind in bundled_names():
        names += 1
        df.update(set(analyze_name(name, kind).tokens))  # type: ignore[arg-type]
    kept = {t: n for t, n in sorted(df.items()) if n > RARE_DF}
    return (
        json.dumps({"name_count": names, "document_frequencies": kept}, ensure_ascii=False, indent=0) + "\n"
    )


def main(argv: list[str]) -> int:
    text = table()
    if "--check" in argv:
        same = TARGET.read_text(encoding="utf-8") == text
        print(f"{TARGET.relative_to(ROOT)}: {'up to date' if same else 'differs from the bundled lists'}")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    count = len(json.loads(text)["document_frequencies"])
    print(f"{count} tokens with df > {RARE_DF} -> {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
