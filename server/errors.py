"""One error shape for the whole server, and the one place where library errors become statuses.

API clients get ``{"ok": false, "error": "...", "status": N}``; browsers get an HTML page saying the same.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from gunicorn.http.errors import NoMoreData
from gunicorn.http.errors import ParseException as FramingError
from werkzeug.exceptions import HTTPException

from server.media import HTML, negotiate


class ApiError(Exception):
    """A request that cannot be answered, with the status and a message the user can act on."""

    def __init__(self, status: int, message: str, *, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


class QueryTimeout(ApiError):
    """A query ran past its deadline and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(503, f"the query ran past its {seconds:g} s deadline and was stopped; "
                              "narrow it (LIMIT, more specific patterns) or use the dumps",
                         headers={"Retry-After": "1"})


class ResultTooLarge(ApiError):
    """A result grew past the configured size limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(507, f"the result is larger than the server's limit of {limit} bytes; "
                              "add a LIMIT or download the dumps at /dumps/")


class QueryOutOfMemory(ApiError):
    """A query needed more memory than a worker's cap; its worker was replaced."""

    def __init__(self, budget: int) -> None:
        shown = f" of {budget // 2**20} MiB" if budget else ""
        super().__init__(507, f"the query needed more memory than the server's per-query limit{shown} and was "
                              "stopped; narrow it (LIMIT, fewer ORDER BY or DISTINCT rows) or use the dumps")


class TooManyQueries(ApiError):
    """A client already holds as many running queries as it may."""

    def __init__(self, limit: int, retry_after: int = 1) -> None:
        super().__init__(429, f"you already have {limit} queries running, the most one client may have at "
                              "once; wait for them to finish and retry", headers={"Retry-After": str(retry_after)})


class SandboxUnavailable(RuntimeError):
    """The query workers cannot be confined and the settings require it."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the query workers cannot be network-confined ({reason}) and INVIOLABLE_REQUIRE_SANDBOX "
                         "is set; see docs/server.md, 'No network for queries'")
        self.reason = reason


def from_library(error: BaseException) -> ApiError:
    """Map an exception raised by pyoxigraph, the parsers or the OS to an :class:`ApiError`.

    >>> from_library(SyntaxError("error at 1:6: expected '{'")).status
    400
    """
    if isinstance(error, ApiError):
        return error
    if isinstance(error, SyntaxError):
        return ApiError(400, f"syntax error: {error}")
    if isinstance(error, UnicodeDecodeError):
        return ApiError(415, f"the request body is not UTF-8: {error.reason} at byte {error.start}")
    if isinstance(error, ValueError):
        return ApiError(400, str(error))
    if isinstance(error, OSError):
        return ApiError(500, f"the store could not be read: {error}")
    return ApiError(500, f"{type(error).__name__}: {error}")


def wants_html() -> bool:
    """True when the client is a browser that prefers an HTML page to JSON."""
    accept = list(request.accept_mimetypes)
    return negotiate(accept, (), extra=(HTML, "application/json")) == HTML if accept else False


def error_response(error: ApiError) -> Response:
    """Render an error in the shape the client prefers."""
    body = {"ok": False, "error": error.message, "status": error.status, **error.details}
    if wants_html():
        response = Response(render_template("error.html", error=body), status=error.status,
                            mimetype="text/html")
    else:
        response = jsonify(body)
        response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    if error.status == 406:
        response.headers["Vary"] = "Accept"
    return response


def register(app: Flask) -> None:
    """Install the handlers that give every error, ours or Werkzeug's, the one shape."""

    @app.errorhandler(ApiError)
    def _api(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(SyntaxError)
    @app.errorhandler(ValueError)
    @app.errorhandler(OSError)
    def _library(error: Exception) -> Response:
        return error_response(from_library(error))

    @app.errorhandler(FramingError)
    @app.errorhandler(NoMoreData)
    def _framing(error: Exception) -> Response:
        # gunicorn raises these while the application reads a body whose framing is broken.
        detail = " ".join(str(error).split()) or type(error).__name__
        response = error_response(ApiError(400, f"the request body could not be read: {detail}",
                                           headers={"Connection": "close"}))
        return response

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        message = error.description or error.name
        if error.code == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the server's limit of {limit} bytes"
        response = error_response(ApiError(error.code or 500, message))
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response
