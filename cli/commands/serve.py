"""``inviolable serve``: serve the graph over HTTP with gunicorn, or print one response (``--get``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.commands import CommandError, add_sources_option, add_store_option, resolve_sources, resolve_store
from graph.config import Settings, SettingsError, settings

NAME = "serve"
HELP = "serve the graph: SPARQL endpoint, linked-data pages, dumps and the query page"


def configure(parser: argparse.ArgumentParser) -> None:
    try:
        configured: Settings | None = settings()
    except SettingsError:
        # Every command's parser is built; a bad variable is reported when `serve` runs, not by all of them.
        configured = None
    parser.add_argument("--host", default=configured and configured.host,
                        help="interface to listen on (env INVIOLABLE_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=configured and configured.port,
                        help="port to listen on (env INVIOLABLE_PORT; default 8000)")
    # Request threads mostly wait on query workers; enough of them that queries waiting for their
    # deadline cannot hold every thread while other clients queue behind them.
    parser.add_argument("--threads", type=int, default=configured and configured.http_threads,
                        help="request threads (env INVIOLABLE_HTTP_THREADS; default 64)")
    # One process answers every request from one core; a read-only deployment can use them all.
    parser.add_argument("--processes", type=int, default=configured and configured.web_processes,
                        help="web processes, each with its own query workers and results cache; more than one "
                             "only when writes are off (env INVIOLABLE_WEB_PROCESSES; default 1)")
    parser.add_argument("--build-if-needed", action="store_true",
                        help="build the store first when it is missing or older than the data")
    parser.add_argument("--get", metavar="PATH", default=None,
                        help="print the response to one GET request for PATH and exit, without a socket")
    parser.add_argument("--accept", default=None, metavar="MEDIA", help="Accept header for --get")
    add_store_option(parser)
    add_sources_option(parser)


def ensure_built(store: Path, sources: Path | None, *, log: Any = print) -> bool:
    """Build the store when it is missing or not current; returns True when a build ran.

    A failed build leaves the previous store in place; it is then served, with a warning.

    :raises CommandError: when the build fails and there is no previous store to serve.
    """
    from graph.build import BuildError, is_current
    from graph.build import build_store as build
    from graph.sources import SourceError
    from graph.store import store_directory

    if is_current(store):
        return False
    log(f"Building the graph into {store} …")
    try:
        result = build(path=store, sources=sources)
    except (BuildError, SourceError) as error:
        if not store_directory(store).is_dir():
            raise CommandError(f"the build failed: {error}") from error
        log(f"warning: the build failed, serving the previous store:\n{error}")
        return False
    log(f"Built {result.summary.total} quads in {result.seconds:.1f} s.")
    return True


def get_once(config: dict[str, Any], path: str, *, accept: str | None = None) -> tuple[int, str, bytes]:
    """Answer one GET request in-process: status, content type, body."""
    app = _create(config)
    try:
        headers = {"Accept": accept} if accept else {}
        response = app.test_client().get(path, headers=headers)
        return response.status_code, response.content_type or "", response.get_data()
    finally:
        app.extensions["inviolable"].pool.close()


def _create(config: dict[str, Any], *, exit_code: int | None = None) -> Any:
    """The application; a refusal to start (no sandbox where one is required) is a command error, or with
    ``exit_code`` a message and that exit status (in gunicorn's worker, 3 stops the whole server)."""
    from server.app import create_app
    from server.errors import SandboxUnavailable

    try:
        return create_app(config)
    except SandboxUnavailable as error:
        if exit_code is None:
            raise CommandError(str(error)) from error
        print(f"error: {error}", file=sys.stderr, flush=True)
        sys.exit(exit_code)


def check_processes(config: dict[str, Any], processes: int) -> None:
    """Refuse a number of web processes the configuration cannot run.

    :raises CommandError: below one, or above one when writes are on.
    """
    if processes < 1:
        raise CommandError(f"--processes must be at least 1, not {processes}")
    if processes > 1 and config.get("WRITE_TOKEN", settings().write_token):
        raise CommandError("writes (INVIOLABLE_WRITE_TOKEN) need a single web process: "
                           "drop --processes / INVIOLABLE_WEB_PROCESSES or the write token")


def serve(config: dict[str, Any], *, host: str, port: int, threads: int = 64, processes: int = 1) -> None:
    """Serve the app with gunicorn: ``processes`` web processes (one by default, which also takes writes),
    threads for requests.

    Several processes share each client's count of running queries (:class:`server.fairness.SharedCounts`,
    made here, before gunicorn forks them) and split the slow lane's share of a CPU between them.

    :raises CommandError: for more than one process when writes are on (one process commits them
        and forgets its cache; the others would go on answering from theirs).
    """
    from gunicorn.app.base import BaseApplication

    check_processes(config, processes)
    if processes > 1:
        from server.fairness import SharedCounts

        config = {**config, "CLIENT_COUNTS": SharedCounts(processes * threads + 16), "WEB_PROCESSES": processes}
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving Inviolable at http://{shown}:{port}/ (SPARQL endpoint: /sparql). Ctrl-C stops.", flush=True)

    class _Application(BaseApplication):
        def load_config(self) -> None:
            # The worker class answers gunicorn's own parse errors in the server's error shape; the
            # logger class writes the access log in batches (server.access_log).
            settings = {"bind": f"{host}:{port}", "workers": processes, "threads": threads,
                        "worker_class": "server.gunicorn_worker.ShapedErrorWorker",
                        "logger_class": "server.access_log.BatchedAccessLogger",
                        "timeout": 0, "graceful_timeout": 5, "accesslog": "-", "limit_request_line": 0,
                        "limit_request_field_size": 16384}
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return _create(config, exit_code=3)

    _Application().run()


def run(args: argparse.Namespace) -> int:
    store, sources = resolve_store(args), resolve_sources(args)
    from graph.store import is_remote, store_directory

    if args.build_if_needed and not is_remote(store):
        ensure_built(store, sources, log=lambda line: print(line, file=sys.stderr, flush=True))
    if not is_remote(store) and not store_directory(store).is_dir():
        raise CommandError(f"no store at {store}: run `inviolable build` first, or pass --build-if-needed")
    config: dict[str, Any] = {"STORE": store, "SOURCES": sources}
    if args.get is not None:
        from server.errors import ApiError

        try:
            status, content_type, body = get_once(config, args.get, accept=args.accept)
        except ApiError as error:
            raise CommandError(error.message) from error
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return 0 if status < 400 else 1
    if None in (args.host, args.port, args.threads, args.processes):
        settings()  # raises the SettingsError that kept the defaults from being read
    serve(config, host=args.host, port=args.port, threads=args.threads, processes=args.processes)
    return 0
