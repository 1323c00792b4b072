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

MAX_NAME_LENGTH = 512
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


CleanText = Annotated[str, AfterValidator(_no_control_characters)]
Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH),
    AfterValidator(_no_control_characters),
    AfterValidator(_has_text),
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
    dob: ShortText | None = Field(default=None, description='"1986-12-08", "1986-12" or "1986"')
    country: ShortText | None = Field(default=None, description="Country name or ISO code")
    nationality: ShortText | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)
    address: Annotated[CleanText, Field(max_length=512)] | None = Field(
        default=None, description="Kept in the audit trail; not used for matching"
    )
    lists: list[ListCode] | None = Field(
        default=None, min_length=1, description="Lists to screen against; default all"
    )
    threshold: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)
    limit: int = Field(default=10, ge=1, le=100)
    truncated: bool | None = Field(
        default=None,
        description=(
            "Whether a field's length limit cut the name. Default: a name of 34-35, 69-70 or "
            "139-140 characters (SWIFT/Fedwire name lines, ISO 20022) is also compared with "
            "each list name cut the same way"
        ),
    )
    reference: Annotated[CleanText, Field(max_length=128)] | None = Field(
        default=None, description="The caller's payment or customer id, stored with the decision"
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


class ScreenResponse(ScreeningResult):
    """The engine's result plus the audit id and timing."""

    screening_id: str = Field(description="UUID of the audited decision (GET /v1/screenings/{id})")
    reference: str | None = None
    took_ms: float


class BulkScreenResponse(BaseModel):
    bulk_id: str
    took_ms: float
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


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern="^(screen|admin)$", examples=["screen"])
    name: Annotated[CleanText, Field(max_length=128)] = ""


class ApiKeyCreated(ApiKeyOut):
    token: str = Field(description="the secret; shown only now, store it safely")
