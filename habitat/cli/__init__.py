"""The ``habitat`` command line: a thin click layer over the library.

Each subcommand lives in its own module; progress and logs go to stderr,
results to files or stdout.
"""

from __future__ import annotations

import logging

import click

from habitat.core.log import configure_logging, show_warnings_once
from habitat.core.version import __version__

__all__ = ["cli", "handle_errors", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="habitat")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Also habitat's debug lines on stderr (other libraries stay at warnings).",
)
@click.option(
    "-q", "--quiet", is_flag=True, help="Only errors on stderr: no progress lines, no warnings."
)
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """habitat: home ranges, overlap, fragmentation and corridors for the Amur leopard range.

    Areas and distances are computed in a projected CRS chosen by the library;
    every quantity carries its unit in its name. Progress, warnings (each once,
    on one line) and errors go to stderr; results to files or stdout.
    """
    level = logging.ERROR if quiet else (logging.DEBUG if verbose else logging.INFO)
    # only the "habitat" logger is configured; undone when the command ends
    ctx.call_on_close(
        configure_logging(level, third_party_level=logging.ERROR if quiet else logging.WARNING)
    )
    ctx.call_on_close(show_warnings_once())


def main() -> None:
    """Entry point of the ``habitat`` console script."""
    cli(prog_name="habitat")


# subcommands, one module each (they import habitat.cli.errors, never this module)
from habitat.cli.corridors import corridors  # noqa: E402
from habitat.cli.demo import demo  # noqa: E402
from habitat.cli.errors import handle_errors  # noqa: E402
from habitat.cli.landscape import landscape  # noqa: E402
from habitat.cli.layers import layers  # noqa: E402
from habitat.cli.report import report  # noqa: E402

cli.add_command(corridors)
cli.add_command(demo)
cli.add_command(landscape)
cli.add_command(layers)
cli.add_command(report)
