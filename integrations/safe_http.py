"""Fetching a URL an owner typed in, without letting it reach inside our network.

An ICS link is user input pointing anywhere: ``http://169.254.169.254/`` (cloud metadata),
``http://10.0.0.5:6379/`` (an internal Redis), a host whose DNS answers ``127.0.0.1``, or a
public page that redirects to one of those. ``fetch`` refuses all of them:

* only ``http``/``https`` (``webcal://`` is read as ``https://``), on the first URL and on
  every redirect, which we follow ourselves so each hop is checked;
* requests-hardened resolves the host, refuses private, loopback, link-local, CG-NAT and
  reserved addresses (IPv4-mapped IPv6 too) and connects to the address it checked, so a
  DNS answer cannot change between the check and the connection;
* proxy variables, ``.netrc`` and CA-bundle overrides from the environment are ignored
  (``trust_env = False``): a proxy would make the address check meaningless;
* the body is streamed and capped *after* decompression, which also defeats gzip bombs;
* a total deadline covers the whole exchange. Socket timeouts bound each read, not the
  sum: a server sending one byte every few seconds would never trip them. A watchdog
  shuts the sockets down when the deadline passes, which unblocks any pending read;
* ``ETag``/``Last-Modified`` are sent back so an unchanged feed costs a 304.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests_hardened import Config, HTTPSession  # type: ignore[import-untyped]
from requests_hardened.ip_filter import InvalidIPAddress  # type: ignore[import-untyped]
from requests_hardened.ip_filter_adapter import IPFilterAdapter  # type: ignore[import-untyped]
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

USER_AGENT = "Cadre-Calendar-Sync/1.0"
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How much a single fetch may cost. Tests pass small values to stay fast."""

    max_bytes: int = 10 * 1024 * 1024
    deadline_s: float = 30.0
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 15.0
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: ``status`` 200 with ``body``, or 304 (``not_modified``) with no body."""

    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """The server says our copy (named by the ETag / date we sent) is current."""
        return self.status == 304


class FetchError(Exception):
    """A fetch that failed; ``str(error)`` is a sentence meant for the owner."""


class UnsafeURL(FetchError):
    """The URL, or a redirect, points somewhere we refuse to go."""


class TooLarge(FetchError):
    """The body is bigger than ``FetchLimits.max_bytes``."""


class DeadlineExceeded(FetchError):
    """The whole exchange took longer than ``FetchLimits.deadline_s``."""


class BadStatus(FetchError):
    """The server answered with an HTTP error (or a redirect we could not follow)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def normalize_url(url: str) -> str:
    """The URL to fetch: ``webcal://`` becomes ``https://``; anything but http(s) is refused."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("http", "https"):
        shown = parts.scheme or "no scheme"
        raise UnsafeURL(f"only http, https and webcal links are accepted, not {shown}")
    if not parts.hostname:
        raise UnsafeURL("the link has no host name")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    allow_loopback: bool = False,
    limits: FetchLimits | None = None,
) -> Fetched:
    """GET ``url`` safely (see the module docstring). Raises ``FetchError`` on any failure.

    ``etag``/``last_modified`` from a previous response make the request conditional.
    ``allow_loopback`` lets 127.0.0.0/8 and ::1 through (tests only); every other private
    or reserved range stays refused.
    """
    limits = limits or FetchLimits()
    current = normalize_url(url)
    headers = {"Accept": "text/calendar, text/plain;q=0.8, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    watchdog = _Watchdog(limits.deadline_s)
    session = _session(allow_loopback, limits)
    _local.watchdog = watchdog
    try:
        watchdog.start()
        for _hop in range(limits.max_redirects + 1):
            response = _get(session, current, headers, watchdog)
            with response:
                if response.status_code in REDIRECT_CODES:
                    current = _next_hop(current, response)
                    continue
                return _read(response, current, limits, watchdog)
        raise BadStatus(310, f"more than {limits.max_redirects} redirects")
    finally:
        _local.watchdog = None
        watchdog.stop()
        session.close()
        watchdog.close()


def _get(
    session: requests.Session, url: str, headers: Mapping[str, str], watchdog: _Watchdog
) -> requests.Response:
    host = urlsplit(url).hostname or "?"
    try:
        return session.get(url, headers=dict(headers), stream=True, allow_redirects=False)
    except InvalidIPAddress as exc:
        raise UnsafeURL(
            f"refused: {host} is a private, local or reserved address ({exc})"
        ) from None
    except requests.RequestException as exc:
        raise _transport_error(exc, host, watchdog) from None


def _next_hop(current: str, response: requests.Response) -> str:
    location = response.headers.get("Location")
    if not location:
        raise BadStatus(response.status_code, f"HTTP {response.status_code} without a Location")
    try:
        return normalize_url(urljoin(current, location))
    except UnsafeURL as exc:
        raise UnsafeURL(f"refused a redirect: {exc}") from None


def _read(
    response: requests.Response, url: str, limits: FetchLimits, watchdog: _Watchdog
) -> Fetched:
    status = response.status_code
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    if status == 304:
        return Fetched(url, 304, b"", etag, modified)
    if status != 200:
        reason = response.reason or ""
        raise BadStatus(status, f"the server answered HTTP {status} {reason}".strip())
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise TooLarge(f"the feed is larger than {_megabytes(limits.max_bytes)}")
    chunks: list[bytes] = []
    size = 0
    host = urlsplit(url).hostname or "?"
    try:
        # Decoded chunks: the cap applies to what we would parse, not to the wire size.
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limits.max_bytes:
                raise TooLarge(f"the feed is larger than {_megabytes(limits.max_bytes)}")
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise _transport_error(exc, host, watchdog) from None
    # A shut-down socket can also look like a clean end of a body without Content-Length.
    if watchdog.fired:
        raise _deadline(watchdog)
    return Fetched(url, 200, b"".join(chunks), etag, modified)


def _transport_error(exc: requests.RequestException, host: str, watchdog: _Watchdog) -> FetchError:
    if watchdog.fired:
        return _deadline(watchdog)
    if isinstance(exc, requests.Timeout):
        return FetchError(f"the server at {host} did not answer in time")
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError(f"secure connection to {host} failed (certificate or TLS error)")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return FetchError(
            f"the server at {host} closed the connection before the whole feed arrived"
        )
    if isinstance(exc, requests.ConnectionError):
        cause = str(exc)
        if "resolve" in cause or "NameResolution" in cause:
            return FetchError(f"the host name {host} could not be found")
        if "IncompleteRead" in cause or "closed" in cause.lower():
            return FetchError(
                f"the server at {host} closed the connection before the whole feed arrived"
            )
        return FetchError(f"could not connect to {host}")
    return FetchError(f"could not fetch the feed from {host} ({type(exc).__name__})")


def _deadline(watchdog: _Watchdog) -> DeadlineExceeded:
    return DeadlineExceeded(f"the feed took longer than {watchdog.seconds:g} s to download")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


# --- the session -------------------------------------------------------------------------


DEADLINE_GRACE_S = 1.0


def _session(allow_loopback: bool, limits: FetchLimits) -> requests.Session:
    # Socket timeouts sit just past the deadline: the watchdog is the one authority on
    # "too long", so a busy machine cannot turn a deadline into a vaguer timeout error.
    past_deadline = limits.deadline_s + DEADLINE_GRACE_S
    timeout = (
        min(limits.connect_timeout_s, past_deadline),
        min(limits.read_timeout_s, past_deadline),
    )
    config = Config(
        ip_filter_enable=True,
        ip_filter_allow_loopback_ips=allow_loopback,
        never_redirect=True,
        default_timeout=timeout,
        user_agent_override=USER_AGENT,
    )
    session: requests.Session = HTTPSession(config)
    session.trust_env = False
    for prefix, https in (("http://", False), ("https://", True)):
        session.mount(prefix, _WatchedAdapter(is_https_proto=https, allow_loopback=allow_loopback))
    return session


class _Watchdog:
    """Shuts down every socket of one fetch when its deadline passes.

    It keeps a ``dup`` of each socket: shutting down a duplicate ends the TCP connection
    for every descriptor (including the one a TLS wrapper took over), and since the
    duplicates are ours, a descriptor number can never be reused under our feet.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            duplicate = sock.dup()
            self._sockets.append(duplicate)
            if self.fired:
                duplicate.shutdown(socket.SHUT_RDWR)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the peer: nothing left to interrupt

    def stop(self) -> None:
        self._timer.cancel()

    def close(self) -> None:
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


_local = threading.local()


def _track(sock: socket.socket) -> socket.socket:
    watchdog: _Watchdog | None = getattr(_local, "watchdog", None)
    if watchdog is not None:
        watchdog.track(sock)
    return sock


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _track(super()._new_conn())


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _track(super()._new_conn())


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(IPFilterAdapter):  # type: ignore[misc]
    """requests-hardened's address filter, with connections the watchdog can see."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }
