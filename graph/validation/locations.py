"""Find the file and line where each node is first stated, so results point at the data.

A node's location is the first line, in file order, that starts a statement with it as
subject (statements start at column 0 in the project's Turtle); a node that is never a
subject falls back to the first line that mentions it. Relative IRIs resolve against the
file's ``@base``, as the loader parses them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from graph.namespaces import BASE

DEFAULT_BASE = BASE + "id/"
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TERM = re.compile(r"<([^<>\"{}|^`\\\s]*)>|(?<![\w\"'])([A-Za-z][\w-]*)?:((?:[\w-]|\.(?=[\w-]))*)")


@dataclass(frozen=True)
class Location:
    """A place in a data file: path and 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}"


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else as given.

    >>> display_path(Path.cwd() / "graph" / "data" / "x.ttl")
    'graph/data/x.ttl'
    """
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class LocationIndex:
    """Where each node of a set of Turtle files is first stated.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "a.ttl"
    ...     _ = path.write_text('@base <https://w3id.org/inviolable/id/> .\\n<state/x> a <y> .\\n')
    ...     index = LocationIndex([path])
    ...     index.find("https://w3id.org/inviolable/id/state/x").line
    2
    """

    def __init__(self, paths: Iterable[Path]) -> None:
        self._subjects: dict[str, Location] = {}
        self._mentions: dict[str, Location] = {}
        for path in paths:
            self._scan(path)

    def find(self, node: str) -> Location | None:
        """The location of ``node`` (an IRI), or None when no scanned file mentions it."""
        return self._subjects.get(node) or self._mentions.get(node)

    def _scan(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        base, prefixes = DEFAULT_BASE, {}
        in_long_string = False
        for number, line in enumerate(lines, 1):
            if line.count('"""') % 2 == 1:
                in_long_string = not in_long_string
                continue
            if in_long_string:
                continue
            if (match := _BASE.match(line)) is not None:
                base = _resolve(base, match.group(1))
                continue
            if (match := _PREFIX.match(line)) is not None:
                prefixes[match.group(1) or ""] = _resolve(base, match.group(2))
                continue
            self._scan_line(path, number, _strip_comment(line), base, prefixes)

    def _scan_line(self, path: Path, number: int, line: str, base: str, prefixes: dict[str, str]) -> None:
        first = True
        for match in _TERM.finditer(_blank_strings(line)):
            if match.group(1) is not None:
                iri = _resolve(base, match.group(1))
            elif (match.group(2) or "") in prefixes:
                iri = prefixes[match.group(2) or ""] + match.group(3)
            else:
                continue
            location = Location(path, number)
            if first and match.start() == 0:
                self._subjects.setdefault(iri, location)
            self._mentions.setdefault(iri, location)
            first = False


def _resolve(base: str, reference: str) -> str:
    # urljoin would drop an empty fragment, as in <https://w3id.org/inviolable/ontology#>.
    return reference if _ABSOLUTE.match(reference) else urljoin(base, reference)


def _blank_strings(line: str) -> str:
    """Replace the contents of string literals by spaces, keeping columns."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: " " * len(m.group(0)), line)


def _strip_comment(line: str) -> str:
    blanked = _blank_strings(line)
    cut = re.search(r"(^|\s)#", blanked)
    return line[:cut.start()] if cut else line
