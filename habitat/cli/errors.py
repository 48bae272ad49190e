"""How the command line reports habitat errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from habitat.core.errors import HabitatError

__all__ = ["handle_errors"]


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn habitat errors into an ``Error:`` message (no traceback) and exit status 1.

    Every failure caused by input is a :class:`~habitat.core.errors.HabitatError`:
    bad files and columns, configs (``ConfigError``, one line per problem),
    unreachable schedulers (``SchedulerError``), missing optional dependencies.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HabitatError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper
