"""Runs INSIDE benchmarks/.peers-venv (nomenklatura installed there): scores name pairs.

Standalone on purpose: it imports nothing from this project, reads a CSV path from
argv and prints JSON (versions + scores per algorithm) on stdout for benchmarks.peers.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from importlib.metadata import version

ALGORITHMS = ("logic-v2", "ofac", "name-based")


def main(pairs_csv: str) -> None:
    from followthemoney import EntityProxy
    from nomenklatura.matching import get_algorithm

    with open(pairs_csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))

    def entity(idx: int, side: str, schema: str, name: str) -> EntityProxy:
        data = {"id": f"{side}{idx}", "schema": schema, "properties": {"name": [name]}}
        return EntityProxy.from_dict(data)

    pairs = [
        (entity(i, "q", r["schema"], r["name1"]), entity(i, "r", r["schema"], r["name2"]))
        for i, r in enumerate(rows)
    ]
    out: dict[str, object] = {
        "versions": {p: version(p) for p in ("nomenklatura", "followthemoney", "rigour")},
        "python": sys.version.split()[0],
        "pairs": len(pairs),
        "algorithms": {},
    }
    for name in ALGORITHMS:
        algorithm = get_algorithm(name)
        if algorithm is None:
            out["algorithms"][name] = {"error": "not in this nomenklatura version"}  # type: ignore[index]
            continue
        config = algorithm.default_config()
        started = time.perf_counter()
        scores = [float(algorithm.compare(q, r, config).score) for q, r in pairs]
        out["algorithms"][name] = {  # type: ignore[index]
            "scores": scores,
            "seconds": round(time.perf_counter() - started, 3),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
