"""The case record of one alert, for a regulator: what was screened, what matched and why, against which
list versions and which designation (as it was then), and every step with its user, time and note.

`build_report` gives the JSON; service.review.pdf renders the same dict for people.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from lists.store_models import DesignationRow, ListVersion
from service.alerts import get_alert
from service.audit import get_screening
from service.review.accepts import Accept, accept_from_row
from service.review.decisions import pending_proposal
from service.review.tables import accepts

SYSTEM_ACTORS = {None, "system"}


def _version(conn: Connection, list_code: str, version_id: Any) -> dict[str, Any]:
    row = conn.execute(select(ListVersion).where(ListVersion.id == int(version_id))).first()
    if row is None:
        return {"list_code": list_code, "version_id": version_id, "retained": False}
    version = row  # a Core row of the list_versions columns
    label = f"{version.list_code}@{version.id}" + (
        f":{version.publish_date.isoformat()}" if version.publish_date else ""
    )
    loaded = version.loaded_at.replace(tzinfo=UTC) if version.loaded_at.tzinfo is None else version.loaded_at
    return {
        "list_code": list_code,
        "version_id": version.id,
        "label": label,
        "publish_date": version.publish_date.isoformat() if version.publish_date else None,
        "loaded_at": loaded.isoformat(),
        "source": version.source,
        "state": version.state,
        "retained": True,
    }


def designation_as_it_was(
    conn: Connection, entity_id: str, list_code: str, version_id: Any, designation_hash: str
) -> tuple[dict[str, Any] | None, str]:
    """(payload, where it came from): at the screened version, else any kept version with the same content."""
    table = DesignationRow.__table__
    if version_id is not None:
        row = conn.execute(
            select(table.c.payload, table.c.content_hash).where(
                table.c.version_id == int(version_id), table.c.entity_id == entity_id
            )
        ).first()
        if row is not None:
            same = (
                "" if row.content_hash == designation_hash else " (its content differs from the alert's hash)"
            )
            return row.payload, f"{list_code} version {version_id}{same}"
    row = conn.execute(
        select(table.c.payload, table.c.version_id)
        .where(table.c.entity_id == entity_id, table.c.content_hash == designation_hash)
        .order_by(table.c.version_id)
        .limit(1)
    ).first()
    if row is not None:
        return (
            row.payload,
            f"{list_code} version {row.version_id}, identical content (hash {designation_hash})",
        )
    return (
        None,
        f"not retained: no kept version of {list_code} holds {entity_id} with hash {designation_hash}",
    )


def _accepts_of(conn: Connection, alert_id: str) -> list[Accept]:
    now = datetime.now(UTC)
    rows = conn.execute(select(accepts).where(accepts.c.alert_id == alert_id).order_by(accepts.c.created_at))
    return [accept_from_row(row, now) for row in rows]


def _screening(engine: Engine, screening_id: str | None) -> dict[str, Any] | None:
    if not screening_id:
        return None
    record = get_screening(engine, screening_id)
    if record is None:
        return {"screening_id": screening_id, "retained": False}
    keep = ("screening_id", "created_at", "endpoint", "api_key_id", "reference", "decision", "threshold")
    return {
        **{k: record.get(k) for k in keep},
        "list_versions": record.get("list_versions"),
        "retained": True,
    }


def build_report(engine: Engine, alert_id: str, generated_by: str | None = None) -> dict[str, Any] | None:
    """The whole case of one alert as a JSON-ready dict; None when there is no such alert."""
    alert = get_alert(engine, alert_id)
    if alert is None:
        return None
    with engine.connect() as conn:
        versions = [_version(conn, code, vid) for code, vid in sorted(alert.list_versions.items())]
        designation, source = designation_as_it_was(
            conn,
            alert.entity_id,
            alert.list_code,
            alert.list_versions.get(alert.list_code),
            alert.designation_hash,
        )
        entries = _accepts_of(conn, alert_id)
    history = [event.model_dump(mode="json") for event in alert.history]
    proposal = pending_proposal(alert)
    summary = alert.model_dump(mode="json", exclude={"history", "subject", "result"})
    return {
        "alert": {**summary, "proposal": proposal.as_dict() if proposal else None},
        "query": alert.subject,
        "match": alert.result,
        "designation_hash": alert.designation_hash,
        "list_versions": versions,
        "designation": designation,
        "designation_source": source,
        "screening": _screening(engine, alert.screening_id),
        "decisions": history,
        "users": sorted({e.actor for e in alert.history if e.actor not in SYSTEM_ACTORS}),  # type: ignore[type-var]
        "accepts": [entry.model_dump(mode="json") for entry in entries],
        "generated_at": datetime.now(UTC).isoformat(),
        "generated_by": generated_by,
    }
