"""The screening query and result: one JSON shape for the library, the CLI and the HTTP API."""

from __future__ import annotations

import builtins
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from screening.algorithms import DEFAULT_ALGORITHM, get_algorithm
from screening.explanation import Explanation, NameKind

QueryType = Literal["person", "entity", "vessel", "aircraft", "any"]
Decision = Literal["hit", "clear"]


class QueryIdentifier(BaseModel):
    """An identifier the party carries (passport, IMO number, wallet address...)."""

    model_config = ConfigDict(extra="forbid")

    type: str | None = None  # an IdentifierType value ("passport", "imo"...) or free text
    value: str = Field(min_length=1)
    country: str | None = None


class Query(BaseModel):
    """One party to screen. Only `name` is required; every other field is evidence or a filter."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=1000)
    type: QueryType = "any"
    dob: str | None = None  # "1986-12-08", "1986-12", "1986", "08/12/1986"
    country: str | None = None  # a country name or ISO code, as the customer file has it
    nationality: str | None = None
    gender: str | None = None  # "male" / "female" (optional evidence, an addition to the contract)
    identifiers: list[QueryIdentifier] = Field(default_factory=list)
    lists: list[str] | None = None  # list codes to screen against; None = all loaded lists
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    limit: int = Field(default=10, ge=1, le=1000)
    # The name was cut by a field's length limit: None decides from its length (35, 70 or 140
    # characters, `screening.truncation`); True or False when the caller knows.
    truncated: bool | None = None
    # A name from `screening.algorithms` (None: the default, balanced-v1).
    algorithm: str | None = None

    @field_validator("algorithm")
    @classmethod
    def _known_algorithm(cls, value: str | None) -> str | None:
        return None if value is None else get_algorithm(value).name

    @field_validator("name")
    @classmethod
    def _name_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name must contain at least one non-space character")
        return value


class Match(BaseModel):
    """One designation the party may be, with the list name that matched and why."""

    entity_id: str
    list: str
    type: str
    programs: builtins.list[str]  # `list` is a field name above
    name: str  # the designation's primary name
    matched_name: str  # the list name (primary or alias) that scored best
    matched_name_kind: NameKind
    score: float
    explanation: Explanation


class ScreeningResult(BaseModel):
    query: Query
    decision: Decision
    threshold: float
    list_versions: dict[str, str]
    matches: list[Match]
    # The algorithm that made the decision and its version (`screening.algorithms`).
    algorithm: str = DEFAULT_ALGORITHM
    algorithm_version: str = ""
