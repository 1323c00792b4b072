"""Readers for the labelled evaluation files in benchmarks/data/eval (or $SANCTIONS_EVAL_DIR)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def results_dir() -> Path:
    """Where results JSON and plots go; $SANCTIONS_BENCH_RESULTS redirects them (tests)."""
    override = os.environ.get("SANCTIONS_BENCH_RESULTS")
    return Path(override) if override else RESULTS_DIR


# followthemoney schema of name_pairs.csv -> our query type
SCHEMA_TYPES = {
    "Person": "person",
    "Company": "entity",
    "Organization": "entity",
    "LegalEntity": "entity",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}


def eval_dir() -> Path:
    override = os.environ.get("SANCTIONS_EVAL_DIR")
    return Path(override) if override else REPO_ROOT / "benchmarks" / "data" / "eval"


class EvalDataError(ValueError):
    """A labelled file is missing or malformed; names the file and line."""


@dataclass(frozen=True)
class NamePair:
    case_group: str
    schema: str
    name1: str
    name2: str
    is_match: bool
    quality: str
    category: str

    @property
    def type(self) -> str:
        return SCHEMA_TYPES.get(self.schema, "any")


@dataclass(frozen=True)
class CrossScriptPair:
    query: str
    expected: str
    min_score: float
    description: str


@dataclass(frozen=True)
class OfacToolScore:
    query_name: str
    result_name: str
    ofac_score: int


def _open(path: Path):
    if not path.is_file():
        raise EvalDataError(f"{path}: labelled data file not found (set SANCTIONS_EVAL_DIR?)")
    return path.open(newline="", encoding="utf-8")


def _bool(value: str, path: Path, line: int) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise EvalDataError(f"{path}:{line}: is_match must be true/false, got {value!r}")


def read_name_pairs(path: Path | None = None) -> list[NamePair]:
    path = path or eval_dir() / "name_pairs.csv"
    with _open(path) as fh:
        rows = []
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                rows.append(
                    NamePair(
                        case_group=row["case_group"],
                        schema=row["schema"],
                        name1=row["name1"],
                        name2=row["name2"],
                        is_match=_bool(row["is_match"], path, line),
                        quality=row.get("quality") or "",
                        category=row.get("category") or "",
                    )
                )
            except KeyError as exc:
                raise EvalDataError(f"{path}:{line}: missing column {exc}") from exc
    return rows


def read_cross_script(path: Path | None = None) -> list[CrossScriptPair]:
    path = path or eval_dir() / "cross_script_pairs.csv"
    with _open(path) as fh:
        rows = []
        for line, row in enumerate(csv.reader(fh), start=1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < 3:
                raise EvalDataError(f"{path}:{line}: expected query,expected,min_score[,description]")
            try:
                min_score = float(row[2])
            except ValueError as exc:
                raise EvalDataError(f"{path}:{line}: min score {row[2]!r} is not a number") from exc
            rows.append(CrossScriptPair(row[0], row[1], min_score, row[3] if len(row) > 3 else ""))
    return rows


def read_ofac_tool_scores(path: Path | None = None) -> list[OfacToolScore]:
    path = path or eval_dir() / "ofac_tool_scores.csv"
    with _open(path) as fh:
        rows = []
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                rows.append(OfacToolScore(row["query_name"], row["result_name"], int(row["ofac_score"])))
            except (KeyError, ValueError) as exc:
                raise EvalDataError(f"{path}:{line}: bad row ({exc})") from exc
    return rows
