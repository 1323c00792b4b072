"""Country names as lists write them ("Korea, North", "Burma", "Region: Gaza") to ISO 3166 codes.

Uses rigour's maintained territory table rather than a hand-written one.
"""

from __future__ import annotations

from functools import lru_cache

from rigour.territories import lookup_territory


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code (upper case) for a country name or code, or None if unknown."""
    if not name or not name.strip():
        return None
    territory = lookup_territory(name.strip())
    if territory is None:
        return None
    code = territory.ftm_country or territory.code
    return code.upper() if code and len(code) == 2 else None
