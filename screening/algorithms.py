"""The named, versioned scoring algorithms a screening can ask for.

Every decision records the algorithm's name and version, so it can always be explained by the
code that made it. A version changes whenever the algorithm's scores can change:
`tests/test_algorithms.py` pins a checksum of representative scores per version, so a change
of scores without a version bump fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from screening.thresholds import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Algorithm:
    name: str
    version: str
    purpose: str
    default_threshold: float

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "purpose": self.purpose,
            "default_threshold": self.default_threshold,
            "default": self.name == DEFAULT_ALGORITHM,
        }


BALANCED = Algorithm(
    name="balanced-v1",
    version="1.2.5",
    purpose=(
        "The default: agreement with people's labelled judgement (F1 on name_pairs.csv), "
        "across scripts, transliterations, word order, aliases, legal forms and payment-field cuts, "
        "with secondary evidence (date of birth, country, identifiers)."
    ),
    default_threshold=DEFAULT_THRESHOLD,
)
OFAC_SLS = Algorithm(
    name="ofac-sls",
    version="1.0.3",
    purpose=(
        "Parity with OFAC's Sanctions List Search: Jaro-Winkler and Soundex over the whole name "
        "and its parts, as OFAC describes its tool's score; alerts more often than the default "
        "(it scores 'KIM JONG UN' / 'KIM, Yong Su' at 0.90). Name only: no secondary evidence."
    ),
    default_threshold=0.90,
)
DEFAULT_ALGORITHM = BALANCED.name
ALGORITHMS: dict[str, Algorithm] = {a.name: a for a in (BALANCED, OFAC_SLS)}


class UnknownAlgorithm(ValueError):
    """An algorithm name not in the registry (the message names the known ones)."""


def get_algorithm(name: str | None) -> Algorithm:
    """The algorithm called `name` (None: the default), or UnknownAlgorithm."""
    if name is None:
        return ALGORITHMS[DEFAULT_ALGORITHM]
    found = ALGORITHMS.get(name.strip().lower())
    if found is None:
        raise UnknownAlgorithm(f"unknown algorithm {name!r}; known: {', '.join(sorted(ALGORITHMS))}")
    return found


def pair_scorer(name: str) -> Callable[[str, str, str], float]:
    """score(name_a, name_b, type) of one algorithm's name comparison (benchmarks and the version pin)."""
    algorithm = get_algorithm(name)
    if algorithm is OFAC_SLS:
        from screening.ofac_sls import score_texts

        return lambda a, b, _type: score_texts(a, b)
    from screening.compare import compare

    return lambda a, b, type_: compare(a, b, type=type_).score
