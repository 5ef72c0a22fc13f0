"""Benchmark: 60 days of availability for one offer against a crowded calendar.

Run with ``python bench/bench_slots.py``. Prints the median of 33 timed runs (3 rounds
of 11, each after a warm-up run) of ``available_slots`` for:

* 10,000 busy intervals from 5 sources (each source's blocks overlap the others', and
  the combined list is shuffled, as the database hands them over), 200 existing
  bookings, Camille's hours (Europe/Paris), a 60-day window; target median < 10 ms;
* the same with 1k, 10k and 100k busy intervals, and the time ratio per 10x: n log n
  growth gives about 12.5 from 10k to 100k (quadratic would give 100). The core strikes
  each block against the sorted candidate starts with a bisect, O(n log m) for m
  candidates, so the ratio stays near 10 apart from fixed costs and cache effects.

All busy blocks fall inside the window (the hardest case: nothing can be skipped), so
from 10k on the calendar is full and no slot is free; there are no caps, so every
working day is evaluated in full.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schedules import (
    BookedTime,
    Interval,
    Limits,
    Offer,
    Policy,
    TimeRange,
    available_slots,
)

ROUNDS = 3
BLOCK = 11
RUNS = ROUNDS * BLOCK
TARGET_MS = 10.0
NOW = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
FIRST = date(2027, 1, 2)
LAST = FIRST + timedelta(days=59)
SOURCES = 5


def camille() -> Policy:
    morning, afternoon = TimeRange(wall(9), wall(12, 30)), TimeRange(wall(14), wall(18))
    full, half = (morning, afternoon), (morning,)
    return Policy(
        timezone="Europe/Paris",
        hours=(full, full, half, full, half, (), ()),
        limits=Limits(
            min_notice=timedelta(hours=24),
            max_days_ahead=60,
            buffer_after=timedelta(minutes=15),
            slot_step=timedelta(minutes=30),
        ),
    )


def busy_blocks(count: int, rng: random.Random) -> list[Interval]:
    """``count`` blocks from ``SOURCES`` calendars over the window, shuffled together."""
    span_minutes = 62 * 24 * 60
    start_of = datetime.combine(FIRST, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    blocks = []
    for _source in range(SOURCES):
        for _ in range(count // SOURCES):
            start = start_of + timedelta(minutes=rng.randrange(0, span_minutes, 5))
            blocks.append(Interval(start, start + timedelta(minutes=rng.randrange(5, 90, 5))))
    rng.shuffle(blocks)
    return blocks


def bookings(count: int, rng: random.Random) -> list[BookedTime]:
    out = []
    for _ in range(count):
        day = FIRST + timedelta(days=rng.randrange(60))
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=8, minutes=30 * rng.randrange(16)
        )
        out.append(BookedTime(start, start + timedelta(hours=1)))
    return out


def medians_ms(cases: dict[int, list[Interval]], booked: list[BookedTime]) -> dict[int, float]:
    """Median time per case over ``ROUNDS`` rounds of ``BLOCK`` consecutive runs per size.

    Rounds spread background load over every size; within a round each size runs a
    block, its first run untimed, so a size is not timed on caches the others left cold.
    """
    policy, offer = camille(), Offer("consult", "Consultation", timedelta(hours=1))
    timings: dict[int, list[float]] = {count: [] for count in cases}
    gc.collect()
    gc.disable()  # as timeit does: measure the code, not a collection it did not cause
    try:
        for _ in range(ROUNDS):
            for count, busy in cases.items():
                available_slots(policy, offer, busy, booked, (FIRST, LAST), NOW)  # warm-up
                for _ in range(BLOCK):
                    started = time.perf_counter()
                    available_slots(policy, offer, busy, booked, (FIRST, LAST), NOW)
                    timings[count].append((time.perf_counter() - started) * 1000)
    finally:
        gc.enable()
    return {count: statistics.median(values) for count, values in timings.items()}


def touch_all(busy: list[Interval]) -> int:
    """A bare pass that compares every block's ends: the floor for any algorithm."""
    return sum(1 for start, end in busy if start < end)


def bare_pass_ms(cases: dict[int, list[Interval]]) -> dict[int, float]:
    """Median of a bare pass per size: how memory alone scales on this machine."""
    out = {}
    for count, busy in cases.items():
        touch_all(busy)
        runs = []
        for _ in range(RUNS):
            started = time.perf_counter()
            touch_all(busy)
            runs.append((time.perf_counter() - started) * 1000)
        out[count] = statistics.median(runs)
    return out


def main() -> None:
    rng = random.Random(2027)
    booked = bookings(200, rng)
    cases = {count: busy_blocks(count, rng) for count in (1_000, 10_000, 100_000)}
    policy, offer = camille(), Offer("consult", "Consultation", timedelta(hours=1))
    medians = medians_ms(cases, booked)
    print(f"available_slots, 60 days, 1 offer, 200 bookings, median of {RUNS} runs")
    for count, busy in cases.items():
        free = len(available_slots(policy, offer, busy, booked, (FIRST, LAST), NOW))
        print(f"  {count:>7,} busy intervals: {medians[count]:8.2f} ms  ({free} slots free)")
    bare = bare_pass_ms(cases)
    print(f"  ratio 10k/1k:   {medians[10_000] / medians[1_000]:5.1f}x")
    print(f"  ratio 100k/10k: {medians[100_000] / medians[10_000]:5.1f}x  (n log n: ~12.5x)")
    growth = bare[100_000] / bare[10_000]
    print(
        f"  a bare pass over the blocks, for scale: {bare[10_000]:.2f} ms at 10k, "
        f"{bare[100_000]:.2f} ms at 100k ({growth:.1f}x from memory alone)"
    )
    verdict = "OK" if medians[10_000] < TARGET_MS else "OVER TARGET"
    print(f"  target: 10k median < {TARGET_MS:.0f} ms -> {verdict}")


if __name__ == "__main__":
    main()
