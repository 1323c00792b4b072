"""Names cut by a payment field: found, and what the cut comparison costs in false alerts.

Every list name longer than a SWIFT name line (35 characters) is cut there, as a payment
carries it, and screened against all bundled lists; the same queries screened with the cut
comparison switched off (`truncated=False`) are the baseline of the same run. The cost side:
long non-sanctioned names (Faker companies and persons from the alert-rate locales) cut the
same way, screened both ways.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from benchmarks import engine

FIELD_LENGTH = 35  # a SWIFT MT / Fedwire name line
FAKER_PER_LOCALE = 100
INDEX_RECALL_SAMPLE = 100
INDEX_RECALL_SEED = 20251124


def cut(name: str, length: int = FIELD_LENGTH) -> str:
    """The name as a field of `length` characters carries it (a trailing space dropped)."""
    return name[:length].rstrip()


def _where(name: str, length: int = FIELD_LENGTH) -> str:
    """Whether the field's end fell inside a word or between two."""
    inside = name[length - 1].isalnum() and name[length].isalnum()
    return "mid-word" if inside else "word-end"


def _long_names(designations: Sequence[Any]) -> list[tuple[Any, str, str]]:
    """(designation, kind, name) for primary names longer than the field; a person's also given names first."""
    from screening.truncation import given_names_first

    found = []
    for designation in designations:
        name, kind = designation.primary_name.strip(), engine.entity_type(designation)
        if len(name) > FIELD_LENGTH:
            found.append((designation, kind, name))
        reordered = given_names_first(name) if kind == "person" else None
        if reordered and len(reordered) > FIELD_LENGTH:
            found.append((designation, "person, given names first", reordered))
    return found


def recall_section(screener: Any, designations: Sequence[Any], threshold: float) -> dict[str, Any]:
    """Primary names longer than the field, cut: is the designation found, with and without the cut comparison?

    A person's name also as a payment writes it, given names first ("Usama bin Muhammad bin
    Awad BIN LADIN" for "BIN LADIN, Usama bin Muhammad bin Awad").
    """
    counts: Counter[tuple[str, str, str]] = Counter()
    missed = []
    for designation, kind, name in _long_names(designations):
        query_name = cut(name)
        where = _where(name)
        for mode, truncated in (("cut", None), ("as_written", False)):
            result = screener.screen(engine.make_query(query_name, limit=10, truncated=truncated))
            found = any(m.entity_id == designation.entity_id and m.score >= threshold for m in result.matches)
            counts[(mode, kind, where)] += found
            counts[("n", kind, where)] += mode == "cut"
            if mode == "cut" and not found and len(missed) < 40:
                missed.append({"entity_id": designation.entity_id, "query": query_name, "name": name})
    total = sum(v for (mode, _, _), v in counts.items() if mode == "n")

    def found_by(mode: str, **where: str) -> int:
        return sum(
            v
            for (m, kind, place), v in counts.items()
            if m == mode and where.get("kind", kind) == kind and where.get("where", place) == place
        )

    kinds = sorted({kind for _, kind, _ in counts})
    return {
        "field_length": FIELD_LENGTH,
        "names": total,
        "found_cut": found_by("cut"),
        "found_as_written": found_by("as_written"),
        "recall_cut": round(found_by("cut") / total, 4) if total else None,
        "recall_as_written": round(found_by("as_written") / total, 4) if total else None,
        "by_type": {
            kind: {
                "n": found_by("n", kind=kind),
                "cut": found_by("cut", kind=kind),
                "as_written": found_by("as_written", kind=kind),
            }
            for kind in kinds
        },
        "by_where": {
            place: {
                "n": found_by("n", where=place),
                "cut": found_by("cut", where=place),
                "as_written": found_by("as_written", where=place),
            }
            for place in ("mid-word", "word-end")
        },
        "missed_sample": missed,
    }


def index_recall_section(
    screener: Any, designations: Sequence[Any], threshold: float, sample: int = INDEX_RECALL_SAMPLE
) -> dict[str, Any]:
    """On a seeded sample of the cut names: the matches brute force finds, and how many the index does.

    Brute-force scoring takes about half a second per cut name (every list name cut and
    compared), hence a sample. A miss the index also makes on the name compared as written
    (`truncated=False`) is the plain index's, not the cut path's: counted apart.
    """

    def hits(query: Any, brute_force: bool) -> set[str]:
        result = screener.screen_brute_force(query) if brute_force else screener.screen(query)
        return {m.entity_id for m in result.matches if m.score >= threshold}

    rng = random.Random(INDEX_RECALL_SEED)
    names = _long_names(designations)
    chosen = rng.sample(names, min(sample, len(names)))
    expected = found = missed_as_written = 0
    for _, _, name in chosen:
        query = engine.make_query(cut(name), limit=50)
        want = hits(query, brute_force=True)
        missed = want - hits(query, brute_force=False)
        expected += len(want)
        found += len(want) - len(missed)
        if missed:
            as_written = engine.make_query(cut(name), limit=50, truncated=False)
            missed_as_written += len(missed & (hits(as_written, True) - hits(as_written, False)))
    return {
        "queries": len(chosen),
        "brute_force_hits": expected,
        "index_hits": found,
        "recall": round(found / expected, 4) if expected else None,
        "misses_also_as_written": missed_as_written,
    }


def variant_section(
    screener: Any, variants: Sequence[tuple[str, str, str]], threshold: float
) -> dict[str, Any]:
    """Spelling variants cut: each (entity id, primary, a.k.a.) whose a.k.a. is longer than the
    field, cut there, against a screener of primary names only (the alias-recovery set-up).

    The cut names above are the start of a list spelling; a payment's own spelling often is
    not. Counted: found by the index, by brute force, and the whole a.k.a. found uncut.
    """

    def found(entity_id: str, name: str, brute_force: bool = False, truncated: bool | None = None) -> bool:
        query = engine.make_query(name, limit=10, truncated=truncated)
        result = screener.screen_brute_force(query) if brute_force else screener.screen(query)
        return any(m.entity_id == entity_id and m.score >= threshold for m in result.matches)

    long = [v for v in variants if len(v[2]) > FIELD_LENGTH]
    counts: Counter[str] = Counter()
    for entity_id, _, alias in long:
        query_name = cut(alias)
        counts["index"] += found(entity_id, query_name)
        counts["brute_force"] += found(entity_id, query_name, brute_force=True)
        counts["as_written"] += found(entity_id, query_name, truncated=False)
        counts["uncut"] += found(entity_id, alias)
    return {
        "aliases": len(long),
        "found_cut": counts["index"],
        "found_brute_force": counts["brute_force"],
        "found_as_written": counts["as_written"],
        "found_uncut": counts["uncut"],
    }


def long_faker_names(locales: Sequence[str], seed: int, per_locale: int = FAKER_PER_LOCALE) -> list[str]:
    """Non-sanctioned names longer than the field: companies (with a city) and persons, per locale."""
    from faker import Faker

    names = []
    for offset, locale in enumerate(locales):
        fake = Faker(locale)
        fake.seed_instance(seed + offset)
        for i in range(per_locale):
            parts = [fake.company()] if i % 2 == 0 else [fake.name()]
            while len(" ".join(parts)) <= FIELD_LENGTH:
                parts.append(fake.city() if i % 2 == 0 else fake.last_name())
            names.append(" ".join(parts))
    return names


def false_alert_section(screener: Any, locales: Sequence[str], seed: int) -> dict[str, Any]:
    """Long Faker names cut at the field: alerts with the cut comparison and without."""
    names = long_faker_names(locales, seed)
    alerts = {"cut": 0, "as_written": 0}
    sample = []
    for name in names:
        query_name = cut(name)
        for mode, truncated in (("cut", None), ("as_written", False)):
            result = screener.screen(engine.make_query(query_name, limit=3, truncated=truncated))
            if result.decision == "hit":
                alerts[mode] += 1
                if mode == "cut" and len(sample) < 20:
                    top = result.matches[0]
                    sample.append({"query": query_name, "matched": top.matched_name, "score": top.score})
    return {
        "population": len(names),
        "alerted_cut": alerts["cut"],
        "alerted_as_written": alerts["as_written"],
        "alert_rate_cut": round(alerts["cut"] / len(names), 4),
        "alert_rate_as_written": round(alerts["as_written"] / len(names), 4),
        "alerts_sample": sample,
    }
