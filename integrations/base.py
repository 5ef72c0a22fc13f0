"""The one interface every calendar kind implements (ICS today, Google Calendar next).

An adapter answers a single question: *which time is busy in this window?* It receives
the state it returned last time (an opaque JSON-able mapping: ETag and content hash for a
feed, a sync token for Google) and returns the busy time with its new state. Adapters
convert everything to aware-UTC ``schedules.Interval`` themselves, so nothing above them
ever sees a naive or local time.

The caller (``app.services.sync``) owns the database: it stores the state, replaces the
source's busy blocks atomically, and keeps the previous blocks when an adapter raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from schedules import Interval

State = Mapping[str, Any]


class SyncError(Exception):
    """A sync that failed; ``str(error)`` is a sentence the owner can act on."""


@dataclass(frozen=True, slots=True)
class KeyedBusy:
    """One upstream event's busy time (``None``: it takes no time, or no longer exists)."""

    key: str
    interval: Interval | None


@dataclass(frozen=True, slots=True)
class BusyResult:
    """What an adapter found.

    ``busy`` is the complete busy time of the window, sorted and merged, or ``None``
    when nothing changed since ``state`` (the stored blocks stay as they are: that is
    what makes an unchanged feed cheap). ``events`` counts the upstream events seen in
    the window, free ones included; ``None`` when the adapter did not look (unchanged).
    """

    state: dict[str, Any]
    busy: list[Interval] | None
    events: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Keyed mode (Google): busy time per upstream event id instead of ``busy``. With
    # ``replace`` these are all of the source's blocks (a full sync); without, only the
    # events that changed (an incremental sync): each key's block is updated, inserted,
    # or deleted when its interval is ``None`` (cancelled, free, or out of the window).
    keyed: list[KeyedBusy] | None = None
    replace: bool = True

    @property
    def unchanged(self) -> bool:
        return self.busy is None and self.keyed is None


class CalendarAdapter(Protocol):
    """A calendar kind. Implementations raise ``SyncError`` (or anything) on failure."""

    def fetch_busy(self, window: Interval, state: State) -> BusyResult:
        """The busy time inside ``window`` (aware UTC), given the previous ``state``."""
        ...
