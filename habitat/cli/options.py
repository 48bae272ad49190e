"""Click options the subcommands share: each kind of option defined once.

The help texts stay with each command (they say what the option does there);
the names, types and metavars are defined here, so that e.g. every existing
input file is checked the same way and ``--neighbours`` takes the same values
in every command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = [
    "INPUT_FILE",
    "POSITIVE",
    "file_option",
    "layer_option",
    "neighbours_option",
    "overwrite_option",
    "positive_option",
    "raster_argument",
    "study_area_option",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

#: an existing file (not a folder), passed on as a :class:`~pathlib.Path`
INPUT_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)

#: a number > 0 (sizes, distances, resistances)
POSITIVE = click.FloatRange(min=0, min_open=True)


def file_option(
    *param_decls: str, help: str, metavar: str | None = None, multiple: bool = False
) -> Decorator:
    """An option naming an existing input file (repeatable with ``multiple``)."""
    if multiple:
        return click.option(
            *param_decls, multiple=True, metavar=metavar, type=INPUT_FILE, help=help
        )
    return click.option(*param_decls, metavar=metavar, type=INPUT_FILE, help=help)


def positive_option(*param_decls: str, metavar: str, help: str) -> Decorator:
    """An option taking a number > 0 (metres, resistances...), None when not given."""
    return click.option(*param_decls, type=POSITIVE, metavar=metavar, help=help)


def raster_argument(*, required: bool = True) -> Decorator:
    """The ``RASTER`` argument: an existing raster file."""
    return click.argument("raster", required=required, type=INPUT_FILE)


def overwrite_option(help: str) -> Decorator:
    """``--overwrite``: replace existing outputs (what it replaces: ``help``)."""
    return click.option("--overwrite", is_flag=True, help=help)


def neighbours_option(help: str) -> Decorator:
    """``--neighbours 4|8`` (default 8), passed on as text."""
    return click.option(
        "--neighbours",
        type=click.Choice(["4", "8"]),
        default="8",
        show_default=True,
        help=help,
    )


def study_area_option(help: str) -> Decorator:
    """``--study-area FILE.toml`` (parameter ``study_area_file``)."""
    return file_option("--study-area", "study_area_file", metavar="FILE.toml", help=help)


def layer_option(help: str) -> Decorator:
    """``--layer ROLE=PATH[:NAME_COLUMN]``, repeatable (parameter ``layer_options``)."""
    return click.option(
        "--layer",
        "layer_options",
        metavar="ROLE=PATH[:NAME_COLUMN]",
        multiple=True,
        help=help,
    )
