"""The gunicorn worker's access log, written from one thread behind a queue."""

from __future__ import annotations

import io
import logging
import threading

from server.gunicorn_worker import queue_access_log


def _logger(name: str, *handlers: logging.Handler) -> logging.Logger:
    log = logging.getLogger(name)
    log.handlers.clear()
    log.propagate = False
    log.setLevel(logging.INFO)
    for handler in handlers:
        log.addHandler(handler)
    return log


def test_queue_access_log_keeps_every_line_from_many_threads():
    stream = io.StringIO()
    log = _logger("test.access.queued", logging.StreamHandler(stream))
    listener = queue_access_log(log)
    assert listener is not None
    assert [type(handler).__name__ for handler in log.handlers] == ["QueueHandler"]

    def write(thread: int) -> None:
        for line in range(50):
            log.info("%s %s", thread, line)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listener.stop()
    lines = stream.getvalue().splitlines()
    assert sorted(lines) == sorted(f"{thread} {line}" for thread in range(16) for line in range(50))


def test_queue_access_log_leaves_log_files_where_gunicorn_reopens_them(tmp_path):
    file_handler = logging.FileHandler(tmp_path / "access.log")
    log = _logger("test.access.file", file_handler)
    assert queue_access_log(log) is None
    assert log.handlers == [file_handler]
    file_handler.close()
