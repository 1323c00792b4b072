"""One designation across the kept versions of its list: when it appeared, changed, or left.

The store keeps every version's designations whole (lists/store.py), so the
history of an entity is read from those rows: the version's content hash says
whether it changed, and the payloads say which fields did.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select

from lists.store import Store
from lists.store_models import DesignationRow, ListVersion, VersionState

Change = Literal["listed", "changed", "unchanged", "removed"]


class EntityVersion(BaseModel):
    """The entity in one version of its list (oldest first in a history)."""

    version_id: int
    label: str
    publish_date: date | None
    loaded_at: datetime
    state: str
    change: Change
    changed_fields: list[str]  # top-level fields that differ from the previous version holding it
    primary_name: str | None  # None when the entity is absent from this version


def _label(list_code: str, version_id: int, publish_date: date | None) -> str:
    base = f"{list_code}@{version_id}"
    return f"{base}:{publish_date.isoformat()}" if publish_date else base


def _changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def entity_history(store: Store, entity_id: str) -> list[EntityVersion]:
    """Every kept, complete version of the entity's list, oldest first, with what happened to it there.

    Versions that failed or are still loading hold no designations and are left out.
    An entity id without a list prefix, or of a list with no versions, has no history.
    """
    list_code = entity_id.split(":", 1)[0]
    with store.engine.connect() as conn:
        versions = conn.execute(
            select(ListVersion.id, ListVersion.publish_date, ListVersion.loaded_at, ListVersion.state)
            .where(
                ListVersion.list_code == list_code,
                ListVersion.state.in_([VersionState.ACTIVE.value, VersionState.SUPERSEDED.value]),
            )
            .order_by(ListVersion.id)
        ).all()
        rows = {
            row.version_id: row
            for row in conn.execute(
                select(
                    DesignationRow.version_id,
                    DesignationRow.primary_name,
                    DesignationRow.content_hash,
                    DesignationRow.payload,
                ).where(DesignationRow.entity_id == entity_id)
            )
        }
    history: list[EntityVersion] = []
    previous: Any = None
    for version in versions:
        row = rows.get(version.id)
        if row is None:
            change: Change | None = "removed" if previous is not None else None
            fields: list[str] = []
        elif previous is None:
            change, fields = "listed", []
        elif previous.content_hash == row.content_hash:
            change, fields = "unchanged", []
        else:
            change, fields = "changed", _changed_fields(previous.payload, row.payload)
        previous = row
        if change is None:  # not yet listed in this version
            continue
        history.append(
            EntityVersion(
                version_id=version.id,
                label=_label(list_code, version.id, version.publish_date),
                publish_date=version.publish_date,
                loaded_at=version.loaded_at,
                state=version.state,
                change=change,
                changed_fields=fields,
                primary_name=row.primary_name if row is not None else None,
            )
        )
    return history


def primary_names(store: Store, version_id: int, entity_ids: list[str]) -> dict[str, str]:
    """Entity id -> primary name in one version, for showing a diff's ids with their names."""
    names: dict[str, str] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(entity_ids), 500):
            chunk = entity_ids[start : start + 500]
            rows = conn.execute(
                select(DesignationRow.entity_id, DesignationRow.primary_name).where(
                    DesignationRow.version_id == version_id, DesignationRow.entity_id.in_(chunk)
                )
            )
            names.update({entity_id: name for entity_id, name in rows})
    return names
