"""``server.request``: URL parameters parsed once per distinct query string, exactly as Werkzeug parses them."""

from __future__ import annotations

import pytest
from flask import Request
from werkzeug.test import EnvironBuilder

from server.request import LONGEST_REMEMBERED, ServerRequest


def _environ(query_string: str) -> dict:
    return EnvironBuilder(path="/sparql", query_string=query_string).get_environ()


@pytest.mark.parametrize("query_string", ["query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D&format=json",
                                          "query=a&query=b&default-graph-uri=", "bad=%FF%fe&x=%", "a+b=c+d&=", ""])
def test_server_request_args_are_werkzeugs(query_string: str) -> None:
    ours = ServerRequest(_environ(query_string)).args
    assert list(ours.items(multi=True)) == list(Request(_environ(query_string)).args.items(multi=True))


def test_server_request_args_are_shared_for_one_query_string_and_immutable() -> None:
    first = ServerRequest(_environ("query=ASK%20%7B%7D")).args
    second = ServerRequest(_environ("query=ASK%20%7B%7D")).args
    assert first is second
    with pytest.raises(TypeError):
        first["query"] = "changed"  # type: ignore[index]
    assert ServerRequest(_environ("query=ASK%20%7B%20%7D")).args is not first


def test_server_request_long_query_strings_are_parsed_per_request() -> None:
    query_string = "query=" + "x" * LONGEST_REMEMBERED
    first, second = ServerRequest(_environ(query_string)).args, ServerRequest(_environ(query_string)).args
    assert first == second and first is not second
