"""Start, watch and stop the servers under test: loopback only, free ports, nothing left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

HOST = "127.0.0.1"


class ServerStartError(RuntimeError):
    """A server under test did not come up; the message carries the end of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running server process (with its workers) and the URL that answers SPARQL queries."""

    name: str
    process: subprocess.Popen
    url: str
    log: Path

    def tree(self) -> list[psutil.Process]:
        """The server process and all its descendants (gunicorn workers, query workers)."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def rss_bytes(self) -> int:
        """Resident memory of the whole process tree."""
        total = 0
        for process in self.tree():
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def cpu_seconds(self) -> float:
        """CPU time (user and system) used so far by the whole process tree."""
        total = 0.0
        for process in self.tree():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def wait_idle(self, *, timeout: float = 20.0, interval: float = 0.5, busy: float = 0.1) -> bool:
        """Wait until the server uses less than ``busy`` of a core over ``interval``; False at ``timeout``.

        A server keeps computing the answers to requests whose clients have gone away; the next
        measured run must not share the CPU with that leftover work.
        """
        deadline = time.monotonic() + timeout
        before = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(interval)
            after = self.cpu_seconds()
            if after - before < busy * interval:
                return True
            before = after
        return False

    def stop(self) -> None:
        """Stop the server and every process of its group, killing what ignores SIGTERM."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_server(name: str, command: Sequence[str], *, url: str, probe: str, log: Path,
                 env: dict[str, str] | None = None, timeout: float = 120.0) -> Server:
    """Start ``command`` in its own process group and wait until ``probe`` answers 200.

    :param url: the SPARQL endpoint URL the load generator will use.
    :param probe: a URL that answers 200 once the server is ready.
    :raises ServerStartError: when the process exits or the probe fails until ``timeout``.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(list(command), stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
    server = Server(name, process, url, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"{name} exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                if response.status == 200:
                    return server
        except urllib.error.HTTPError as error:
            server.stop()
            raise ServerStartError(f"{name} answered {error.code} to {probe}:\n{_tail(log)}") from error
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    server.stop()
    raise ServerStartError(f"{name} did not answer {probe} within {timeout:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class MemoryReading:
    """One reading of a server's memory: the whole tree (resident, and proportional to sharing), the web process."""

    at: float
    rss: int
    pss: int
    main_rss: int
    processes: int


def read_memory(server: Server) -> MemoryReading:
    """The server's memory now.

    Resident memory summed over processes counts every page a forked worker shares with the web process
    once per process; the proportional set size (PSS) counts a shared page as a share of it, so its sum
    is what the tree really holds.
    """
    rss = pss = count = 0
    resident: dict[int, int] = {}
    tree = server.tree()
    for process in tree:
        try:
            full = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        count += 1
        rss += full.rss
        pss += getattr(full, "pss", full.rss)
        resident[process.pid] = full.rss
    # The web process is gunicorn's worker, the root's child; the query workers are its children.
    try:
        web = [child.pid for child in tree[0].children()] if tree else []
    except psutil.NoSuchProcess:
        web = []
    main = max((resident.get(pid, 0) for pid in web), default=resident.get(server.process.pid, 0))
    return MemoryReading(0.0, rss, pss, main, count)


@dataclass
class MemorySampler:
    """Samples a server's memory once per ``interval`` seconds in a background thread.

    ``samples`` holds ``(seconds, resident bytes of the tree)``; ``readings`` the full :class:`MemoryReading` s.
    """

    server: Server
    interval: float = 1.0
    samples: list[tuple[float, int]] = field(default_factory=list)
    readings: list[MemoryReading] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        began = time.monotonic()
        while not self._stop.is_set():
            reading = read_memory(self.server)
            reading.at = time.monotonic() - began
            self.readings.append(reading)
            self.samples.append((reading.at, reading.rss))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
