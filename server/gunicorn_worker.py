"""Gunicorn's own answers to requests it cannot read, in the server's error shape.

Gunicorn answers a malformed request (a bad request line or header, bad chunked framing, an unsupported
transfer coding, too many or too long headers) itself, before the application sees it, with an HTML page
of its own. :class:`ShapedErrorWorker` is gunicorn's threaded worker with that page replaced by the
JSON shape every other error has: ``{"ok": false, "error": "...", "status": N}``.

The worker also writes its access log from one thread of its own (:func:`queue_access_log`): with the
handler written directly, each of the request threads held the handler's lock through a write and a
flush, and the others queued behind it.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
from logging.handlers import QueueHandler, QueueListener
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker


def shaped_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Write one error response in the server's shape and leave the connection to be closed."""
    detail = " ".join(str(mesg).split())
    message = f"the request could not be read: {detail}" if detail else reason.lower()
    body = json.dumps({"ok": False, "error": message, "status": status_int}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n"
            "Access-Control-Allow-Origin: *\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def queue_access_log(log: logging.Logger) -> QueueListener | None:
    """Put ``log``'s stream handlers behind a queue that one thread empties; None when it has none.

    Log files are left in place: gunicorn reopens those it finds on the logger when asked to (SIGUSR1).
    The queue's handler is marked as gunicorn's own, so that a configuration reload replaces it.
    """
    moved = [handler for handler in log.handlers
             if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)]
    if not moved:
        return None
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    for handler in moved:
        log.removeHandler(handler)
    front = QueueHandler(records)
    front._gunicorn = True  # type: ignore[attr-defined]
    log.addHandler(front)
    listener = QueueListener(records, *moved, respect_handler_level=True)
    listener.start()
    return listener


class ShapedErrorWorker(ThreadWorker):
    """The ``gthread`` worker whose parse-error answers are JSON in the server's shape."""

    def init_process(self) -> Any:
        # gunicorn's base worker calls util.write_error by name when a request cannot be parsed.
        util.write_error = shaped_error
        # Threads do not survive the fork from the arbiter: the log's writer starts here, in the worker.
        listener = queue_access_log(self.log.access_log)
        try:
            return super().init_process()
        finally:
            if listener is not None:
                listener.stop()
