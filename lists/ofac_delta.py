"""Apply OFAC delta files (designations published after a full snapshot) on top of it.

A delta published after the full file adds or replaces entities by source id. A
delta published on or before the full file is ignored with a warning: the later
full file already contains (or deliberately no longer contains) those entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from lists.parsed import ListFormatError, ParsedList


def merge_deltas(full: ParsedList, deltas: Sequence[ParsedList]) -> ParsedList:
    """The full list with each newer delta applied in publish-date order."""
    merged = {d.source_id: d for d in full.designations}
    warnings = list(full.warnings)
    stats = dict(full.stats)
    source_files = list(full.source_files)
    publish_date = full.publish_date
    added = replaced = 0

    def order(delta: ParsedList) -> str:
        return delta.publish_date or ""

    for delta in sorted(deltas, key=order):
        where = ", ".join(f.path for f in delta.source_files) or "delta"
        if delta.list_code != full.list_code:
            raise ListFormatError(where, f"delta for list {delta.list_code} cannot apply to {full.list_code}")
        if full.publish_date and delta.publish_date and delta.publish_date <= full.publish_date:
            warnings.append(
                f"delta {where} published {delta.publish_date} ignored: the full file "
                f"published {full.publish_date} supersedes it"
            )
            stats["deltas_ignored"] = stats.get("deltas_ignored", 0) + 1
            continue
        if not full.publish_date or not delta.publish_date:
            warnings.append(f"delta {where} applied without publish dates to compare (assumed newer)")
        for designation in delta.designations:
            if designation.source_id in merged:
                replaced += 1
            else:
                added += 1
            merged[designation.source_id] = designation
        warnings.extend(f"delta: {w}" for w in delta.warnings)
        source_files.extend(delta.source_files)
        stats["deltas_applied"] = stats.get("deltas_applied", 0) + 1
        if delta.publish_date and (publish_date is None or delta.publish_date > publish_date):
            publish_date = delta.publish_date

    stats["delta_added"] = added
    stats["delta_replaced"] = replaced
    return ParsedList(
        list_code=full.list_code,
        designations=list(merged.values()),
        source_files=source_files,
        publish_date=publish_date,
        warnings=warnings,
        stats=stats,
    )
