"""The one place the engine reaches into rigour's private `rigour._core` (its Rust extension).

rigour publishes `remove_person_prefixes` but not the list of prefixes it removes, which the
engine needs to know which tokens may be a title ("Mr", "Sheikh", "Colonel") rather than a
name. A private name can move in any rigour release: a change shows up here, with a clear
error, and not at each use. Everything else the engine takes from rigour is public API.
"""

from __future__ import annotations

from importlib.metadata import version


def person_name_prefixes() -> tuple[str, ...]:
    """Every person-name prefix rigour removes, as rigour spells it ("Admiral", "Capt.", "Mr")."""
    try:
        from rigour._core import person_name_prefixes_list
    except ImportError as exc:
        raise ImportError(
            f"rigour {version('rigour')} has no rigour._core.person_name_prefixes_list: "
            "update screening/rigour_private.py for this rigour release"
        ) from exc
    return tuple(person_name_prefixes_list())
