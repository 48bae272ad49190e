"""Connecting to a dask distributed scheduler, failing fast and by name.

A wrong or unreachable ``--scheduler`` address would otherwise cost the dask
client's connect timeout (30 s by default) and end in a raw ``OSError``. Here
the address is parsed first (:func:`parse_scheduler_address`), then one TCP
connection is tried with a short timeout (:func:`probe_scheduler`), and only
then does the dask client connect (:func:`connect_scheduler`). Every failure is
a :class:`~habitat.core.errors.SchedulerError` naming the address.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from typing import Any, NamedTuple

from habitat.core.compat import import_optional
from habitat.core.errors import MissingDependencyError, SchedulerError

__all__ = [
    "DEFAULT_PORT",
    "PROBE_TIMEOUT_S",
    "SchedulerAddress",
    "connect_scheduler",
    "parse_scheduler_address",
    "probe_scheduler",
]

#: Port of a dask scheduler when the address gives none.
DEFAULT_PORT = 8786
#: Seconds to wait for a TCP answer from the scheduler's host.
PROBE_TIMEOUT_S = 3.0
#: Seconds for the dask handshake once the port answered.
CONNECT_TIMEOUT_S = 3.0

#: Transports of dask distributed that connect to a host and port.
_NETWORK = ("tcp", "tls", "ws", "wss", "ucx")
_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9._-]+))"
    r"(?::(?P<port>[^/]*))?/?$"
)
_HOW = "give it as tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786), the address the scheduler prints"


class SchedulerAddress(NamedTuple):
    """A parsed scheduler address."""

    scheme: str
    host: str
    port: int

    @property
    def url(self) -> str:
        """The address as dask takes it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def parse_scheduler_address(address: Any) -> SchedulerAddress:
    """Check the form of a scheduler address: ``[tcp://]HOST[:PORT]``.

    Parameters
    ----------
    address : str
        e.g. ``"tcp://10.0.0.5:8786"``, ``"scheduler.lan:8786"``, ``"tls://[::1]:8786"``
        (transports tcp, tls, ws, wss, ucx; port 8786 when none is given).

    Returns
    -------
    SchedulerAddress

    Raises
    ------
    SchedulerError
        For anything else, saying what was wrong.

    Examples
    --------
    >>> parse_scheduler_address("10.0.0.5:8786").url
    'tcp://10.0.0.5:8786'
    >>> parse_scheduler_address("tls://[::1]").url
    'tls://[::1]:8786'
    >>> parse_scheduler_address("tcp://host:99999")
    Traceback (most recent call last):
    ...
    habitat.core.errors.SchedulerError: scheduler address 'tcp://host:99999': port 99999 is \
not a port number (1-65535); give it as tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786), ...
    """
    if not isinstance(address, str):
        raise SchedulerError(
            f"scheduler must be an address (a string) or a distributed.Client, "
            f"not {type(address).__name__}; {_HOW}."
        )
    text = address.strip()
    match = _ADDRESS.match(text)
    if not text or match is None:
        raise SchedulerError(f"scheduler address {address!r} is not an address; {_HOW}.")
    scheme = (match["scheme"] or "tcp").lower()
    if scheme not in _NETWORK:
        raise SchedulerError(
            f"scheduler address {address!r}: {scheme}:// is not a dask transport "
            f"(use one of {', '.join(_NETWORK)}); {_HOW}."
        )
    port_text = match["port"]
    port = DEFAULT_PORT if port_text is None else 0
    if port_text is not None:
        if port_text.isdigit() and 1 <= int(port_text) <= 65535:
            port = int(port_text)
        else:
            raise SchedulerError(
                f"scheduler address {address!r}: port {port_text or '(none)'} is not a port "
                f"number (1-65535); {_HOW}."
            )
    return SchedulerAddress(scheme, match["ipv6"] or match["host"], port)


def probe_scheduler(address: Any, *, timeout_s: float = PROBE_TIMEOUT_S) -> SchedulerAddress:
    """Check that something answers at a scheduler address, within ``timeout_s`` seconds.

    Parameters
    ----------
    address : str
        Scheduler address (see :func:`parse_scheduler_address`).
    timeout_s : float
        Seconds to wait for the host (a refused connection fails at once).

    Returns
    -------
    SchedulerAddress

    Raises
    ------
    SchedulerError
        Naming the address and why it cannot be reached (unknown host,
        connection refused, no answer in ``timeout_s`` s).

    Examples
    --------
    >>> probe_scheduler("tcp://no-such-host.invalid:8786")
    Traceback (most recent call last):
    ...
    habitat.core.errors.SchedulerError: cannot reach the dask scheduler at \
'tcp://no-such-host.invalid:8786': host 'no-such-host.invalid' not found...
    """
    parsed = parse_scheduler_address(address)
    try:
        with socket.create_connection((parsed.host, parsed.port), timeout=timeout_s):
            pass
    except socket.gaierror as exc:
        why = f"host {parsed.host!r} not found ({exc.strerror or exc})"
    except TimeoutError:
        why = f"no answer within {timeout_s:g} s"
    except ConnectionRefusedError:
        why = f"connection refused: nothing listens on port {parsed.port}"
    except OSError as exc:
        why = exc.strerror or str(exc)
    else:
        return parsed
    raise SchedulerError(
        f"cannot reach the dask scheduler at '{address}': {why}. Check the address and that "
        "the scheduler is running (`dask scheduler` prints its address), or leave out "
        "--scheduler (scheduler=None) to run on this machine."
    )


async def _identity(distributed: Any, url: str, timeout_s: float) -> Any:
    comm = await distributed.comm.connect(url, timeout=timeout_s)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def _handshake(distributed: Any, url: str, address: Any, *, timeout_s: float) -> None:
    """Ask the scheduler who it is, in a thread with its own event loop, within ``timeout_s``.

    ``distributed.Client(timeout=...)`` can wait forever on a port that accepts
    connections but never answers; this cannot.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["reply"] = asyncio.run(
                asyncio.wait_for(_identity(distributed, url, timeout_s), timeout_s)
            )
        except BaseException as exc:  # reported below, in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="habitat-scheduler-handshake", daemon=True)
    thread.start()
    thread.join(timeout_s + 1.0)
    reply = outcome.get("reply")
    if isinstance(reply, dict) and reply.get("type") == "Scheduler":
        return
    exc = outcome.get("error")
    if exc is None:
        why = (
            f"no answer within {timeout_s:g} s"
            if "reply" not in outcome
            else f"it answered as {str(reply)[:80]!r}, not as a dask scheduler"
        )
    elif isinstance(exc, TimeoutError):
        why = f"no answer within {timeout_s:g} s"
    elif not isinstance(exc, OSError):  # e.g. a frame length read from an HTTP server
        why = f"what answers there does not speak the dask protocol ({type(exc).__name__})"
    else:
        why = f"{type(exc).__name__}: {str(exc)[:200]}"
    raise SchedulerError(
        f"no dask scheduler answers at '{address}' ({why}); check that the address is the "
        "scheduler's (not its dashboard's) and that this machine's dask version matches the "
        "cluster's."
    )


def connect_scheduler(
    address: Any,
    *,
    probe_timeout_s: float = PROBE_TIMEOUT_S,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
) -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``address``, or a SchedulerError.

    The address is parsed and probed first (:func:`probe_scheduler`), so a
    wrong address fails within ``probe_timeout_s`` seconds; the dask handshake
    then has ``connect_timeout_s`` seconds.

    Raises
    ------
    SchedulerError
        A malformed or unreachable address, or no dask scheduler answering there.
    MissingDependencyError
        If dask distributed is not installed (``habitat[dask]``).
    """
    distributed = import_optional(
        "distributed", extra="dask", purpose="running reports on a dask cluster"
    )
    if isinstance(address, str) and address.startswith("inproc://"):
        url = address  # a cluster in this process (LocalCluster(processes=False))
    else:
        parsed = parse_scheduler_address(address)
        if parsed.scheme != "ucx":  # the others run over TCP
            probe_scheduler(address, timeout_s=probe_timeout_s)
        url = parsed.url
    _handshake(distributed, url, address, timeout_s=connect_timeout_s)
    try:
        return distributed.Client(url, timeout=connect_timeout_s)
    except Exception as exc:  # OSError, TimeoutError, or garbage from a non-dask server
        if isinstance(exc, MissingDependencyError):
            raise
        raise SchedulerError(
            f"no dask scheduler answered at '{address}' within {connect_timeout_s:g} s "
            f"({type(exc).__name__}: {str(exc)[:200]}); check that the address is a dask "
            "scheduler's (not its dashboard's) and that this machine's dask version matches "
            "the cluster's."
        ) from exc
