"""Cadre's boundaries core: pure rules about time, standard library only.

Nothing here reads the clock, the environment or a database: ``now`` is always a
parameter, and inputs and outputs are plain frozen values in aware UTC.
"""

from .boundaries import (
    RESERVED_SLUGS,
    BoundariesError,
    FieldError,
    boundaries_to_dict,
    dump_boundaries,
    load_boundaries,
    parse_boundaries,
)
from .durations import format_duration, parse_duration
from .hours import local_date, owner_zone, ranges_for_date, working_intervals
from .intervals import Interval, clip, intersect, normalize, overlaps, subtract, union
from .policy import (
    WEEKDAYS,
    Boundaries,
    CalendarFeed,
    CancellationPolicy,
    ClosedPeriod,
    ContractTerms,
    Limits,
    Offer,
    Override,
    OwnerInfo,
    Policy,
    ResponsePolicy,
    TimeRange,
)
from .reply import next_opening, reply_due
from .rules import (
    BookedTime,
    Decision,
    Refusal,
    Slot,
    available_slots,
    calendars_stale,
    cancellation_deadline,
    check_booking,
    is_late_cancellation,
)

__all__ = [
    "RESERVED_SLUGS",
    "WEEKDAYS",
    "BookedTime",
    "Boundaries",
    "BoundariesError",
    "CalendarFeed",
    "CancellationPolicy",
    "ClosedPeriod",
    "ContractTerms",
    "Decision",
    "FieldError",
    "Interval",
    "Limits",
    "Offer",
    "Override",
    "OwnerInfo",
    "Policy",
    "Refusal",
    "ResponsePolicy",
    "Slot",
    "TimeRange",
    "available_slots",
    "boundaries_to_dict",
    "calendars_stale",
    "cancellation_deadline",
    "check_booking",
    "clip",
    "dump_boundaries",
    "format_duration",
    "intersect",
    "is_late_cancellation",
    "load_boundaries",
    "local_date",
    "next_opening",
    "normalize",
    "overlaps",
    "owner_zone",
    "parse_boundaries",
    "parse_duration",
    "ranges_for_date",
    "reply_due",
    "subtract",
    "union",
    "working_intervals",
]
