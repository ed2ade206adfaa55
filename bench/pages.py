"""Entity pages: the HTML page of the entities with the most evidence against the same entity as Turtle.

``.venv/bin/python -m bench.pages [--entities 3] [--repeat 15]`` builds the real graph, picks the
entities backed by the most evidence spans, and serves it twice with ``inviolable serve``
(documents configured, so pages quote their evidence):

- **cold**: the results cache switched off (``INVIOLABLE_RESULT_CACHE=0``), so every request
  gathers and renders its page (the query workers still remember the query texts they have checked);
- **warm**: the cache on, so a page rendered once is served from memory until the next write.

In each, every entity is requested ``--repeat`` times as HTML and as Turtle, alternately, after one
warm-up request of each; the warm-up HTML request, the entity's first, is also reported (a first
visit: no worker has seen its queries yet). The target (HTML within 2× of Turtle) is judged on each mode separately;
both are printed: the median times and their ratio, where a fresh HTML page's time goes (the
server's ``Server-Timing``: gathering the statements, the dossier or summary, the template), how
many warm answers came from the cache, then each mode's command, date and load average.
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


#: The parts of an HTML page's time the server reports (see server/blueprints/pages.py).
SPLIT = ("describe", "extras", "render")


def _get(host: str, port: int, path: str, accept: str) -> tuple[float, int, dict[str, float]]:
    connection = http.client.HTTPConnection(host, port, timeout=120)
    try:
        began = time.perf_counter()
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - began, response.status, server_timing(response.getheader("Server-Timing"))
    finally:
        connection.close()


def server_timing(header: str | None) -> dict[str, float]:
    """The durations of a ``Server-Timing`` header, in milliseconds by name.

    >>> server_timing("describe;dur=12.5, extras;dur=3"), server_timing("cache;desc=hit")
    ({'describe': 12.5, 'extras': 3.0}, {'cache': 0.0})
    """
    found = {}
    for metric in (header or "").split(","):
        name, _, params = metric.strip().partition(";")
        if name == "cache":  # a page from the cache: no durations
            found[name] = 0.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur" and name:
                found[name] = float(value)
    return found


def time_pages(url: str, entities: list[tuple[str, int]], *, repeat: int) -> list[dict]:
    """Median milliseconds of each entity's HTML page and its Turtle, measured alternately."""
    parts = urlsplit(url)
    rows = []
    for iri, spans in entities:
        path = "/id/" + iri.removeprefix(str(ID))
        times: dict[str, list[float]] = {"html": [], "turtle": []}
        split: dict[str, list[float]] = {}
        statuses = set()
        hits, first = 0, 0.0
        for number in range(repeat + 1):
            for kind, accept in (("html", "text/html"), ("turtle", "text/turtle")):
                seconds, status, timing = _get(parts.hostname or "127.0.0.1", parts.port or 80, path, accept)
                statuses.add(status)
                if not number and kind == "html":
                    first = seconds * 1000
                if number:  # the first request of each is a warm-up
                    times[kind].append(seconds * 1000)
                    hits += kind == "html" and "cache" in timing
                    for name, milliseconds in timing.items() if kind == "html" else ():
                        split.setdefault(name, []).append(milliseconds)
        html, turtle = statistics.median(times["html"]), statistics.median(times["turtle"])
        rows.append({"entity": path, "evidence_spans": spans, "html_ms": round(html, 1),
                     "turtle_ms": round(turtle, 1), "first_html_ms": round(first, 1),
                     "ratio": round(html / turtle, 2) if turtle else None,
                     "html_split_ms": {name: round(statistics.median(values), 1) for name, values in split.items()},
                     "statuses": sorted(statuses), "runs": repeat, "html_cache_hits": hits})
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
    modes = {}
    for mode, cache in (("cold", "0"), ("warm", "1")):
        with recorded(f"pages-{mode}", log=lambda m: print(m, file=sys.stderr)) as facts:
            with start_project(store, WORK_DIR / "logs" / "pages", env={**env, "INVIOLABLE_RESULT_CACHE": cache},
                               name=f"inviolable-{mode}") as server:
                modes[mode] = (time_pages(server.url, entities, repeat=args.repeat), facts)
    print("The target is HTML within 2× of Turtle, judged on each mode separately: cold (results cache off, "
          "every request renders) and warm (cache on, pages served from memory until a write).\n")
    print("| mode | entity | evidence spans | HTML ms | Turtle ms | HTML / Turtle | first HTML ms | statuses |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for mode, (rows, _) in modes.items():
        for row in rows:
            print(f"| {mode} | `{row['entity']}` | {row['evidence_spans']} | {row['html_ms']} | {row['turtle_ms']} "
                  f"| {row['ratio']} | {row['first_html_ms']} | {', '.join(map(str, row['statuses']))} |")
    print("\nfirst HTML ms: the entity's first HTML request to a fresh server, before its warm-up.")
    print("\nWhere a cold HTML page's time goes (median ms, from the server's Server-Timing header):\n")
    print("| entity | " + " | ".join(SPLIT) + " |")
    print("| --- |" + " ---: |" * len(SPLIT))
    for row in modes["cold"][0]:
        print(f"| `{row['entity']}` | " + " | ".join(str(row["html_split_ms"].get(name, "—")) for name in SPLIT) + " |")
    hits = sum(row["html_cache_hits"] for row in modes["warm"][0])
    print(f"\nWarm HTML answers from the cache: {hits} of {args.repeat * len(entities)}.")
    print("\nMedians of", args.repeat, "requests each;", "documents quoted." if sources else "documents not found.")
    for mode, (_, facts) in modes.items():
        print("\n".join(["", f"{mode}:", *provenance(facts)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
