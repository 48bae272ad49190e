"""The ``habitat`` command line: a thin click layer over the library.

Each subcommand lives in its own module; progress and logs go to stderr,
results to files or stdout.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from habitat.core.errors import HabitatError
from habitat.core.version import __version__

__all__ = ["cli", "main"]


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn habitat errors into a one-line ``Error:`` message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HabitatError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="habitat")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """habitat: home ranges, overlap, fragmentation and corridors for the Amur leopard range.

    Areas and distances are computed in a projected CRS chosen by the library;
    every quantity carries its unit in its name. Logs go to stderr.
    """
    level = logging.ERROR if quiet else max(logging.DEBUG, logging.INFO - 10 * verbose)
    logging.basicConfig(level=level, stream=sys.stderr, format="habitat: %(message)s", force=True)


def main() -> None:
    """Entry point of the ``habitat`` console script."""
    cli(prog_name="habitat")


from habitat.cli import demo as _demo  # noqa: E402
from habitat.cli import layers as _layers  # noqa: E402
from habitat.cli import report as _report  # noqa: E402

cli.add_command(_demo.demo)
cli.add_command(_layers.layers)
cli.add_command(_report.report)
