"""Gunicorn's own answers to requests it cannot read, in the server's error shape.

Gunicorn answers a malformed request (a bad request line or header, bad chunked framing, an unsupported
transfer coding, too many or too long headers) itself, before the application sees it, with an HTML page
of its own. :class:`ShapedErrorWorker` is gunicorn's threaded worker with that page replaced by the
JSON shape every other error has: ``{"ok": false, "error": "...", "status": N}``. Its main loop also
writes the batched access log's lines on time (:mod:`server.access_log`).
"""

from __future__ import annotations

import json
import socket
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


class ShapedErrorWorker(ThreadWorker):
    """The ``gthread`` worker whose parse-error answers are JSON in the server's shape."""

    def init_process(self) -> Any:
        # gunicorn's base worker calls util.write_error by name when a request cannot be parsed.
        util.write_error = shaped_error
        return super().init_process()

    def notify(self) -> None:
        # The main loop passes here at least once a second: batched access lines are written on time.
        super().notify()
        flush_due = getattr(self.log, "flush_due", None)
        if flush_due is not None:
            flush_due()
