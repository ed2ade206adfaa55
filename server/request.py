"""The request class: URL parameters parsed once per distinct query string, not once per request.

A SPARQL query in a URL is long and percent-encoded throughout, and the standard library decodes
it escape by escape in Python: for a read-mostly endpoint that answers repeated queries from its
results cache, that decoding was the largest single cost of a cached answer. The parsed
parameters are immutable, so one parse can serve every request with the same query string.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

#: Query strings longer than this are parsed for their request only (the cache's size stays bounded).
LONGEST_REMEMBERED = 16_384
#: How many distinct query strings are remembered.
REMEMBERED = 512


@lru_cache(maxsize=REMEMBERED)
def _remembered(query_string: bytes) -> ImmutableMultiDict[str, str]:
    # As Werkzeug parses them: blank values kept, undecodable bytes left percent-encoded.
    return ImmutableMultiDict(parse_qsl(query_string.decode(), keep_blank_values=True,
                                        errors="werkzeug.url_quote"))


class ServerRequest(Request):
    """Flask's request, with :attr:`args` shared between requests that carry the same query string."""

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        """The URL parameters, as Werkzeug parses them."""
        if len(self.query_string) > LONGEST_REMEMBERED:
            return super().args  # type: ignore[return-value]
        return _remembered(self.query_string)


__all__ = ["ServerRequest"]
