"""Side effects of a change that has already committed (mail, Google write-back).

They must never undo or block the change itself: a failure is logged, the session is
rolled back to a clean state, and the caller carries on.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec

from app.extensions import db

P = ParamSpec("P")
log = logging.getLogger(__name__)


def never_raises(what: str) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """Decorate a post-commit side effect; ``what`` names it in the log ("mail", ...)."""

    def decorate(func: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                func(*args, **kwargs)
            except Exception:
                log.exception("%s failed after commit (%s)", what, func.__name__)
                db.session.rollback()

        return wrapper

    return decorate
