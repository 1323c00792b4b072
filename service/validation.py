"""The checks every entry point applies to what a user typed: one name limit, real dates, names with text.

The HTTP models, the CLI (one name or JSON lines) and batch rows all call these,
so a value refused in one place is refused everywhere, in the same words. An
error message quotes at most a short prefix of the input (`quote_prefix`): a
10 MB field must never come back whole in an error or a log line.
"""

from __future__ import annotations

import re

from screening.evidence import parse_date

MAX_NAME_LENGTH = 512  # the longest name any entry point accepts (API, CLI, JSON lines, batch rows)
QUOTE_CHARS = 60  # how much of an input an error message repeats
DOB_FORMATS = "YYYY-MM-DD, YYYY-MM, YYYY, DD/MM/YYYY or '8 Dec 1986'"
_NOT_TEXT = re.compile("[\ud800-\udfff]")  # lone surrogates: undecodable bytes or broken escapes


def quote_prefix(value: object, limit: int = QUOTE_CHARS) -> str:
    """`repr` of the value, or of its first `limit` characters with the full length when longer."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None: a NUL (PostgreSQL text refuses it) or a lone
    surrogate (not encodable as UTF-8). Either was a 500 from the database; now a 422 naming the field."""
    bad = _UNSTORABLE.search(value)
    if bad is None:
        return None
    what = "a NUL character" if bad.group() == "\x00" else "not valid text (a lone surrogate)"
    return f"contains {what} (U+{ord(bad.group()):04X}) at position {bad.start()}"


def name_problem(value: str) -> str | None:
    """Why `value` cannot be screened as a name, or None.

    A name with no letter or digit at all (zero-width or bidi controls, punctuation,
    emoji) would be screened as nothing and answered "clear": refused instead.
    """
    if not value.strip():
        return "must contain at least one non-space character"
    if len(value) > MAX_NAME_LENGTH:
        return f"is {len(value):,} characters long; at most {MAX_NAME_LENGTH} are allowed"
    bad = _NOT_TEXT.search(value)
    if bad:
        return f"is not valid text (U+{ord(bad.group()):04X} at position {bad.start()}: undecodable bytes?)"
    if not any(char.isalnum() for char in value):
        return "has no letter or digit (only punctuation, symbols, emoji or invisible characters)"
    return None


def dob_problem(value: str) -> str | None:
    """Why `value` is not a (full or partial) date of birth the engine can compare, or None."""
    if parse_date(value) is None:
        return f"{quote_prefix(value)} is not a date; use {DOB_FORMATS}"
    return None
