"""``server.access_log``: the same access lines as gunicorn writes, made from fewer fields and written in batches."""

from __future__ import annotations

import datetime
import io
import logging
import threading
import time
from types import SimpleNamespace

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from server import access_log
from server.access_log import BatchedAccessLogger, BatchedStreamHandler

ENVIRON = {"REMOTE_ADDR": "127.0.0.9", "REQUEST_METHOD": "GET", "RAW_URI": "/sparql?query=ASK%20%7B%7D",
           "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_USER_AGENT": 'curl/8 "x"', "PATH_INFO": "/sparql"}


def _line(logger_class: type[glogging.Logger], environ: dict, *, sent: int | None, fmt: str | None = None) -> str:
    config = Config()
    config.set("accesslog", "-")
    if fmt is not None:
        config.set("access_log_format", fmt)
    logger = logger_class(config)
    stream = io.StringIO()
    own = [handler for handler in logger.access_log.handlers if getattr(handler, "_gunicorn", False)]
    logger.access_log.handlers = own  # without pytest's capturing handlers, as when served
    for handler in own:
        handler.setStream(stream)  # type: ignore[attr-defined]
    response = SimpleNamespace(status="200 OK", sent=sent, headers=[("Content-Type", "application/json")])
    request = SimpleNamespace(headers=[("ACCEPT", "application/json")])
    logger.now = lambda: "[02/Dec/2026:21:00:00 +0000]"  # type: ignore[method-assign]
    logger.access(response, request, environ, datetime.timedelta(milliseconds=3))
    for handler in own:
        handler.close()
    return stream.getvalue()


@pytest.mark.parametrize("environ", [ENVIRON, {**ENVIRON, "HTTP_REFERER": "https://e/q"},
                                     {**ENVIRON, "HTTP_AUTHORIZATION": "Basic dXNlcjpwdw=="}])
@pytest.mark.parametrize("sent", [1234, 0, None])
def test_access_log_lines_are_gunicorns(environ: dict, sent: int | None) -> None:
    assert _line(BatchedAccessLogger, environ, sent=sent) == _line(glogging.Logger, environ, sent=sent)


def test_access_log_other_formats_are_left_to_gunicorn() -> None:
    fmt = '%(h)s %({accept}i)s %(L)s'
    assert _line(BatchedAccessLogger, ENVIRON, sent=1, fmt=fmt) == "127.0.0.9 application/json 0.003000\n"


class _CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1


def test_access_log_batches_flushes_and_writes_every_line_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access_log, "FLUSH_AFTER", 0.2)
    stream = _CountingStream()
    handler = BatchedStreamHandler(stream)
    log = logging.getLogger("test_access_log")
    log.propagate, log.level = False, logging.INFO
    log.addHandler(handler)
    try:
        for number in range(200):
            log.info("line %d", number)
        assert stream.flushes <= 1  # not one per line
        handler.flush_due()
        assert stream.flushes <= 1
        time.sleep(0.25)
        handler.flush_due()  # what the worker's main loop does at least once a second
        assert stream.flushes >= 1 and not handler._lines
        log.info("last")
        handler.close()
        assert stream.getvalue().splitlines()[-1] == "last" and len(stream.getvalue().splitlines()) == 201
    finally:
        log.removeHandler(handler)


def test_access_log_threads_lose_no_line_and_keep_their_order() -> None:
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream)

    def send(thread: int) -> None:
        for number in range(2_000):
            handler.put(f"{thread} {number}")

    threads = [threading.Thread(target=send, args=(thread,)) for thread in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handler.close()
    seen: dict[str, list[int]] = {}
    for line in stream.getvalue().splitlines():
        thread_name, number = line.split()
        seen.setdefault(thread_name, []).append(int(number))
    assert seen == {str(thread): list(range(2_000)) for thread in range(8)}


def test_access_log_skips_logging_only_when_its_handler_is_the_only_way_out() -> None:
    config = Config()
    config.set("accesslog", "-")
    logger = BatchedAccessLogger(config)
    logger.access_log.handlers = [handler for handler in logger.access_log.handlers
                                  if getattr(handler, "_gunicorn", False)]  # without pytest's capturing handlers
    assert isinstance(logger._batched(), BatchedStreamHandler)
    extra = logging.StreamHandler(io.StringIO())
    logger.access_log.addHandler(extra)
    try:
        assert logger._batched() is None
    finally:
        logger.access_log.removeHandler(extra)
    logger.access_log.addFilter(lambda record: False)
    try:
        assert logger._batched() is None
    finally:
        logger.access_log.filters.clear()
