"""Half-open intervals of aware UTC datetimes and set operations on sorted lists.

Every function that returns a list of intervals returns it sorted by start and
merged (no two intervals overlap or touch), so results compose without surprises.
Empty intervals (``start >= end``) are dropped everywhere.

Example: ``normalize([[10:00, 11:00), [09:00, 10:00), [10:30, 12:00), [13:00, 13:00)])``
is ``[[09:00, 12:00)]`` — the first two touch, the third overlaps, the last is empty.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime
from operator import itemgetter
from typing import NamedTuple


class Interval(NamedTuple):
    """``[start, end)`` with aware datetimes; ``start < end`` for a non-empty interval."""

    start: datetime
    end: datetime


_by_start = itemgetter(0)


def normalize(intervals: Iterable[Interval]) -> list[Interval]:
    """Drop empty intervals, sort by start, and merge those that overlap or touch.

    Sorts once (``n log n``) and sweeps once; this is the only place the busy set of
    a whole calendar gets sorted, so callers normalize once and bisect afterwards.
    """
    ordered = sorted((iv for iv in intervals if iv[0] < iv[1]), key=_by_start)
    merged: list[Interval] = []
    if not ordered:
        return merged
    cur_start, cur_end = ordered[0]
    for start, end in ordered:
        if start <= cur_end:
            # Overlapping or touching ([9, 10) and [10, 11)): extend the current run.
            if end > cur_end:
                cur_end = end
        else:
            merged.append(Interval(cur_start, cur_end))
            cur_start, cur_end = start, end
    merged.append(Interval(cur_start, cur_end))
    return merged


def union(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Every moment in ``a`` or in ``b``."""
    return normalize([*a, *b])


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Every moment in both ``a`` and ``b`` (two-pointer sweep over normalized inputs)."""
    left, right = normalize(a), normalize(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            out.append(Interval(start, end))
        # Advance whichever ends first; the other may still meet the next one.
        if left[i].end <= right[j].end:
            i += 1
        else:
            j += 1
    # Pieces come out sorted and separated: within merged inputs two pieces can
    # only touch if both inputs touched themselves, which normalize excluded.
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Every moment in ``a`` and not in ``b``.

    Example: ``[09:00, 12:00) − [10:00, 10:30)`` is ``[09:00, 10:00), [10:30, 12:00)``.
    """
    left, holes = normalize(a), normalize(b)
    out: list[Interval] = []
    j = 0
    for start, end in left:
        cursor = start
        # Skip holes that end before this piece; they cannot affect later pieces either.
        while j < len(holes) and holes[j].end <= cursor:
            j += 1
        k = j
        while k < len(holes) and holes[k].start < end:
            if holes[k].start > cursor:
                out.append(Interval(cursor, holes[k].start))
            cursor = max(cursor, holes[k].end)
            k += 1
        if cursor < end:
            out.append(Interval(cursor, end))
    return out


def clip(intervals: Sequence[Interval], window: Interval) -> list[Interval]:
    """The parts of a sorted, merged list that fall inside ``window``.

    Bisects to the first interval ending after ``window.start`` instead of scanning,
    so clipping 100k busy blocks to a 60-day window costs ``log n`` plus the output.
    """
    w_start, w_end = window
    if w_start >= w_end:
        return []
    # Ends of a merged list are sorted too, so bisect on them.
    i = bisect_right(intervals, w_start, key=itemgetter(1))
    out: list[Interval] = []
    for n in range(i, len(intervals)):
        start, end = intervals[n]
        if start >= w_end:
            break
        out.append(Interval(max(start, w_start), min(end, w_end)))
    return out


def overlaps(merged: Sequence[Interval], candidate: Interval) -> bool:
    """Whether ``candidate`` shares a moment with any interval of a sorted, merged list.

    Touching is not overlapping: ``[10:00, 11:00)`` does not overlap ``[11:00, 12:00)``.
    """
    c_start, c_end = candidate
    if c_start >= c_end:
        return False
    # The last interval starting before the candidate ends is the only one that can
    # reach into it: earlier ones end before it starts (the list is merged).
    i = bisect_left(merged, c_end, key=_by_start) - 1
    return i >= 0 and merged[i].end > c_start
