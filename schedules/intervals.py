"""Half-open intervals of aware UTC datetimes and set operations on sorted lists.

Every function that returns a list of intervals returns it sorted by start and
merged (no two intervals overlap or touch), so results compose without surprises.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class Interval(NamedTuple):
    """``[start, end)`` with aware datetimes; ``start < end`` for a non-empty interval."""

    start: datetime
    end: datetime
