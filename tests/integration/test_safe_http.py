"""The SSRF-safe fetch against a real server on 127.0.0.1 (and addresses it must refuse).

Refused addresses are refused *before* any connection is made, so these tests need no
network: 10.0.0.1 or 169.254.169.254 are never actually contacted.
"""

from __future__ import annotations

import time

import pytest

from integrations.safe_http import (
    BadStatus,
    DeadlineExceeded,
    FetchError,
    FetchLimits,
    TooLarge,
    UnsafeURL,
    fetch,
    normalize_url,
)

from .ics_server import (
    CutShort,
    Dribble,
    GzipBomb,
    Huge,
    IcsServer,
    Redirect,
    Slow,
    Static,
    Status,
    corpus,
)

BODY = corpus("sync_week.ics")


@pytest.fixture(scope="module")
def server():
    with IcsServer() as running:
        yield running


def test_fetches_a_feed_with_its_validators(server):
    url = server.route("/ok.ics", Static(BODY))
    got = fetch(url, allow_loopback=True)
    assert (got.status, got.body) == (200, BODY)
    assert got.etag and got.last_modified
    headers = server.hits("/ok.ics")[-1]
    assert headers["User-Agent"].startswith("Cadre")
    assert "If-None-Match" not in headers


def test_conditional_get_gets_a_304_without_body(server):
    url = server.route("/cond.ics", Static(BODY))
    first = fetch(url, allow_loopback=True)
    again = fetch(url, etag=first.etag, last_modified=first.last_modified, allow_loopback=True)
    assert again.not_modified and again.body == b""
    sent = server.hits("/cond.ics")[-1]
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified


def test_last_modified_alone_makes_the_request_conditional(server):
    url = server.route("/lm.ics", Static(BODY))
    first = fetch(url, allow_loopback=True)
    assert fetch(url, last_modified=first.last_modified, allow_loopback=True).not_modified


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("webcal://example.org/cal.ics", "https://example.org/cal.ics"),
        ("WEBCAL://example.org", "https://example.org/"),
        ("https://example.org/a.ics?k=1#frag", "https://example.org/a.ics?k=1"),
        ("  http://example.org/a.ics ", "http://example.org/a.ics"),
    ],
)
def test_webcal_is_https_and_fragments_are_dropped(given, expected):
    assert normalize_url(given) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/a.ics",
        "file:///etc/passwd",
        "gopher://x/",
        "javascript:alert(1)",
        "example.org/a.ics",
        "http:///a.ics",
        "http://[::1",
    ],
)
def test_other_schemes_and_hostless_urls_are_refused(url):
    with pytest.raises(UnsafeURL):
        fetch(url, allow_loopback=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed.ics",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",  # CG-NAT
        "http://0.0.0.0/",
        "http://240.0.0.1/",  # reserved
        "http://[fe80::1]/",  # link-local
        "http://[fd00::1]/",  # unique local
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped
    ],
)
def test_private_addresses_are_refused_even_when_loopback_is_allowed(url):
    with pytest.raises(UnsafeURL, match="private, local or reserved"):
        fetch(url, allow_loopback=True, limits=FetchLimits(deadline_s=2))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "127.1"])
def test_loopback_is_refused_unless_allowed(server, host):
    url = server.route("/loop.ics", Static(BODY)).replace("127.0.0.1", host)
    with pytest.raises(UnsafeURL):
        fetch(url)


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/feed.ics",
        "http://169.254.169.254/latest/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_redirects_to_private_addresses_are_refused(server, target):
    url = server.route("/to-private", Redirect(target))
    with pytest.raises(UnsafeURL, match="private, local or reserved"):
        fetch(url, allow_loopback=True)


def test_redirects_to_other_schemes_are_refused(server):
    url = server.route("/to-file", Redirect("file:///etc/passwd", status=301))
    with pytest.raises(UnsafeURL, match="redirect"):
        fetch(url, allow_loopback=True)


def test_redirects_are_followed_and_checked_hop_by_hop(server):
    server.route("/final.ics", Static(BODY))
    server.route("/hop2", Redirect("/final.ics", status=307))
    url = server.route("/hop1", Redirect(server.url("/hop2"), status=301))
    got = fetch(url, allow_loopback=True)
    assert got.body == BODY and got.url.endswith("/final.ics")


def test_redirect_loops_stop(server):
    url = server.route("/loop", Redirect("/loop"))
    with pytest.raises(BadStatus, match="redirects"):
        fetch(url, allow_loopback=True)
    assert len(server.hits("/loop")) == FetchLimits().max_redirects + 1


def test_proxy_environment_is_ignored(server, monkeypatch):
    # If the environment were trusted, this request would go to a proxy that is not there.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    url = server.route("/proxied.ics", Static(BODY))
    assert fetch(url, allow_loopback=True).body == BODY


@pytest.mark.parametrize(
    "behaviour",
    [Huge(), Huge(declare=True), GzipBomb()],
    ids=["50MB-undeclared", "50MB-declared", "gzip-bomb"],
)
def test_bodies_over_the_cap_are_refused_without_reading_them_all(server, behaviour):
    url = server.route("/huge", behaviour)
    started = time.monotonic()
    with pytest.raises(TooLarge, match="larger than 10 MB"):
        fetch(url, allow_loopback=True)
    assert time.monotonic() - started < 5


def test_the_cap_is_configurable(server):
    url = server.route("/small-cap.ics", Static(BODY))
    with pytest.raises(TooLarge):
        fetch(url, allow_loopback=True, limits=FetchLimits(max_bytes=100))


@pytest.mark.parametrize(
    "behaviour",
    [Dribble(interval_s=0.02), Dribble(interval_s=0.02, headers=True), Slow(Static(BODY), 5)],
    ids=["dribbled-body", "dribbled-headers", "late-answer"],
)
def test_the_deadline_covers_the_whole_exchange(server, behaviour):
    url = server.route("/slow", behaviour)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"longer than 0\.4 s"):
        fetch(url, allow_loopback=True, limits=FetchLimits(deadline_s=0.4, read_timeout_s=5))
    # Each byte arrives well within the read timeout: only the total deadline stops it.
    assert time.monotonic() - started < 1.5


def test_a_body_cut_short_is_an_error(server):
    url = server.route("/cut", CutShort(BODY, keep=100))
    with pytest.raises(FetchError, match="before the whole feed arrived"):
        fetch(url, allow_loopback=True)


@pytest.mark.parametrize("status", [401, 404, 410, 500, 503])
def test_http_errors_name_the_status(server, status):
    url = server.route(f"/status-{status}", Status(status))
    with pytest.raises(BadStatus, match=f"HTTP {status}") as caught:
        fetch(url, allow_loopback=True)
    assert caught.value.status == status


def test_connection_refused_is_readable():
    with pytest.raises(FetchError, match="could not connect"):
        fetch("http://127.0.0.1:9/feed.ics", allow_loopback=True)


def test_unknown_host_is_readable():
    with pytest.raises(FetchError, match="could not be found"):
        fetch("https://calendar.invalid/feed.ics")
