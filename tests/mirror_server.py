"""Test helper: a real HTTP server on 127.0.0.1 serving a copy of the bundled list files as a mirror.

Laid out as SANCTIONS_MIRROR expects (`<list>/<official file name>`), with
strong ETags (the content's sha256) and Last-Modified, answering 304 to a
matching If-None-Match: the conditional requests `lists update` makes are
exercised for real. Every request is logged (path, status, bytes) for assertions.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import BUNDLED_DATA

MIRRORED = {
    "ofac": ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"],
    "ofac-nonsdn": ["cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"],
    "un": ["consolidated.xml"],
}


def build_mirror(root: Path) -> Path:
    """A writable copy of the bundled 2024 OFAC, non-SDN and UN files under `root` (no 2025 delta)."""
    for code, names in MIRRORED.items():
        (root / code).mkdir(parents=True, exist_ok=True)
        for name in names:
            target = root / code / name
            shutil.copyfile(BUNDLED_DATA / code / name, target)
            target.chmod(0o644)
    return root


class MirrorServer:
    """Serves `root` on a free port until stopped; use as a context manager."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[tuple[str, int, int]] = []  # (path, status, body bytes)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:  # quiet test output
                pass

            def do_GET(self) -> None:
                path = (mirror.root / self.path.lstrip("/").split("?", 1)[0]).resolve()
                if mirror.root.resolve() not in path.parents or not path.is_file():
                    mirror._answer(self, 404, b"not found", {})
                    return
                body = path.read_bytes()
                etag = f'"{hashlib.sha256(body).hexdigest()}"'
                headers = {
                    "ETag": etag,
                    "Last-Modified": formatdate(path.stat().st_mtime, usegmt=True),
                    "Content-Type": "application/octet-stream",
                }
                if self.headers.get("If-None-Match") == etag:
                    mirror._answer(self, 304, b"", headers)
                    return
                mirror._answer(self, 200, body, headers)

        return Handler

    def _answer(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if status != 304:
            handler.wfile.write(body)
        with self._lock:
            self.requests.append((handler.path, status, len(body) if status != 304 else 0))

    def start(self) -> MirrorServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
