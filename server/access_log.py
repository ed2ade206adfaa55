"""The access log, lean and written in batches: one write for many lines, at most :data:`FLUSH_AFTER` seconds late.

Gunicorn's access log flushes its stream after every line while holding the handler's lock, so
under load the request threads queue on that lock and on the interpreter behind it. Here a line only
goes into the stream's buffer under the lock; the buffer is written when it fills, when a line
comes :data:`FLUSH_AFTER` seconds after the last write, when the worker's main loop finds lines
that old (:meth:`BatchedStreamHandler.flush_due`), and when the worker stops. A process killed
outright can lose the lines of its last :data:`FLUSH_AFTER` seconds; no data is involved.

Each line is also cheaper to make: with gunicorn's default format, only its nine fields are
computed, where gunicorn builds a table of every header and environment variable per request for
formats that might name them. Another ``access_log_format`` is served by gunicorn's own code.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from gunicorn import config, glogging

#: Seconds a logged line may wait in the buffer.
FLUSH_AFTER = 0.5


class BatchedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that flushes its stream at most every :data:`FLUSH_AFTER` seconds."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._written = time.monotonic()
        self._pending = False

    def flush(self) -> None:
        """Called after each line by :meth:`logging.StreamHandler.emit`: flush only when due."""
        self._pending = True
        if time.monotonic() - self._written >= FLUSH_AFTER:
            self.flush_now()

    def flush_due(self) -> None:
        """Flush lines older than :data:`FLUSH_AFTER`; cheap when there are none (the worker's loop calls it)."""
        if self._pending and time.monotonic() - self._written >= FLUSH_AFTER:
            self.flush_now()

    def flush_now(self) -> None:
        """Write every buffered line now."""
        self.acquire()
        try:
            self._pending = False
            self._written = time.monotonic()
            if self.stream is not None and hasattr(self.stream, "flush"):
                self.stream.flush()
        finally:
            self.release()

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
            self.access_log.info(self.cfg.access_log_format, self.atoms_wrapper_class(fields))  # quotes escaped
        except Exception:  # noqa: BLE001 - as gunicorn does: a line that cannot be written is reported, not raised
            self.exception("the access log line could not be written")

    def flush_due(self) -> None:
        """Write the access lines that have waited :data:`FLUSH_AFTER` seconds."""
        for handler in self.access_log.handlers:
            if isinstance(handler, BatchedStreamHandler):
                handler.flush_due()
