"""Quality of `ofac-sls`: agreement with OFAC's own tool, and its index recall against its brute force.

Agreement: on `ofac_tool_scores.csv` (170 scores the tool gave), how many of ours are within
5 points of the tool's, and how many of the tool's 90+ pairs score 90+ here. A -1 (the tool
returned nothing; its lowest shown score is 50) agrees when ours is 55 or less.

Index recall: designations at or above the algorithm's threshold when every list name is
scored, found through the candidate index too. Queries: the tool file's own queries, list names
with one letter dropped, and names from Faker locales (brute force scores every list name, so
the sample is small).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from benchmarks.evaldata import read_ofac_tool_scores

SEED = 20261205
RECALL_QUERIES = 120


def agreement_section() -> dict[str, Any]:
    from screening.algorithms import OFAC_SLS
    from screening.ofac_sls import score_texts

    rows = read_ofac_tool_scores()
    items = []
    for row in rows:
        ours = round(100 * score_texts(row.query_name, row.result_name))
        agrees = ours <= 55 if row.ofac_score == -1 else abs(ours - row.ofac_score) <= 5
        items.append(
            {
                "query": row.query_name,
                "result": row.result_name,
                "ofac": row.ofac_score,
                "ours": ours,
                "agrees": agrees,
            }
        )
    strong = [i for i in items if i["ofac"] >= 90]
    returned = [i for i in items if i["ofac"] != -1]
    return {
        "algorithm": OFAC_SLS.name,
        "version": OFAC_SLS.version,
        "pairs": len(items),
        "within_5": sum(i["agrees"] for i in items),
        "within_5_share": round(sum(i["agrees"] for i in items) / len(items), 4),
        "returned_pairs": len(returned),
        "returned_within_5": sum(i["agrees"] for i in returned),
        "ofac_ge_90": len(strong),
        "ofac_ge_90_scoring_90_here": sum(i["ours"] >= 90 for i in strong),
        "disagreements": [i for i in items if not i["agrees"]],
    }


def recall_queries(designations: Sequence[Any], count: int = RECALL_QUERIES) -> list[str]:
    from benchmarks.quality import faker_population

    rng = random.Random(SEED)
    queries = sorted({r.query_name for r in read_ofac_tool_scores()})
    for designation in rng.sample(list(designations), count // 2):
        name = designation.primary_name
        cut = rng.randrange(len(name))
        queries.append(name[:cut] + name[cut + 1 :] if len(name) > 4 else name)
    queries += [name for _, name in faker_population(3, SEED)][: count // 2]
    return queries


def index_recall_section(screener: Any, designations: Sequence[Any]) -> dict[str, Any]:
    from screening.algorithms import OFAC_SLS
    from screening.query import Query

    queries = recall_queries(designations)
    expected = found = 0
    missed: list[dict[str, Any]] = []
    for name in queries:
        query = Query(name=name, algorithm=OFAC_SLS.name, limit=1000)
        want = {m.entity_id for m in screener.screen_brute_force(query).matches}
        got = {m.entity_id for m in screener.screen(query).matches}
        expected += len(want)
        found += len(want & got)
        if want - got and len(missed) < 10:
            missed.append({"query": name, "missed": sorted(want - got)[:5]})
    return {
        "threshold": OFAC_SLS.default_threshold,
        "queries": len(queries),
        "brute_force_hits": expected,
        "index_hits": found,
        "recall": round(found / expected, 4) if expected else None,
        "missed_sample": missed,
    }


if __name__ == "__main__":
    import json
    import time

    from benchmarks import engine

    print(json.dumps({k: v for k, v in agreement_section().items() if k != "disagreements"}, indent=1))
    designations = engine.load_all_designations()
    screener = engine.build_screener(designations)
    started = time.perf_counter()
    print(json.dumps(index_recall_section(screener, designations), indent=1))
    print(f"{time.perf_counter() - started:.0f} s")
