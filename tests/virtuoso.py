"""A scratch Virtuoso Open Source server for the tests and benchmarks: own database directory,
own ini file, own free loopback ports, outbound features off; stopped at the end.

>>> with VirtuosoServer() as server:  # doctest: +SKIP
...     server.query_url
'http://127.0.0.1:41234/sparql'
"""

from __future__ import annotations

import configparser
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

PACKAGE_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
USER, PASSWORD = "dba", "dba"  # the package's defaults, on a scratch database bound to loopback only
#: Run by isql once the server answers: anonymous users may read, never write (1 = read only);
#: the anonymous SPARQL user has neither SPARQL_SPONGE nor the SERVICE views (the package's default).
_LOCKDOWN = """
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);
"""
_PREFIX = "inviolable-virtuoso-"
_PIDS = "pids"  # "<owner pid> <server pid>", for remove_abandoned


def _die_with(parent: int) -> Callable[[], None]:
    """What the child runs before exec: be killed when ``parent`` ends, even by SIGKILL.

    ``PR_SET_PDEATHSIG`` fires when the thread that started the child ends, so servers are started
    from the thread that keeps them (the tests' main thread). SIGKILL, not SIGTERM: a scratch
    database needs no clean shutdown, and a server busy checkpointing may take long to honour
    SIGTERM. A parent that died before the call is caught by comparing the parent's pid.
    """

    def arm() -> None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return arm


def _alive(pid: int) -> bool:
    """True when ``pid`` runs (a zombie waiting for its parent counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def remove_abandoned(root: Path | None = None) -> list[Path]:
    """Remove the scratch directories of earlier runs whose owner and server have both ended
    (a run killed before it could clean up); returns the directories removed."""
    removed = []
    for directory in Path(root or tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        pids = directory / _PIDS
        try:
            owner, server = (int(part) for part in pids.read_text().split())
        except (OSError, ValueError):
            continue  # not started yet, or not ours
        if not _alive(owner) and not _alive(server):
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory)
    return removed


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_ini(directory: Path, *, sql_port: int, http_port: int, template: Path = PACKAGE_INI,
              buffers: int = 10_000, overrides: dict[str, dict[str, str]] | None = None) -> Path:
    """An ini made from the package's default, pointed at ``directory`` and the given loopback ports.

    Besides paths and ports: no result-row cap (a capped result would be a truncated 200), no HTTP
    proxy, no OS calls, no plugins, bulk loads allowed from ``directory`` only. ``overrides`` are
    set last, by section and key (a benchmark's larger query memory and time limit).
    """
    ini = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",))
    ini.optionxform = str  # type: ignore[assignment,method-assign]
    ini.read(template)
    db = directory / "db"
    db.mkdir(parents=True, exist_ok=True)
    for section, stem in (("Database", "virtuoso"), ("TempDatabase", "virtuoso-temp")):
        ini[section]["DatabaseFile"] = str(db / f"{stem}.db")
        ini[section]["TransactionFile"] = str(db / f"{stem}.trx")
    ini["Database"]["ErrorLogFile"] = str(db / "virtuoso.log")
    ini["Database"]["LockFile"] = str(db / "virtuoso.lck")
    ini["Database"]["xa_persistent_file"] = str(db / "virtuoso.pxa")
    parameters = ini["Parameters"]
    parameters["ServerPort"] = f"127.0.0.1:{sql_port}"
    parameters["DirsAllowed"] = f"., {directory}, /usr/share/virtuoso-opensource-7/vad"
    parameters["AllowOSCalls"] = "0"
    # Each buffer is 8 KiB of page cache; the package's guide: about 2/3 of free memory at most.
    parameters["NumberOfBuffers"] = str(buffers)
    parameters["MaxDirtyBuffers"] = str(buffers * 3 // 4)
    parameters["MaxQueryMem"] = "512M"
    parameters["ThreadsPerQuery"] = "2"
    http = ini["HTTPServer"]
    http["ServerPort"] = f"127.0.0.1:{http_port}"
    http["HTTPProxyEnabled"] = "0"
    http["ServerRoot"] = "/var/lib/virtuoso-opensource-7/vsp"
    ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    ini["SPARQL"].pop("ResultSetMaxRows", None)
    ini["SPARQL"]["MaxQueryExecutionTime"] = "60"
    if ini.has_section("Plugins"):
        ini.remove_section("Plugins")
    if ini.has_section("Striping"):
        ini.remove_section("Striping")
    for section, values in (overrides or {}).items():
        if not ini.has_section(section):
            ini.add_section(section)
        ini[section].update(values)
    path = directory / "virtuoso.ini"
    with path.open("w") as handle:
        ini.write(handle)
    return path


class VirtuosoServer:
    """``virtuoso-t +foreground`` on a scratch database; use as a context manager.

    :param directory: where the database and ini go (a fresh temporary directory when None).
    :param startup: seconds to wait for the server to answer before giving up.
    :param buffers: ``NumberOfBuffers`` (8 KiB pages of cache); more for large loads.
    :param overrides: ini settings set last, by section and key (see :func:`write_ini`).
    :raises RuntimeError: when the server does not answer in time (its log is in the message).
    """

    def __init__(self, directory: Path | None = None, *, executable: str = "virtuoso-t",
                 startup: float = 60, buffers: int = 10_000,
                 overrides: dict[str, dict[str, str]] | None = None) -> None:
        self.buffers, self.overrides = buffers, overrides
        self._own = directory is None
        if self._own:
            remove_abandoned()
        self.directory = directory or Path(tempfile.mkdtemp(prefix=_PREFIX))
        self.sql_port, self.http_port = free_port(), free_port()
        self.executable = executable
        self.startup = startup
        self.process: subprocess.Popen[bytes] | None = None
        base = f"http://127.0.0.1:{self.http_port}"
        self.query_url = f"{base}/sparql"
        self.update_url = f"{base}/sparql-auth"
        self.graph_store_url = f"{base}/sparql-graph-crud-auth"
        self.user, self.password = USER, PASSWORD

    def environment(self) -> dict[str, str]:
        """The ``INVIOLABLE_*`` variables that select this server as the remote engine."""
        return {"INVIOLABLE_STORE": self.query_url, "INVIOLABLE_REMOTE_UPDATE_URL": self.update_url,
                "INVIOLABLE_REMOTE_GRAPH_STORE_URL": self.graph_store_url, "INVIOLABLE_REMOTE_USER": self.user,
                "INVIOLABLE_REMOTE_PASSWORD": self.password, "INVIOLABLE_REMOTE_ISQL": f"127.0.0.1:{self.sql_port}",
                "INVIOLABLE_REMOTE_LOAD_DIR": str(self.directory / "load")}

    def start(self) -> VirtuosoServer:
        ini = write_ini(self.directory, sql_port=self.sql_port, http_port=self.http_port, buffers=self.buffers,
                        overrides=self.overrides)
        (self.directory / "load").mkdir(exist_ok=True)
        self.process = subprocess.Popen([self.executable, "+foreground", "+configfile", str(ini)],
                                        cwd=self.directory / "db", stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=_die_with(os.getpid()))
        (self.directory / _PIDS).write_text(f"{os.getpid()} {self.process.pid}\n")
        deadline = time.monotonic() + self.startup
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
                continue
        else:
            self._give_up()
        if self.process.poll() is not None:
            self._give_up()
        try:
            self.isql(_LOCKDOWN)
        except BaseException:
            self.stop()
            raise
        return self

    def _give_up(self) -> None:
        log = self.directory / "db" / "virtuoso.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
        self.stop()
        raise RuntimeError(f"Virtuoso did not answer within {self.startup:g} s:\n{tail}")

    def isql(self, script: str) -> str:
        """Run SQL statements through ``isql-vt`` on the server's SQL port; returns its output.

        :raises RuntimeError: when isql reports an error.
        """
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", self.user, self.password],
                              input=script.encode(), capture_output=True, timeout=120)
        output = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql failed: {output[-2000:]}")
        return output

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._own:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
