"""Match quality: labelled pairs, cross-script pairs, OFAC-tool agreement, alias recovery, alert rate.

Every section runs the real engine: `screening.compare.compare` at `DEFAULT_THRESHOLD`
for pairs, and a `Screener` over designations parsed from the bundled list files for
alias recovery and the alert rate. A section whose engine part is missing is recorded
as skipped with the reason, never silently left out.
"""

from __future__ import annotations

import functools
import math
import random
import re
import sys
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from anyascii import anyascii
from rapidfuzz import fuzz

from benchmarks import engine
from benchmarks.cut_names import false_alert_section as cut_names_false_alerts
from benchmarks.cut_names import index_recall_section as cut_names_index_recall
from benchmarks.cut_names import recall_section as cut_names_recall
from benchmarks.cut_names import variant_section as cut_names_variants
from benchmarks.evaldata import NamePair, read_cross_script, read_name_pairs, read_ofac_tool_scores
from benchmarks.metrics import Confusion, confusion, sweep, threshold_grid

FAKER_LOCALES = ("en_US", "de_DE", "es_ES", "fr_FR", "ru_RU", "ar_AA", "zh_CN", "ko_KR", "fa_IR", "tr_TR")
FAKER_SEED = 20240619
INDEX_RECALL_QUERIES = 100
ALIAS_SIMILARITY_MIN = 80.0  # rapidfuzz token_sort_ratio of the ASCII-folded names, 0..100


# ---------------------------------------------------------------- labelled pairs


def score_pairs(pairs: Sequence[NamePair], scorer: engine.PairScorer) -> list[float]:
    return [scorer.score(p.name1, p.name2, p.type) for p in pairs]


def grouped_confusion(
    pairs: Sequence[NamePair], scores: Sequence[float], threshold: float, key: Callable[[NamePair], str]
) -> dict[str, dict[str, float | int]]:
    groups: dict[str, tuple[list[float], list[bool]]] = defaultdict(lambda: ([], []))
    for pair, score in zip(pairs, scores, strict=True):
        group = groups[key(pair) or "(none)"]
        group[0].append(score)
        group[1].append(pair.is_match)
    return {
        name: confusion(s, labels, threshold).as_dict()
        for name, (s, labels) in sorted(groups.items(), key=lambda kv: -len(kv[1][0]))
    }


def name_pairs_section(scorer: engine.PairScorer, pairs: Sequence[NamePair] | None = None) -> dict[str, Any]:
    """P/R/F1 on name_pairs.csv overall, per category, case group and schema, plus the curve."""
    pairs = list(pairs) if pairs is not None else read_name_pairs()
    started = time.perf_counter()
    scores = score_pairs(pairs, scorer)
    elapsed = time.perf_counter() - started
    labels = [p.is_match for p in pairs]
    overall = confusion(scores, labels, scorer.threshold)
    curve = sweep(scores, labels, threshold_grid())
    best = max(curve, key=lambda row: (row["f1"], row["threshold"]))
    errors = [
        {
            "name1": p.name1,
            "name2": p.name2,
            "schema": p.schema,
            "is_match": p.is_match,
            "score": round(s, 4),
            "category": p.category,
        }
        for p, s in zip(pairs, scores, strict=True)
        if (s >= scorer.threshold) != p.is_match
    ]
    return {
        "threshold": scorer.threshold,
        "scorer": scorer.source,
        "pairs": len(pairs),
        "seconds": round(elapsed, 3),
        "overall": overall.as_dict(),
        "by_category": grouped_confusion(pairs, scores, scorer.threshold, lambda p: p.category),
        "by_case_group": grouped_confusion(pairs, scores, scorer.threshold, lambda p: p.case_group),
        "by_schema": grouped_confusion(pairs, scores, scorer.threshold, lambda p: p.schema),
        "curve": curve,
        "best_threshold": best,
        "errors": sorted(errors, key=lambda e: (e["is_match"], -e["score"])),
        "scores": {
            "match": [round(s, 4) for s, label in zip(scores, labels, strict=True) if label],
            "non_match": [round(s, 4) for s, label in zip(scores, labels, strict=True) if not label],
        },
    }


def cross_script_section(scorer: engine.PairScorer) -> dict[str, Any]:
    rows = []
    for pair in read_cross_script():
        score = scorer.score(pair.query, pair.expected, "any")
        rows.append(
            {
                "query": pair.query,
                "expected": pair.expected,
                "min_score": pair.min_score,
                "score": round(score, 4),
                "passed": score >= pair.min_score,
                "alerts": score >= scorer.threshold,
            }
        )
    return {
        "pairs": len(rows),
        "passed": sum(r["passed"] for r in rows),
        "alerting": sum(r["alerts"] for r in rows),
        "rows": rows,
    }


# Shares of OFAC's >= 90 pairs at which the coverage cost is reported.
OFAC_COVERAGE_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def ofac_coverage_cost(
    strong_scores: Sequence[float], pair_scores: Sequence[float], pair_labels: Sequence[bool]
) -> list[dict[str, Any]]:
    """What alerting on more of OFAC's >= 90 pairs would cost on the labelled pairs.

    For each coverage level, the highest threshold at which that share of the pairs alerts,
    and precision, recall and F1 on name_pairs.csv at that threshold: OFAC's search scores
    "KIM JONG UN" / "KIM, Yong Su" 90, while the labelled pairs call "Ihab Makhlouf" /
    "Rami Makhlouf" no match, so one threshold cannot serve both.
    """
    ranked = sorted(strong_scores, reverse=True)
    rows = []
    for level in OFAC_COVERAGE_LEVELS:
        needed = max(1, math.ceil(level * len(ranked)))
        threshold = ranked[needed - 1]
        c = confusion(pair_scores, pair_labels, threshold)
        rows.append(
            {
                "coverage": level,
                "pairs_alerting": sum(1 for s in ranked if s >= threshold),
                "threshold": round(threshold, 4),
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
            }
        )
    return rows


def ofac_tool_section(scorer: engine.PairScorer, name_pairs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every pair OFAC's own search scored >= 90 must alert here too; and what that would cost."""
    strong, weak = [], []
    for row in read_ofac_tool_scores():
        score = scorer.score(row.query_name, row.result_name, "any")
        item = {
            "query": row.query_name,
            "result": row.result_name,
            "ofac_score": row.ofac_score,
            "score": round(score, 4),
            "alerts": score >= scorer.threshold,
        }
        (strong if row.ofac_score >= 90 else weak).append(item)
    return {
        "ofac_ge_90": len(strong),
        "ofac_ge_90_alerting_here": sum(r["alerts"] for r in strong),
        "ofac_ge_90_missed": [r for r in strong if not r["alerts"]],
        "ofac_lt_90": len(weak),
        "ofac_lt_90_alerting_here": sum(r["alerts"] for r in weak),
        **({"coverage_cost": _coverage_cost(strong, name_pairs)} if name_pairs else {}),
    }


def _coverage_cost(strong: Sequence[dict[str, Any]], name_pairs: dict[str, Any]) -> list[dict[str, Any]]:
    match, non_match = name_pairs["scores"]["match"], name_pairs["scores"]["non_match"]
    labels = [True] * len(match) + [False] * len(non_match)
    return ofac_coverage_cost([r["score"] for r in strong], [*match, *non_match], labels)


# ---------------------------------------------------------------- alias recovery


def fold(name: str) -> str:
    """ASCII-fold, lowercase, punctuation to spaces: the plain form the filter compares."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", anyascii(name).lower()).split())


def is_acronym(alias: str, primary: str) -> bool:
    """Short single-token aliases (IRGC, NIOC) or the initials of the primary name."""
    tokens = fold(alias).split()
    if len(tokens) == 1 and len(tokens[0]) <= 6:
        return True
    initials = "".join(t[0] for t in fold(primary).split())
    return fold(alias).replace(" ", "") in (initials, initials[:-1])


def is_spelling_variant(alias: str, primary: str) -> bool:
    """The documented alias filter (see BENCHMARKS.md, "Alias recovery")."""
    folded_alias, folded_primary = fold(alias), fold(primary)
    if not folded_alias or sorted(folded_alias.split()) == sorted(folded_primary.split()):
        return False
    if is_acronym(alias, primary):
        return False
    return fuzz.token_sort_ratio(folded_alias, folded_primary) >= ALIAS_SIMILARITY_MIN


def variant_aliases(designations: Iterable[Any]) -> list[tuple[str, str, str]]:
    """(entity_id, primary name, alias) for every strong Latin a.k.a. that passes the filter."""
    from lists.model import AliasKind, AliasStrength

    found = []
    for d in designations:
        for alias in d.aliases:
            if alias.kind != AliasKind.AKA or alias.strength != AliasStrength.STRONG or alias.script:
                continue
            if is_spelling_variant(alias.name, d.primary_name):
                found.append((d.entity_id, d.primary_name, alias.name))
    return found


@functools.cache
def _primary_names_only() -> tuple[list[Any], list[tuple[str, str, str]], Any]:
    """The SDN list, its variant a.k.a.s, and a screener of its primary names only."""
    designations = engine.load_list("ofac")
    stripped = [d.model_copy(update={"aliases": ()}) for d in designations]
    return designations, variant_aliases(designations), engine.build_screener(stripped)


def _cut_variants(threshold: float) -> dict[str, Any]:
    _, variants, screener = _primary_names_only()
    return cut_names_variants(screener, variants, threshold)


def alias_recovery_section(threshold: float) -> dict[str, Any]:
    designations, variants, screener = _primary_names_only()
    types = {d.entity_id: engine.entity_type(d) for d in designations}
    found = top1 = 0
    missed = []
    for entity_id, primary, alias in variants:
        result = screener.screen(engine.make_query(alias, limit=10))
        ids = [m.entity_id for m in result.matches if m.score >= threshold]
        if entity_id in ids:
            found += 1
            top1 += ids[0] == entity_id
        else:
            best = next((m.score for m in result.matches if m.entity_id == entity_id), None)
            missed.append({"entity_id": entity_id, "primary": primary, "alias": alias, "score": best})
    total = len(variants)
    return {
        "filter": (
            f"OFAC SDN strong a.k.a. in Latin script (no fka/nka, no weak Remarks aliases); "
            f"not identical to the primary after ASCII folding and token sorting; not an acronym "
            f"(single token of <= 6 letters, or the primary's initials); rapidfuzz token_sort_ratio "
            f"of the folded names >= {ALIAS_SIMILARITY_MIN:.0f}"
        ),
        "designations_indexed": len(designations),
        "aliases_tested": total,
        "by_type": _count_by(variants, types),
        "recovered": found,
        "recall": round(found / total, 4) if total else None,
        "top1": round(top1 / total, 4) if total else None,
        "missed_sample": missed[:40],
    }


def _count_by(variants: Sequence[tuple[str, str, str]], types: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for entity_id, _, _ in variants:
        counts[types.get(entity_id, "?")] += 1
    return dict(counts)


# ---------------------------------------------------------------- alert rate


def faker_population(per_locale: int = 200, seed: int = FAKER_SEED) -> list[tuple[str, str]]:
    """(locale, person name) from several locales and scripts, reproducible from the seed."""
    from faker import Faker

    people = []
    for offset, locale in enumerate(FAKER_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + offset)
        seen: set[str] = set()
        while len(seen) < per_locale:
            name = fake.name()
            if name not in seen:
                seen.add(name)
                people.append((locale, name))
    return people


def alert_rate_section(screener: Any, per_locale: int = 200) -> dict[str, Any]:
    population = faker_population(per_locale)
    by_locale: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    alerts = []
    for locale, name in population:
        result = screener.screen(engine.make_query(name, "any", limit=3))
        hit = result.decision == "hit"
        by_locale[locale][0] += 1
        by_locale[locale][1] += hit
        if hit and result.matches:
            top = result.matches[0]
            alerts.append({"locale": locale, "query": name, "matched": top.matched_name, "score": top.score})
    total = len(population)
    alerted = sum(v[1] for v in by_locale.values())
    return {
        "population": total,
        "locales": list(FAKER_LOCALES),
        "seed": FAKER_SEED,
        "query_type": "any",
        "alerted": alerted,
        "alert_rate": round(alerted / total, 4),
        "by_locale": {
            k: {"n": v[0], "alerted": v[1], "rate": round(v[1] / v[0], 4)} for k, v in by_locale.items()
        },
        "alerts_sample": sorted(alerts, key=lambda a: -a["score"])[:40],
    }


# ---------------------------------------------------------------- index recall


def index_recall_section(screener: Any, queries: Sequence[str], threshold: float) -> dict[str, Any]:
    """Matches found through the candidate index vs exhaustive scoring, if the Screener offers it."""
    brute = getattr(screener, "screen_brute_force", None) or getattr(screener, "screen_exhaustive", None)
    if brute is None:
        return {"skipped": "the Screener exposes no brute-force mode (screen_brute_force/screen_exhaustive)"}
    expected = found = 0
    for name in queries:
        query = engine.make_query(name, limit=50)
        want = {m.entity_id for m in brute(query).matches if m.score >= threshold}
        got = {m.entity_id for m in screener.screen(query).matches if m.score >= threshold}
        expected += len(want)
        found += len(want & got)
    return {
        "queries": len(queries),
        "brute_force_hits": expected,
        "index_hits": found,
        "recall": round(found / expected, 4) if expected else None,
    }


# ---------------------------------------------------------------- the whole run


def _guarded(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    print(f"quality: {name} ...", file=sys.stderr, flush=True)
    try:
        section = fn()
        section.setdefault("seconds", round(time.perf_counter() - started, 1))
        return section
    except ImportError as exc:
        return {"skipped": f"{name}: engine part not available ({exc})"}
    except Exception as exc:  # a broken section is reported, the others still run
        return {"error": f"{name}: {type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=5)}


def run_quality(full: bool = True) -> dict[str, Any]:
    """All quality sections; `full=False` is the CI subset (labelled pairs only)."""
    scorer = engine.pair_scorer()
    result: dict[str, Any] = {"kind": "quality", "scorer": scorer.source, "threshold": scorer.threshold}
    result["name_pairs"] = name_pairs_section(scorer)
    if not full:
        return result
    result["cross_script"] = _guarded("cross_script", lambda: cross_script_section(scorer))
    result["ofac_tool"] = _guarded("ofac_tool", lambda: ofac_tool_section(scorer, result["name_pairs"]))
    result["alias_recovery"] = _guarded("alias_recovery", lambda: alias_recovery_section(scorer.threshold))

    @functools.cache
    def all_lists() -> tuple[list[Any], Any]:
        designations = engine.load_all_designations()
        return designations, engine.build_screener(designations)

    def population() -> dict[str, Any]:
        designations, screener = all_lists()
        section = alert_rate_section(screener)
        # Brute force scores every list name (seconds per query), so the sample is small.
        rng = random.Random(FAKER_SEED)
        sample = [
            d.primary_name for d in rng.sample(designations, min(INDEX_RECALL_QUERIES, len(designations)))
        ]
        per_locale = max(1, INDEX_RECALL_QUERIES // len(FAKER_LOCALES))
        sample += [name for _, name in faker_population(per_locale)][:INDEX_RECALL_QUERIES]
        section["index_recall"] = index_recall_section(screener, sample, scorer.threshold)
        return section

    result["alert_rate"] = _guarded("alert_rate", population)

    def cut_names() -> dict[str, Any]:
        designations, screener = all_lists()
        return {
            "recall": cut_names_recall(screener, designations, scorer.threshold),
            "false_alerts": cut_names_false_alerts(screener, FAKER_LOCALES, FAKER_SEED),
            "index_recall": cut_names_index_recall(screener, designations, scorer.threshold),
            "variants": _cut_variants(scorer.threshold),
        }

    result["cut_names"] = _guarded("cut_names", cut_names)

    def ofac_sls() -> dict[str, Any]:
        from benchmarks import ofac_sls as sls

        designations, screener = all_lists()
        return {
            "agreement": sls.agreement_section(),
            "index_recall": sls.index_recall_section(screener, designations),
        }

    result["ofac_sls"] = _guarded("ofac_sls", ofac_sls)
    return result


def summary_confusion(result: dict[str, Any]) -> Confusion:
    o = result["name_pairs"]["overall"]
    return Confusion(o["tp"], o["fp"], o["tn"], o["fn"])
