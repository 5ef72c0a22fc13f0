"""A real HTTP server on 127.0.0.1 serving ICS feeds, with switchable bad behaviours.

Each path gets a behaviour: ``server.route("/a.ics", Static(body))``; the corpus in
``tests/data`` is served under ``/data/<file>`` with an ETag and Last-Modified.
Behaviours cover what real feeds (and hostile ones) do: 304 on a matching ETag, an HTML
login page, a body cut short, a 50 MB body, a gzip bomb, a server that dribbles bytes,
and redirects to private addresses.

Usage::

    with IcsServer() as server:
        server.route("/x.ics", Dribble(interval_s=0.05))
        url = server.url("/x.ics")
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
LAST_MODIFIED = "Mon, 04 Jan 2027 07:00:00 GMT"

Behaviour = Callable[["_Handler"], None]


def corpus(name: str) -> bytes:
    """The bytes of ``tests/data/<name>``."""
    return (DATA / name).read_bytes()


@dataclass
class Static:
    """A normal feed: 200 with ETag/Last-Modified, 304 when the client already has it.

    ``validators=False`` sends neither (many feeds do not), so only the content hash can
    tell that nothing changed.
    """

    body: bytes
    content_type: str = "text/calendar; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = LAST_MODIFIED
    conditional: bool = True
    validators: bool = True

    def __post_init__(self) -> None:
        if not self.validators:
            self.etag = self.last_modified = None
            self.conditional = False
        elif self.etag is None:
            self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def __call__(self, h: _Handler) -> None:
        if self.conditional:
            match = h.headers.get("If-None-Match")
            since = h.headers.get("If-Modified-Since")
            if (match and match == self.etag) or (not match and since == self.last_modified):
                h.send_response(304)
                h.send_header("ETag", str(self.etag))
                h.end_headers()
                return
        h.send_response(200)
        h.send_header("Content-Type", self.content_type)
        h.send_header("Content-Length", str(len(self.body)))
        if self.etag:
            h.send_header("ETag", self.etag)
        if self.last_modified:
            h.send_header("Last-Modified", self.last_modified)
        h.end_headers()
        h.wfile.write(self.body)


def html_page() -> Static:
    """What a feed URL often returns once its secret has been revoked: a login page."""
    body = b"<!doctype html><html><head><title>Sign in</title></head><body>Sign in</body></html>"
    return Static(body, content_type="text/html; charset=utf-8", conditional=False)


@dataclass
class CutShort:
    """Announces the whole body in Content-Length, sends ``keep`` bytes, hangs up."""

    body: bytes
    keep: int

    def __call__(self, h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/calendar")
        h.send_header("Content-Length", str(len(self.body)))
        h.end_headers()
        h.wfile.write(self.body[: self.keep])
        h.close_connection = True


@dataclass
class Huge:
    """``size`` bytes of calendar-looking text; with ``declare`` the length is announced."""

    size: int = 50 * 1024 * 1024
    declare: bool = False

    def __call__(self, h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/calendar")
        if self.declare:
            h.send_header("Content-Length", str(self.size))
        h.end_headers()
        line = b"X-FILLER:" + b"x" * 1014 + b"\r\n"  # 1 KiB lines
        chunk = b"BEGIN:VCALENDAR\r\n" + line * 1023
        sent = 0
        while sent < self.size and not h.server.stopping.is_set():  # type: ignore[attr-defined]
            piece = chunk[: self.size - sent]
            h.wfile.write(piece)
            sent += len(piece)


@dataclass
class GzipBomb:
    """A small gzip body that inflates to ``size`` bytes."""

    size: int = 50 * 1024 * 1024
    _payload: bytes = field(default=b"", init=False)

    def __call__(self, h: _Handler) -> None:
        if not self._payload:
            self._payload = gzip.compress(b"BEGIN:VCALENDAR\r\n" + b"\0" * self.size)
        h.send_response(200)
        h.send_header("Content-Type", "text/calendar")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(self._payload)))
        h.end_headers()
        h.wfile.write(self._payload)


@dataclass
class Dribble:
    """Sends ``body`` one byte every ``interval_s``; with ``headers`` too, even the headers."""

    body: bytes = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" * 1000
    interval_s: float = 0.05
    headers: bool = False

    def __call__(self, h: _Handler) -> None:
        head = b"HTTP/1.0 200 OK\r\nContent-Type: text/calendar\r\n"
        head += f"Content-Length: {len(self.body)}\r\n\r\n".encode()
        if not self.headers:
            h.wfile.write(head)
            head = b""
        for i in range(len(head) + len(self.body)):
            if h.server.stopping.wait(self.interval_s):  # type: ignore[attr-defined]
                return
            byte = (
                head[i : i + 1] if i < len(head) else self.body[i - len(head) : i - len(head) + 1]
            )
            h.wfile.write(byte)
            h.wfile.flush()


@dataclass
class Redirect:
    """A redirect to ``location`` (absolute, or relative to this server)."""

    location: str
    status: int = 302

    def __call__(self, h: _Handler) -> None:
        h.send_response(self.status)
        h.send_header("Location", self.location)
        h.send_header("Content-Length", "0")
        h.end_headers()


@dataclass
class Status:
    """An HTTP error status with a short text body."""

    status: int

    def __call__(self, h: _Handler) -> None:
        body = f"error {self.status}".encode()
        h.send_response(self.status)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


@dataclass
class Slow:
    """Waits ``delay_s`` before answering like ``inner`` (a response that is late, not dribbled)."""

    inner: Behaviour
    delay_s: float

    def __call__(self, h: _Handler) -> None:
        if h.server.stopping.wait(self.delay_s):  # type: ignore[attr-defined]
            return
        self.inner(h)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits.append((path, dict(self.headers.items())))
        behaviour = self.server.routes.get(path)
        if behaviour is None and path.startswith("/data/") and (DATA / path[6:]).is_file():
            behaviour = Static(corpus(path[6:]))
        if behaviour is None:
            behaviour = Status(404)
        try:
            behaviour(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, deadline): expected in these tests

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Behaviour] = {}
        self.hits: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-response is part of the tests


class IcsServer:
    """The server, started in a thread; ``route`` sets what a path does."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> IcsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, behaviour: Behaviour) -> str:
        """Make ``path`` behave as ``behaviour``; returns its full URL."""
        self._server.routes[path] = behaviour
        return self.url(path)

    def hits(self, path: str) -> list[dict[str, str]]:
        """The request headers of each request made to ``path``, oldest first."""
        return [headers for hit, headers in self._server.hits if hit == path]
