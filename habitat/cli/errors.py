"""How the command line reports habitat errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from habitat.core.errors import HabitatError

__all__ = ["handle_errors"]


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn habitat errors into a one-line ``Error:`` message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HabitatError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper
