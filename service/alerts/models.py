"""Alerts as the API, the CLI and the review pages see them (pydantic mirrors of the tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AlertEvent(BaseModel):
    """One step of an alert's history (append-only)."""

    event_id: int
    alert_id: str
    at: datetime
    actor: str | None = None
    action: str
    from_status: str | None = None
    to_status: str | None = None
    note: str | None = None
    data: dict[str, Any] | None = None


class Alert(BaseModel):
    """A possible match of one party with one designation, as the designation was when it opened."""

    alert_id: str
    party_id: str | None = None
    subject: dict[str, Any]
    entity_id: str
    list_code: str
    designation_hash: str
    matched_name: str
    score: float
    result: dict[str, Any]
    list_versions: dict[str, Any]
    source: str
    screening_id: str | None = None
    status: str
    outcome: str | None = None
    assigned_to: str | None = None
    created_at: datetime
    updated_at: datetime
    history: list[AlertEvent] = Field(default_factory=list)


class AlertPage(BaseModel):
    items: list[Alert]
    total: int
    limit: int
    offset: int
