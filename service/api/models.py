"""Request and response bodies of the HTTP API, with the limits that keep bad input out.

Validation errors name the field (see service.app's handler): an empty name,
a name over 512 characters, control characters, more than 1,000 bulk items or
an unknown list code are refused before the engine sees them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from lists.model import ListCode
from screening.algorithms import get_algorithm
from screening.query import Query, QueryIdentifier, QueryType, ScreeningResult
from service.api.hit_models import AlertRef, KnownTrueMatch, ReviewedMatch
from service.validation import MAX_NAME_LENGTH, dob_problem, name_problem

MAX_BULK_ITEMS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

EXAMPLE_QUERY: dict[str, Any] = {
    "name": "Sichuan Juxinhe Network Technology Company Limited",
    "type": "entity",
    "country": "China",
    "reference": "payment-2025-000123/beneficiary",
}


def _no_control_characters(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"contains a control character (U+{ord(found.group()):04X}) at position {found.start()}"
        )
    return value


def _has_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain at least one non-space character")
    return value


def _screenable_name(value: str) -> str:
    problem = name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _real_date(value: str) -> str:
    problem = dob_problem(value) if value.strip() else None  # blank: no date given
    if problem:
        raise ValueError(problem)
    return value


CleanText = Annotated[str, AfterValidator(_no_control_characters)]
Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH),
    AfterValidator(_no_control_characters),
    AfterValidator(_has_text),
    AfterValidator(_screenable_name),
]
ShortText = Annotated[CleanText, Field(max_length=64)]


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ShortText | None = Field(default=None, description='e.g. "passport", "imo", "swift_bic", "uscc"')
    value: Annotated[CleanText, Field(min_length=1, max_length=128), AfterValidator(_has_text)]
    country: ShortText | None = None


class ScreenRequest(BaseModel):
    """One party to screen. Only `name` is required."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_QUERY]})

    name: Name = Field(description="The party's name as the payment carries it (1-512 characters)")
    type: QueryType = "any"
    dob: Annotated[ShortText, AfterValidator(_real_date)] | None = Field(
        default=None, description='"1986-12-08", "1986-12", "1986" or "08/12/1986"'
    )
    country: ShortText | None = Field(default=None, description="Country name or ISO code")
    nationality: ShortText | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)
    address: Annotated[CleanText, Field(max_length=512)] | None = Field(
        default=None, description="Kept in the audit trail; not used for matching"
    )
    lists: list[ListCode] | None = Field(
        default=None, min_length=1, description="Lists to screen against; default all"
    )
    # strict: the JSON types the schema says (no 0 for false, no "0.9" for a number)
    threshold: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False, strict=True)
    limit: int = Field(default=10, ge=1, le=100, strict=True)
    truncated: bool | None = Field(
        default=None,
        strict=True,
        description=(
            "Whether a field's length limit cut the name. Default: a name of 34-35, 69-70 or "
            "139-140 characters (SWIFT/Fedwire name lines, ISO 20022) is also compared with "
            "each list name cut the same way"
        ),
    )
    reference: Annotated[CleanText, Field(max_length=128)] | None = Field(
        default=None, description="The caller's payment or customer id, stored with the decision"
    )
    party_id: Annotated[CleanText, Field(min_length=1, max_length=128)] | None = Field(
        default=None,
        description="The party's stable id (customer, counterparty): its hits become alerts to review, "
        "and its accepted false positives and approved true matches apply",
    )
    algorithm: str | None = Field(
        default=None,
        description="Scoring algorithm (GET /v1/algorithms): balanced-v1 (default) or ofac-sls",
        examples=["ofac-sls"],
    )

    @field_validator("algorithm")
    @classmethod
    def _known_algorithm(cls, value: str | None) -> str | None:
        return None if value is None else get_algorithm(value).name

    def to_query(self) -> Query:
        return Query(
            name=self.name,
            type=self.type,
            dob=self.dob,
            country=self.country,
            nationality=self.nationality,
            identifiers=[QueryIdentifier(**i.model_dump()) for i in self.identifiers],
            lists=[code.value for code in self.lists] if self.lists else None,
            threshold=self.threshold,
            limit=self.limit,
            truncated=self.truncated,
            algorithm=self.algorithm,
        )


class BulkScreenRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"queries": [EXAMPLE_QUERY, {"name": "Maria Gonzalez", "type": "person"}]}]
        },
    )

    queries: list[ScreenRequest] = Field(min_length=1, max_length=MAX_BULK_ITEMS)


class ListWarning(BaseModel):
    """A list the answer used is older than its maximum age (README, "Keeping the lists current")."""

    list: str
    stale: bool = True
    age_hours: float
    max_age_hours: float | None
    message: str


class ScreenResponse(ScreeningResult):
    """The engine's result plus the audit id and timing."""

    screening_id: str = Field(description="UUID of the audited decision (GET /v1/screenings/{id})")
    reference: str | None = None
    took_ms: float
    warnings: list[ListWarning] = Field(
        default_factory=list, description="one entry per stale list the answer was made against (list, age)"
    )
    matches: list[ReviewedMatch]  # type: ignore[assignment]  # each with its accept state
    party_id: str | None = None
    known_true_match: bool = Field(
        default=False, description="the party has an approved true match (decision hit even without a match)"
    )
    true_matches: list[KnownTrueMatch] = Field(default_factory=list)
    alerts: list[AlertRef] = Field(default_factory=list, description="the alerts this screening's hits are")


class BulkScreenResponse(BaseModel):
    bulk_id: str
    took_ms: float
    warnings: list[ListWarning] = Field(default_factory=list)
    results: list[ScreenResponse]


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable reason, e.g. no_active_list, invalid_request")
    detail: Any = Field(
        description="what went wrong, for people; for invalid requests a list of {field, message}"
    )


class FieldError(BaseModel):
    field: str = Field(examples=["body.queries.3.name"])
    message: str
    type: str


class InvalidRequest(BaseModel):
    error: str = "invalid_request"
    detail: list[FieldError]


class ListVersionOut(BaseModel):
    id: int
    list_code: str
    label: str
    source: str
    publish_date: date | None
    loaded_at: datetime
    record_count: int
    counts_by_type: dict[str, int]
    active: bool
    state: str
    warnings: list[str]
    error: str | None = None
    serving: bool = Field(description="this worker's index was built from this version")


class ListsOut(BaseModel):
    lists: list[ListVersionOut]
    index: dict[str, Any]


class ReloadOutcomeOut(BaseModel):
    list_code: str
    ok: bool
    version: str | None = None
    error: str | None = None
    refused: bool = False


class ReloadOut(BaseModel):
    ok: bool
    outcomes: list[ReloadOutcomeOut]
    serving: dict[str, str]
    message: str


class ApiKeyOut(BaseModel):
    key_id: str
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    user: str | None = None  # the named user the key belongs to (its role is the user's)


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern="^(screen|admin)$", examples=["screen"])
    name: Annotated[CleanText, Field(max_length=128)] = ""


class ApiKeyCreated(ApiKeyOut):
    token: str = Field(description="the secret; shown only now, store it safely")
