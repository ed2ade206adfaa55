"""Query results kept in memory: the same query over the same data is answered without a worker.

An entry's key is the normalised query text, the dataset it asked for, the result format (and
the ``Accept`` header, which shapes JSON-LD), the base IRI, and the data version: the server's
write generation and the store's :meth:`~graph.store.GraphStore.version`. A write changes the
version, so no answer computed before it can be found again, and :func:`forget` drops the
entries at once. The key is that tuple itself, not a digest of it, so no cryptographic hash
runs over the query text for every request. The cache holds at most ``RESULT_CACHE_MB`` of
bodies and key texts, evicting the least recently used first. ``INVIOLABLE_RESULT_CACHE=0``
switches it off; conditional requests (``ETag``, ``Last-Modified``) are answered 304 either way.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

CACHE_ATTRIBUTE = "result_cache"
#: Where the state keeps the front cache (server/front_cache.py), emptied with the results cache.
FRONT_ATTRIBUTE = "front_cache"
DEFAULT_CACHE_MB = 64
DEFAULT_CACHE_CONTROL = "public, no-cache"


@dataclass(frozen=True)
class Entry:
    """One cached answer: the body as sent, its media type and its entity tag."""

    body: bytes
    content_type: str
    etag: str


def weight(key: Hashable, entry: Entry) -> int:
    """What an entry counts against the cache's bound: its body and the texts of its key.

    >>> weight(("ASK {}", "1"), Entry(b"true", "text/plain", '"t"'))
    11
    """
    return len(entry.body) + text_length(key)


def text_length(part: object) -> int:
    """The characters of the strings and bytes in ``part``, through nested tuples."""
    if isinstance(part, str | bytes):
        return len(part)
    if isinstance(part, tuple):
        return sum(text_length(item) for item in part)
    return 0


class ResultCache:
    """A byte-bounded LRU map from keys to :class:`Entry`, safe to share between request threads.

    ``weigh`` says what an entry counts against ``max_bytes`` (by default :func:`weight`: its body and
    key texts); ``max_entries``, when given, also bounds how many it holds.

    >>> cache = ResultCache(max_bytes=24)
    >>> for name in "abcde":
    ...     cache.put(name, Entry(b"12345", "text/plain", f'"{name}"'))
    >>> cache.get("a") is None, cache.get("e").etag, len(cache)
    (True, '"e"', 4)
    """

    def __init__(self, *, max_bytes: int, max_entries: int | None = None,
                 weigh: Callable[[Hashable, Any], int] = weight) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.weigh = weigh
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The entry under ``key``, now the most recently used, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, entry: Any) -> None:
        """Keep ``entry`` (unless it weighs more than a quarter of the cache), evicting the least recently used."""
        size = self.weigh(key, entry)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (entry, size)
            self.size += size
            while self.size > self.max_bytes or (self.max_entries is not None
                                                 and len(self._entries) > self.max_entries):
                _, (_, evicted) = self._entries.popitem(last=False)
                self.size -= evicted

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


def cache_for(holder: Any, config: dict[str, Any]) -> ResultCache | None:
    """The results cache kept on ``holder`` (the server state), made on first use; None when switched off.

    :raises ValueError: when ``RESULT_CACHE_MB`` is not a positive number.
    """
    if not enabled(config):
        return None
    cache = getattr(holder, CACHE_ATTRIBUTE, None)
    if cache is None:
        megabytes = float(config.get("RESULT_CACHE_MB", DEFAULT_CACHE_MB))
        if megabytes <= 0:
            raise ValueError(f"INVIOLABLE_RESULT_CACHE_MB must be a positive number, not {megabytes!r}")
        cache = ResultCache(max_bytes=int(megabytes * 2**20))
        setattr(holder, CACHE_ATTRIBUTE, cache)
    return cache


def forget(holder: Any) -> None:
    """Drop every answer cached for ``holder``: called on each committed write."""
    for attribute in (FRONT_ATTRIBUTE, CACHE_ATTRIBUTE):
        cache = getattr(holder, attribute, None)
        if cache is not None:
            cache.clear()


def enabled(config: dict[str, Any]) -> bool:
    """Whether the cache is on: ``RESULT_CACHE`` unset, true, 1, yes or on.

    >>> enabled({}), enabled({"RESULT_CACHE": 0}), enabled({"RESULT_CACHE": "off"})
    (True, False, False)
    """
    value = config.get("RESULT_CACHE", True)
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def cache_control(config: dict[str, Any]) -> str:
    """The ``Cache-Control`` header sent with results (``RESULT_CACHE_CONTROL``)."""
    return str(config.get("RESULT_CACHE_CONTROL") or DEFAULT_CACHE_CONTROL)


def make_key(text: str, *, dataset: tuple, formats: tuple, base_iri: str, version: str) -> tuple:
    """The name of one answer: normalised query text, dataset, formats, base IRI and data version.

    >>> make_key("SELECT * { ?s ?p ?o }", dataset=(), formats=(), base_iri="", version="1") == make_key(
    ...     "SELECT *\\n  { ?s ?p ?o }  # all", dataset=(), formats=(), base_iri="", version="1")
    True
    """
    return (normalise(text), dataset, formats, base_iri, version)


def etag_of(body: bytes) -> str:
    """A strong entity tag for a body."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


# Pieces kept verbatim (strings, IRIs, escapes) and runs of whitespace and comments, tried in this
# order at each position, so that a '#' or a space inside a string or an IRI is never touched.
_PIECES = re.compile(r"""
      '{3}(?:[^'\\]|\\.|'(?!''))*'{3}
    | "{3}(?:[^"\\]|\\.|"(?!""))*"{3}
    | '(?:[^'\\\n\r]|\\.)*'
    | "(?:[^"\\\n\r]|\\.)*"
    | <[^<>"{}|^`\\\x00-\x20]*>
    | \\.
    | (?P<gap>(?:\s|\#[^\r\n]*)+)
""", re.VERBOSE | re.DOTALL)


def normalise(text: str) -> str:
    r"""The query text with comments dropped and whitespace runs made one space, outside strings and IRIs.

    Remembered for the last thousand texts of up to 16 KiB: a client repeating a query pays the scan once.

    >>> normalise('SELECT ?s  # who\n WHERE { ?s <urn:a#b> "x  y" }')
    'SELECT ?s WHERE { ?s <urn:a#b> "x  y" }'
    >>> normalise("SELECT * { ?s ex:a\\#b ?o FILTER(?o < 3 ) }")
    'SELECT * { ?s ex:a\\#b ?o FILTER(?o < 3 ) }'
    >>> normalise("ASK { ?s ?p '''a  # b''' }  # end")
    "ASK { ?s ?p '''a  # b''' }"
    """
    if len(text) > _REMEMBERED_CHARS:
        return _normalised(text)
    return _remembered(text)


_REMEMBERED_CHARS = 16_384


@lru_cache(maxsize=1024)
def _remembered(text: str) -> str:
    return _normalised(text)


def _normalised(text: str) -> str:
    return _PIECES.sub(lambda match: " " if match.group("gap") else match.group(0), text).strip()


__all__ = ["CACHE_ATTRIBUTE", "DEFAULT_CACHE_CONTROL", "DEFAULT_CACHE_MB", "FRONT_ATTRIBUTE", "Entry", "ResultCache",
           "cache_control", "cache_for", "enabled", "etag_of", "forget", "make_key", "normalise", "text_length",
           "weight"]
