"""Request bodies: the key is checked before the body is read, and each route's limit holds while reading.

Against a real server over raw sockets, so the test sees exactly how much of a
body the server took before answering: an anonymous 50 MB POST is answered 401
(or 413) at once, and a body without Content-Length is cut off at the limit.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.api_server import ApiServer, create_key, load_bundled

FIFTY_MB = 50 * 1024 * 1024
CHUNK = 64 * 1024


def _answer(sock: socket.socket, timeout: float) -> tuple[int, dict]:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        if not part:
            break
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        part = sock.recv(65536)
        if not part:
            break
        body += part
    return int(lines[0].split()[1]), json.loads(body) if body else {}


def _send_until_answered(
    port: int, path: str, headers: dict[str, str], total: int, chunked: bool
) -> tuple[int, dict, int, float]:
    """POST up to `total` body bytes; stop when the server answers. (status, body, bytes sent, seconds)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(total)}
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in {**headers, **framing}.items()
        )
        sock.sendall(head.encode() + b"\r\n")
        sent = 0
        payload = b"[" + b" " * (CHUNK - 1)
        sock.settimeout(0.05)
        try:
            while sent < total:
                piece = payload if sent == 0 else b" " * CHUNK
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
                try:  # has the server answered already?
                    if sock.recv(1, socket.MSG_PEEK):
                        break
                except (TimeoutError, BlockingIOError):
                    pass
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed the connection after its answer: the rest was never read
        status, body = _answer(sock, 30)
    return status, body, sent, time.monotonic() - started


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> ApiServer:
    folder = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{folder / 'store.db'}"
    load_bundled(url, ["internal"])
    _, token = create_key(url, "screen")
    with ApiServer(url, folder, {"SANCTIONS_REQUIRED_LISTS": "internal"}) as running:
        running.token = token  # type: ignore[attr-defined]
        yield running


@pytest.mark.parametrize("path", ["/v1/screen", "/v1/screen/bulk", "/v1/batches"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_anonymous_50_mb_post_is_refused_without_reading_it(
    server: ApiServer, path: str, chunked: bool
) -> None:
    status, body, sent, seconds = _send_until_answered(
        server.port, path, {"Content-Type": "application/json"}, FIFTY_MB, chunked
    )
    assert status in (401, 413), body
    assert body["error"] in ("unauthenticated", "body_too_large")
    assert seconds < 10
    assert sent < 16 * 1024 * 1024  # answered long before the 50 MB went out (socket buffers aside)


@pytest.mark.parametrize(("path", "limit"), [("/v1/screen", 64 * 1024), ("/v1/screen/bulk", 4 * 1024 * 1024)])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_authenticated_body_over_the_route_limit_gets_413_naming_it(
    server: ApiServer, path: str, limit: int, chunked: bool
) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {server.token}"}  # type: ignore[attr-defined]
    status, body, sent, seconds = _send_until_answered(server.port, path, headers, FIFTY_MB, chunked)
    assert status == 413, body
    assert body["error"] == "body_too_large" and str(limit) in body["detail"]
    assert sent < limit + 16 * 1024 * 1024 and seconds < 10


def test_bodies_within_the_limits_are_served(server: ApiServer) -> None:
    server.wait_ready(timeout=120)
    with server.client(server.token) as client:  # type: ignore[attr-defined]
        padded = {"name": "Shanghai Anxun Information Technology", "reference": "r" * 100}
        assert client.post("/v1/screen", json=padded).status_code == 200
        bulk = {"queries": [{"name": f"Someone Number {i}", "reference": f"{i:060d}"} for i in range(1000)]}
        assert len(json.dumps(bulk)) > 64 * 1024  # over the single-screen limit, under the bulk one
        assert client.post("/v1/screen/bulk", json=bulk).status_code == 200
