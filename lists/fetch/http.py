"""Downloading one file with httpx: timeouts, bounded retries with backoff, a size cap, conditional requests.

The body is streamed to a file in the caller's temporary folder and hashed on
the way; nothing is parsed here. A 304 (the ETag or Last-Modified we sent still
holds) downloads nothing. Every failure is a FetchError naming the URL and why.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from lists.fetch.config import FetchOptions

RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
USER_AGENT = "sanctions-screening list updater (+https://github.com/)"


class FetchError(Exception):
    """A file could not be downloaded; `url` and `reason` say which and why."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True)
class Validators:
    """What the server said identifies this version of the file (sent back as If-None-Match / If-Modified-Since)."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Download:
    url: str
    not_modified: bool
    validators: Validators
    path: Path | None = None
    size: int = 0
    sha256: str | None = None


def _request_headers(validators: Validators | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    return headers


def _stream_to(response: httpx.Response, url: str, target: Path, max_bytes: int) -> tuple[int, str]:
    declared = response.headers.get("Content-Length")
    if (
        declared
        and declared.isdigit()
        and int(declared) > max_bytes
        and "gzip" not in response.headers.get("Content-Encoding", "")
    ):
        raise FetchError(url, f"the file is {int(declared):,} bytes, over the {max_bytes:,}-byte cap")
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as handle:
        for chunk in response.iter_bytes(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(url, f"the download passed the {max_bytes:,}-byte cap; stopped")
            digest.update(chunk)
            handle.write(chunk)
    if (
        declared
        and declared.isdigit()
        and "Content-Encoding" not in response.headers
        and size != int(declared)
    ):
        raise FetchError(url, f"the connection ended after {size:,} of {int(declared):,} bytes")
    return size, digest.hexdigest()


def download(
    client: httpx.Client,
    url: str,
    target: Path,
    options: FetchOptions,
    validators: Validators | None = None,
) -> Download:
    """Fetch `url` into `target` (or learn it is unchanged), retrying transient failures a bounded number of times."""
    attempts = options.retries + 1
    delay = options.backoff_seconds
    last_reason = "no attempt made"
    for attempt in range(1, attempts + 1):
        try:
            with client.stream("GET", url, headers=_request_headers(validators)) as response:
                if response.status_code == 304 and validators is not None:
                    return Download(url, True, validators)
                if response.status_code in RETRY_STATUSES:
                    last_reason = f"HTTP {response.status_code} {response.reason_phrase}"
                elif response.status_code != 200:
                    raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}")
                else:
                    size, sha256 = _stream_to(response, url, target, options.max_bytes)
                    if size == 0:
                        raise FetchError(url, "the server sent an empty file")
                    found = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
                    return Download(url, False, found, target, size, sha256)
        except httpx.TimeoutException:
            last_reason = f"timed out after {options.timeout_seconds:g} s"
        except httpx.TransportError as exc:
            last_reason = f"cannot connect: {type(exc).__name__}: {exc}"
        if attempt < attempts:
            time.sleep(delay)
            delay *= 2
    raise FetchError(url, f"{last_reason} (after {attempts} attempt{'s' if attempts > 1 else ''})")


def new_client(options: FetchOptions) -> httpx.Client:
    """One client per update run (connection reuse across a list's files); redirects followed, TLS verified."""
    return httpx.Client(timeout=httpx.Timeout(options.timeout_seconds), follow_redirects=True)
