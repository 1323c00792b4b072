"""Test helpers for monitoring: seeded party files, and a webhook receiver on 127.0.0.1.

The receiver is a real HTTP server (http.server in a thread) that records every
request (headers and raw body) and can be stopped and started again on the
same port, to play a receiver that is down for a while.
"""

from __future__ import annotations

import csv
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson

NAMED_PARTIES = [
    # (party id, name, type, dob, country): the January 2025 designations, as a bank files them
    ("NAMED-1", "Sichuan Juxinhe Network Tech Co Ltd", "entity", "", "CN"),
    ("NAMED-2", "YIN, Kecheng", "person", "1986-12-08", "CN"),
    ("NAMED-3", "Integrity Tech Group Inc", "entity", "", "CN"),
]
NAMED_HITS = {"NAMED-1": "ofac:52749", "NAMED-2": "ofac:52747", "NAMED-3": "ofac:50543"}
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL"]


def faker_rows(count: int, seed: int = 19) -> list[tuple[str, str, str, str, str]]:
    """`count` seeded parties (persons and companies of several locales): id, name, type, dob, country."""
    from faker import Faker

    fake = Faker(LOCALES)
    Faker.seed(seed)
    rows = []
    for i in range(count):
        if i % 3 == 0:
            rows.append((f"F-{i:07d}", fake.company(), "entity", "", fake.current_country_code()))
        else:
            dob = fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat()
            rows.append((f"F-{i:07d}", fake.name(), "person", dob, fake.current_country_code()))
    return rows


def write_parties_csv(path: Path, count: int, seed: int = 19, named: bool = True) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "full_name", "party_type", "birth_date", "country", "segment"])
        for i, row in enumerate([*(NAMED_PARTIES if named else []), *faker_rows(count, seed)]):
            writer.writerow([*row, "retail" if i % 2 else "corporate"])
    return path


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return orjson.loads(self.body)


class Receiver:
    """A webhook receiver on 127.0.0.1 that records requests; stop() and start() keep the port."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self.port = 0

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                if 300 <= receiver.status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def start(self) -> Receiver:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.allow_reuse_address = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def events(self, event_type: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if event_type is None or r.json()["type"] == event_type]
