"""A dask scheduler address that is wrong or unreachable fails fast, by name."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from habitat.batch.cluster import (
    CONNECT_TIMEOUT_S,
    PROBE_TIMEOUT_S,
    connect_scheduler,
    parse_scheduler_address,
    probe_scheduler,
)
from habitat.batch.runner import ReportOptions, run_report
from habitat.core.errors import HabitatError, SchedulerError


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_port():
    """A port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for c in held:
        c.close()
    server.close()


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("scheduler.lan", "tcp://scheduler.lan:8786"),
        ("TLS://[::1]:9000", "tls://[::1]:9000"),
        (" tcp://host:1 ", "tcp://host:1"),
    ],
)
def test_good_addresses_parse(address, url):
    assert parse_scheduler_address(address).url == url


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("", "is not an address"),
        ("tcp://", "is not an address"),
        ("tcp://host:", "is not a port number"),
        ("host:abc", "port abc is not a port number"),
        ("tcp://host:0", "port 0"),
        ("tcp://host:99999", "port 99999"),
        ("http://host:8786", "http:// is not a dask transport"),
        ("a b:8786", "is not an address"),
        ("tcp://host:8786/path/x", "is not an address"),
        (8786, "not int"),
    ],
)
def test_bad_addresses_are_refused_saying_what_is_wrong(address, says):
    with pytest.raises(SchedulerError) as info:
        parse_scheduler_address(address)
    assert says in str(info.value) and "tcp://HOST:PORT" in str(info.value)
    assert isinstance(info.value, HabitatError) and isinstance(info.value, ConnectionError)


def test_nothing_listening_fails_at_once_naming_the_address():
    address = f"tcp://127.0.0.1:{_closed_port()}"
    start = time.perf_counter()
    with pytest.raises(SchedulerError, match=rf"'{address}': connection refused"):
        probe_scheduler(address)
    assert time.perf_counter() - start < 1


def test_unknown_host_fails_naming_it():
    with pytest.raises(SchedulerError, match="host 'no-such-host.invalid' not found"):
        probe_scheduler("tcp://no-such-host.invalid:8786")


def test_a_port_that_never_answers_fails_within_seconds(silent_port):
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{silent_port}"
    start = time.perf_counter()
    with pytest.raises(SchedulerError, match=rf"no dask scheduler answers at '{address}'"):
        connect_scheduler(address)
    # dask's own client would wait 30 s (or, on this port, for ever)
    assert time.perf_counter() - start < CONNECT_TIMEOUT_S + 2


def test_run_report_with_an_unreachable_scheduler_estimates_nothing(tmp_path):
    pytest.importorskip("distributed")
    from habitat.batch.demo import load_demo_relocations

    fixes = load_demo_relocations()
    address = f"tcp://127.0.0.1:{_closed_port()}"
    out = tmp_path / "rep"
    start = time.perf_counter()
    with pytest.raises(SchedulerError, match=address):
        run_report(
            fixes,
            out,
            options=ReportOptions(area_curve=False),
            scheduler=address,
            progress=False,
        )
    assert time.perf_counter() - start < PROBE_TIMEOUT_S + 2  # probed before anything else
    assert not out.exists()  # no folder made for a report that cannot run
