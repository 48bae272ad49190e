"""The ``habitat`` command line: a thin click layer over the library.

Each subcommand lives in its own module; progress and logs go to stderr,
results to files or stdout.
"""

from __future__ import annotations

import logging
import sys

import click

from habitat.core.version import __version__

__all__ = ["cli", "handle_errors", "main"]


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


# subcommands, one module each (they import habitat.cli.errors, never this module)
from habitat.cli.demo import demo  # noqa: E402
from habitat.cli.errors import handle_errors  # noqa: E402
from habitat.cli.layers import layers  # noqa: E402
from habitat.cli.report import report  # noqa: E402

cli.add_command(demo)
cli.add_command(layers)
cli.add_command(report)
