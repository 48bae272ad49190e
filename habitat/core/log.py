"""The ``habitat`` logger: one named logger for the whole package.

Every module logs to a child of ``logging.getLogger("habitat")`` (its
``__name__``). The library never configures logging: importing habitat adds no
handler, changes no level and no warnings filter. Applications do: the
``habitat`` command line calls :func:`configure_logging` and
:func:`show_warnings_once`, which touch only the ``habitat`` logger (third-party
loggers keep their levels; their warnings still reach stderr, their info and
debug lines do not).

Progress lines (:func:`log_progress`) are INFO records of the ``habitat``
logger, so a configured level silences them (``habitat -q``); when nobody has
configured logging at all (a plain script, a Jupyter notebook) they are still
written to stderr, as Python does for warnings.

Examples
--------
>>> import io, logging
>>> from habitat.core.log import configure_logging, get_logger, log_progress
>>> get_logger("batch.runner").name
'habitat.batch.runner'
>>> stream = io.StringIO()
>>> restore = configure_logging(logging.WARNING, stream=stream)
>>> log_progress(get_logger("batch"), "3 animals")  # INFO: below WARNING, not shown
>>> get_logger("batch").warning("no layers near the data")
>>> print(stream.getvalue(), end="")
habitat: no layers near the data
>>> restore()
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable
from typing import IO, Any, TextIO

__all__ = [
    "LOGGER_NAME",
    "StderrHandler",
    "configure_logging",
    "get_logger",
    "log_progress",
    "show_warnings_once",
    "warning_line",
]

#: name of the package logger; every habitat module logs to a child of it
LOGGER_NAME = "habitat"

#: how habitat's log lines look on stderr
LOG_FORMAT = "habitat: %(message)s"


def get_logger(name: str | None = None) -> logging.Logger:
    """The ``habitat`` logger, or its child ``habitat.<name>``.

    Parameters
    ----------
    name : str, optional
        Dotted name below ``habitat`` (a leading ``habitat.`` is accepted).

    Returns
    -------
    logging.Logger
    """
    if not name or name == LOGGER_NAME:
        return logging.getLogger(LOGGER_NAME)
    if name.startswith(LOGGER_NAME + "."):
        return logging.getLogger(name)
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


class StderrHandler(logging.StreamHandler[TextIO]):
    """A handler writing to whatever ``sys.stderr`` is when a record is emitted.

    Unlike ``StreamHandler(sys.stderr)`` it follows a redirected stderr (test
    runners, notebooks, ``contextlib.redirect_stderr``).
    """

    def __init__(self, level: int = logging.NOTSET, fmt: str = LOG_FORMAT) -> None:
        super().__init__(sys.stderr)
        self.setLevel(level)
        self.setFormatter(logging.Formatter(fmt))

    def emit(self, record: logging.LogRecord) -> None:
        """Write ``record`` to the current ``sys.stderr``."""
        self.stream = sys.stderr
        super().emit(record)


_FALLBACK = StderrHandler()


def log_progress(logger: logging.Logger, message: str) -> None:
    """Log a progress line at INFO; on stderr when logging is not configured at all.

    With a handler anywhere on the logger's chain (an application or the CLI
    configured logging) this is ``logger.info(message)``, subject to the
    configured levels. With none (a script or notebook that never touched
    logging) the line goes to stderr as ``habitat: <message>``, so progress is
    seen by default without the library configuring logging.

    Parameters
    ----------
    logger : logging.Logger
        A habitat logger (see :func:`get_logger`).
    message : str
        One line of progress.
    """
    if logger.hasHandlers():
        logger.info(message)
    else:
        _FALLBACK.handle(
            logger.makeRecord(logger.name, logging.INFO, "(progress)", 0, message, (), None)
        )


def configure_logging(
    level: int, *, stream: IO[str] | TextIO | None = None, third_party_level: int | None = None
) -> Callable[[], None]:
    """Send the ``habitat`` logger's records at ``level`` and above to stderr.

    Only the ``habitat`` logger is configured: one handler formatting
    ``habitat: <message>``, its level, and no propagation to the root logger
    (so a root handler does not print lines twice). Other libraries' loggers
    are left at Python's default (WARNING and above, on stderr through
    :data:`logging.lastResort`), which hides their info and debug lines
    (matplotlib's ``findfont``, pyogrio's ``Created N records``);
    ``third_party_level`` raises that threshold (``logging.ERROR`` for
    ``habitat -q``).

    Parameters
    ----------
    level : int
        ``logging.DEBUG``, ``INFO``, ``WARNING`` or ``ERROR``.
    stream : file-like, optional
        Where to write; default the current ``sys.stderr`` at each record.
    third_party_level : int, optional
        Lowest level shown for records of loggers outside habitat that have no
        handler of their own; default ``logging.WARNING``.

    Returns
    -------
    callable
        Undoes the configuration (handler, levels, propagation, last resort).
    """
    logger = logging.getLogger(LOGGER_NAME)
    handler: logging.Handler
    if stream is None:
        handler = StderrHandler(level)
    else:
        handler = logging.StreamHandler(stream)
        handler.setLevel(level)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    saved: dict[str, Any] = {
        "level": logger.level,
        "propagate": logger.propagate,
        "last_resort": logging.lastResort,
    }
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    last_resort = StderrHandler(
        logging.WARNING if third_party_level is None else third_party_level,
        fmt="habitat: %(name)s: %(levelname)s: %(message)s",
    )
    logging.lastResort = last_resort

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(saved["level"])
        logger.propagate = saved["propagate"]
        if logging.lastResort is last_resort:
            logging.lastResort = saved["last_resort"]

    return restore


def warning_line(message: Warning | str, category: type[Warning]) -> str:
    """One line for a warning: ``warning: <Category>: <message>``, lines joined.

    Examples
    --------
    >>> warning_line(UserWarning('''2 fixes dropped
    ...     as duplicates'''), UserWarning)
    'warning: UserWarning: 2 fixes dropped as duplicates'
    """
    text = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    return f"warning: {category.__name__}: {text}"


def show_warnings_once(logger: logging.Logger | None = None) -> Callable[[], None]:
    """Show each distinct warning once, as one WARNING log line, without source lines.

    Replaces :func:`warnings.showwarning` (the filters are not changed): a
    warning that is shown becomes ``logger.warning("warning: <Category>:
    <message>")`` the first time its category and text are seen, and nothing
    afterwards. For applications (the CLI); the library never calls it.

    Parameters
    ----------
    logger : logging.Logger, optional
        Default ``habitat.warnings``; its level decides whether warnings show.

    Returns
    -------
    callable
        Puts the previous :func:`warnings.showwarning` back.

    Examples
    --------
    >>> import io, logging, warnings
    >>> stream = io.StringIO()
    >>> restore_log = configure_logging(logging.INFO, stream=stream)
    >>> restore = show_warnings_once()
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("always")
    ...     for _ in range(3):
    ...         warnings.warn("F1 has 2 fixes", UserWarning, stacklevel=1)
    >>> restore(); restore_log()
    >>> print(stream.getvalue(), end="")
    habitat: warning: UserWarning: F1 has 2 fixes
    """
    log = logger if logger is not None else get_logger("warnings")
    seen: set[tuple[type[Warning], str]] = set()
    previous = warnings.showwarning

    def showwarning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = warning_line(message, category)
        if (category, text) in seen:
            return
        seen.add((category, text))
        log.warning(text)

    warnings.showwarning = showwarning

    def restore() -> None:
        if warnings.showwarning is showwarning:
            warnings.showwarning = previous

    return restore
