"""Request and response bodies of the review endpoints: users, alerts' decisions, the accept list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.api.hit_models import AlertRef, KnownTrueMatch, ReviewedMatch
from service.api.models import CleanText

__all__ = ["AlertRef", "KnownTrueMatch", "ReviewedMatch"]

Note = Annotated[CleanText, Field(min_length=1, max_length=4000)]
UserName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$", examples=["ana"])]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: UserName
    role: Literal["analyst", "approver", "admin"]


class UserOut(BaseModel):
    name: str
    role: str
    created_at: datetime
    created_by: str | None
    disabled_at: datetime | None


class UserKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[CleanText, Field(max_length=128)] = ""


class AcceptEventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    note: str | None = None


class AcceptOut(BaseModel):
    accept_id: str
    party_id: str | None
    name_key: str | None
    dob: str | None
    country: str | None
    entity_id: str
    list_code: str
    designation_hash: str
    created_by: str
    approved_by: str | None
    alert_id: str | None
    note: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    active: bool
    history: list[AcceptEventOut]


class AcceptPageOut(BaseModel):
    items: list[AcceptOut]
    total: int
    limit: int
    offset: int


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["true_match", "false_positive", "escalated"]
    note: Note


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "send_back"]
    note: Note | None = Field(default=None, description="required to send back")


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assigned_to: UserName | None = Field(description="a user name; null to unassign")
    note: Note | None = None


class AlertEventOut(BaseModel):
    event_id: int | None = None
    at: datetime
    actor: str | None
    action: str
    from_status: str | None
    to_status: str | None
    note: str | None
    data: dict[str, Any] | None = None


class ReviewedAlertOut(BaseModel):
    """An alert with its review state: the pending proposal (if any) and its whole history."""

    alert_id: str
    party_id: str | None
    subject: dict[str, Any]
    entity_id: str
    list_code: str
    designation_hash: str
    matched_name: str
    score: float
    result: dict[str, Any]
    list_versions: dict[str, Any]
    source: str
    screening_id: str | None
    status: str
    outcome: str | None
    assigned_to: str | None
    created_at: datetime
    updated_at: datetime
    proposal: dict[str, Any] | None = Field(
        default=None, description="the pending proposal: outcome, by, at, note (status proposed)"
    )
    history: list[AlertEventOut]
