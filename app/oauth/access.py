"""Owner access to the Google pages: the dashboard's sign-in (``app.auth``).

These pages once opened with a signed "owner link" printed by a command, before Cadre
had logins; they now need a signed-in owner like every dashboard page. Anonymous
visitors are sent to the sign-in page and come back here afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from app.auth import current_account, require_owner
from app.models import Owner

F = TypeVar("F", bound=Callable[..., Any])


def current_owner() -> Owner | None:
    account = current_account()
    return account.owner if account is not None else None


def owner_required(view: F) -> F:
    """Let the view run only for a signed-in owner (``g.owner``); else go to sign-in."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refused = require_owner()
        if refused is not None:
            return refused
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
