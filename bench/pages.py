"""Entity pages: the HTML page of the entities with the most evidence against the same entity as Turtle.

``.venv/bin/python -m bench.pages [--entities 3] [--repeat 15]`` builds the real graph, serves it
with ``inviolable serve`` (documents configured, so pages quote their evidence), picks the
entities backed by the most evidence spans, and requests each one ``--repeat`` times as HTML and
as Turtle, alternately, after one warm-up request of each. It prints the median times and their
ratio as a Markdown table, then the command, the date and the load average.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
from urllib.parse import urlsplit

from bench.env import WORK_DIR
from bench.record import provenance, recorded
from graph.config import settings
from graph.namespaces import ID
from graph.store import open_built_store

_MOST_EVIDENCE = """SELECT ?s (COUNT(DISTINCT ?ev) AS ?n) WHERE {
    ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?ev FILTER(STRSTARTS(STR(?s), "%s")) }
    GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT %d"""


def _get(host: str, port: int, path: str, accept: str) -> tuple[float, int, int]:
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        began = time.perf_counter()
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        body = response.read()
        return time.perf_counter() - began, response.status, len(body)
    finally:
        connection.close()


def time_pages(url: str, entities: list[tuple[str, int]], *, repeat: int) -> list[dict]:
    """Median milliseconds of each entity's HTML page and its Turtle, measured alternately."""
    parts = urlsplit(url)
    rows = []
    for iri, spans in entities:
        path = "/id/" + iri.removeprefix(str(ID))
        times: dict[str, list[float]] = {"html": [], "turtle": []}
        statuses = set()
        for number in range(repeat + 1):
            for kind, accept in (("html", "text/html"), ("turtle", "text/turtle")):
                seconds, status, _ = _get(parts.hostname or "127.0.0.1", parts.port or 80, path, accept)
                statuses.add(status)
                if number:  # the first request of each is a warm-up
                    times[kind].append(seconds * 1000)
        html, turtle = statistics.median(times["html"]), statistics.median(times["turtle"])
        rows.append({"entity": path, "evidence_spans": spans, "html_ms": round(html, 1),
                     "turtle_ms": round(turtle, 1), "ratio": round(html / turtle, 2) if turtle else None,
                     "statuses": sorted(statuses), "runs": repeat})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Build, serve, time the pages and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    from bench.data import real_store
    from bench.servers import start_project

    sources = settings().sources
    store, _ = real_store(WORK_DIR, sources=sources)
    opened = open_built_store(store)
    entities = [(row[0].value, int(row[1].value))
                for row in opened.query(_MOST_EVIDENCE % (ID, args.entities), union_default=True)]
    del opened
    env = {"INVIOLABLE_SOURCES": str(sources)} if sources else {}
    with recorded("pages", log=lambda m: print(m, file=sys.stderr)) as facts:
        with start_project(store, WORK_DIR / "logs" / "pages", env=env) as server:
            rows = time_pages(server.url, entities, repeat=args.repeat)
    print("| entity | evidence spans | HTML ms | Turtle ms | HTML / Turtle | statuses |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for row in rows:
        print(f"| `{row['entity']}` | {row['evidence_spans']} | {row['html_ms']} | {row['turtle_ms']} "
              f"| {row['ratio']} | {', '.join(map(str, row['statuses']))} |")
    print("\nMedians of", args.repeat, "requests each;", "documents quoted." if sources else "documents not found.")
    print("\n".join(["", *provenance(facts)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
