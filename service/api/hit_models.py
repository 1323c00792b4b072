"""What the review room adds to a screening answer: each match's accept state, known true matches, alerts.

Apart from service.api.models (which imports these) so both can be imported without a cycle.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from screening.query import Match


class ReviewedMatch(Match):
    """A match as answered: with its designation's content hash and whether an accept entry covers it."""

    designation_hash: str | None = Field(default=None, description="content hash of the designation matched")
    suppressed: bool = Field(default=False, description="an active accept entry covers this hit: no alert")
    accept_id: str | None = None


class KnownTrueMatch(BaseModel):
    alert_id: str
    entity_id: str
    matched_name: str | None = None
    closed_at: datetime | None = None


class AlertRef(BaseModel):
    alert_id: str
    entity_id: str
    status: str
    new: bool = Field(description="opened by this screening (false: the same hit is already an alert)")
