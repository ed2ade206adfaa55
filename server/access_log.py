"""The access log, lean and written in batches: one write for many lines, at most :data:`FLUSH_AFTER` seconds late.

Gunicorn's access log goes through :mod:`logging` and flushes its stream after every line while
holding the handler's lock, so under load the request threads queue on that lock and on the
interpreter behind it. Here a request thread only appends its line to a queue (no lock); whichever
thread finds the queue full or its oldest line :data:`FLUSH_AFTER` seconds old writes it out, in one
write, if no other thread is already doing so. The worker's main loop also writes lines that old
(:meth:`BatchedStreamHandler.flush_due`), and the worker writes the rest when it stops. A process
killed outright can lose the lines of its last :data:`FLUSH_AFTER` seconds; no data is involved.

Each line is also cheaper to make: with gunicorn's default format, only its nine fields are
computed, where gunicorn builds a table of every header and environment variable per request for
formats that might name them. Another ``access_log_format``, or an access log configured with other
handlers or filters, is served by gunicorn's own code.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Any

from gunicorn import config, glogging

#: Seconds a logged line may wait in the queue.
FLUSH_AFTER = 0.5
#: Lines that make a batch worth writing at once.
BATCH_LINES = 512


class BatchedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler whose lines are queued and written in batches, at most :data:`FLUSH_AFTER` seconds late."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._lines: collections.deque[str] = collections.deque()
        self._writing = threading.Lock()
        self._written = time.monotonic()

    def put(self, line: str) -> None:
        """Queue one line; write the queue if it is full or has waited long enough and nobody else is writing it."""
        self._lines.append(line)  # deque.append is atomic: request threads never wait here
        if len(self._lines) >= BATCH_LINES or time.monotonic() - self._written >= FLUSH_AFTER:
            self._write(wait=False)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.put(self.format(record))
        except Exception:  # noqa: BLE001 - as logging does: a line that cannot be made is reported, not raised
            self.handleError(record)

    def flush(self) -> None:
        """Write the lines that have waited :data:`FLUSH_AFTER` seconds (``logging.shutdown`` calls this)."""
        self.flush_due()

    def flush_due(self) -> None:
        """Write lines older than :data:`FLUSH_AFTER`; cheap when there are none (the worker's loop calls it)."""
        if self._lines and time.monotonic() - self._written >= FLUSH_AFTER:
            self._write(wait=True)

    def flush_now(self) -> None:
        """Write every queued line now."""
        self._write(wait=True)

    def _write(self, *, wait: bool) -> None:
        if not self._writing.acquire(blocking=wait):
            return
        try:
            self._written = time.monotonic()
            lines = []
            while self._lines:
                lines.append(self._lines.popleft())
            if lines and self.stream is not None:
                self.stream.write("\n".join(lines) + "\n")
                if hasattr(self.stream, "flush"):
                    self.stream.flush()
        finally:
            self._writing.release()

    def close(self) -> None:
        self.flush_now()
        super().close()


class BatchedAccessLogger(glogging.Logger):
    """Gunicorn's logger with its access log to standard output batched (error log unchanged)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in list(self.access_log.handlers):
            if type(handler) is logging.StreamHandler:
                batched = BatchedStreamHandler(handler.stream)
                batched.setFormatter(handler.formatter)
                batched._gunicorn = True  # type: ignore[attr-defined] # gunicorn finds its own handler by this mark
                self.access_log.removeHandler(handler)
                self.access_log.addHandler(batched)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        """Log one request in the default combined format, computing only its fields."""
        if not self.access_log_enabled:
            return
        if self.cfg.access_log_format != config.AccessLogFormat.default:
            super().access(resp, req, environ, request_time)
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        sent = getattr(resp, "sent", None)
        fields = {"h": environ.get("REMOTE_ADDR", "-"), "l": "-", "u": self._get_user(environ) or "-",
                  "t": self.now(),
                  "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
                  "s": status, "b": str(sent) if sent is not None else "-",
                  "f": environ.get("HTTP_REFERER", "-"), "a": environ.get("HTTP_USER_AGENT", "-")}
        try:
            atoms = self.atoms_wrapper_class(fields)  # quotes escaped
            batched = self._batched()
            if batched is None:
                self.access_log.info(self.cfg.access_log_format, atoms)
            else:
                batched.put(self.cfg.access_log_format % atoms)
        except Exception:  # noqa: BLE001 - as gunicorn does: a line that cannot be written is reported, not raised
            self.exception("the access log line could not be written")

    def _batched(self) -> BatchedStreamHandler | None:
        """The batched handler when it is the access log's only way out, so that a line can skip :mod:`logging`."""
        log = self.access_log
        handlers = log.handlers
        if (len(handlers) == 1 and isinstance(handlers[0], BatchedStreamHandler) and not log.filters
                and not handlers[0].filters and getattr(handlers[0].formatter, "_fmt", None) == self.access_fmt
                and not log.disabled and log.isEnabledFor(logging.INFO)):
            return handlers[0]
        return None

    def flush_due(self) -> None:
        """Write the access lines that have waited :data:`FLUSH_AFTER` seconds."""
        for handler in self.access_log.handlers:
            if isinstance(handler, BatchedStreamHandler):
                handler.flush_due()
