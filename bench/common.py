"""Helpers shared by the benchmarks: percentiles, a keep-alive load generator, the machine.

The load generator is plain Python (threads, one ``http.client`` keep-alive connection
each) so the benchmarks run anywhere without ``wrk``. It only ever talks to 127.0.0.1,
and stops at whichever comes first: ``max_requests`` or ``duration_s``.
"""

from __future__ import annotations

import http.client
import os
import platform
import sqlite3
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` in [0, 1])."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class LoadResult:
    requests: int
    errors: int
    wall_s: float
    latencies: list[float] = field(repr=False)

    @property
    def per_s(self) -> float:
        return self.requests / self.wall_s if self.wall_s else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1000

    def line(self, label: str) -> str:
        return (
            f"{label:28s} {self.requests:6d} req  {self.per_s:8.1f}/s  "
            f"p50 {self.p50_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms  errors {self.errors}"
        )


def load(
    url: str,
    *,
    connections: int = 8,
    duration_s: float = 10.0,
    max_requests: int = 100_000,
    expect: int = 200,
) -> LoadResult:
    """GET ``url`` from ``connections`` threads until the time or the count runs out."""
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1":
        raise ValueError("the load generator only targets 127.0.0.1")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + duration_s

    def take() -> bool:
        with lock:
            if issued[0] >= max_requests or time.perf_counter() >= deadline:
                return False
            issued[0] += 1
            return True

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        mine: list[float] = []
        bad = 0
        while take():
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Connection": "keep-alive"})
                response = conn.getresponse()
                response.read()
                ok = response.status == expect
            except (OSError, http.client.HTTPException):
                conn.close()  # http.client reconnects on the next request
                ok = False
            mine.append(time.perf_counter() - began)
            bad += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return LoadResult(len(latencies), errors[0], wall, latencies)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def _postgres_version(url: str | None) -> str:
    if not url:
        return "not configured (set TEST_DATABASE_URL)"
    try:
        import psycopg

        from tests.live import admin_url

        with psycopg.connect(admin_url(url), connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})"


def _redis_version(url: str | None) -> str:
    if not url:
        return "not configured (set TEST_REDIS_URL)"
    try:
        from redis import Redis

        return str(Redis.from_url(url, socket_timeout=5).info("server")["redis_version"])
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})"


def machine() -> list[str]:
    """A few lines describing where the figures were measured."""
    load1, load5, _ = os.getloadavg()
    return [
        f"CPU:        {_cpu_model()} x {os.cpu_count()} (load average {load1:.2f} / {load5:.2f})",
        f"RAM:        {_ram_gib()}",
        f"OS:         {platform.platform()}",
        f"Python:     {platform.python_version()} ({platform.python_implementation()})",
        f"SQLite:     {sqlite3.sqlite_version}",
        f"PostgreSQL: {_postgres_version(os.environ.get('TEST_DATABASE_URL'))}",
        f"Redis:      {_redis_version(os.environ.get('TEST_REDIS_URL'))}",
    ]
