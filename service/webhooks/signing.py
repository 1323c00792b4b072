"""Signing webhook requests, and how a receiver checks them.

What is signed: the UTF-8 bytes of `"<timestamp>.<raw body>"`, where `<timestamp>`
is the `X-Sanctions-Timestamp` header (Unix seconds, decimal) and `<raw body>` the
request body exactly as received. The header `X-Sanctions-Signature` is
`sha256=<hex HMAC-SHA256(secret, that string)>`. Signing the timestamp with the
body lets a receiver reject replays: a captured request cannot be re-sent with a
fresh timestamp without the secret. A receiver should:

1. recompute the HMAC over `timestamp + "." + body` with its secret and compare in
   constant time (`hmac.compare_digest`);
2. reject a timestamp more than a few minutes (TOLERANCE_SECONDS) from its clock;
3. drop an `X-Sanctions-Event-Id` (= the body's "id") it has already processed:
   delivery is at-least-once, and a retry re-sends the same event (same id and
   body, with a new timestamp and signature).
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Sanctions-Signature"
TIMESTAMP_HEADER = "X-Sanctions-Timestamp"
EVENT_ID_HEADER = "X-Sanctions-Event-Id"
EVENT_TYPE_HEADER = "X-Sanctions-Event"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, timestamp + "." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    tolerance: float = TOLERANCE_SECONDS,
    at: float | None = None,
) -> bool:
    """A receiver's check: the signature matches and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((at if at is not None else time.time()) - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)
