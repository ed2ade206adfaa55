"""How much of the curated data of a document the drafting assistant proposes.

For each document (by default the three plain-text news items registered after the first two),
draft it with ``graph.draft.draft_document``, then compare the draft's entity links and dates
with the curated files of ``graph/data/{slug}/`` (document layer; the inference layer and the
acknowledgements are not what a text can propose): precision, recall, and the items missed or
extra. It also counts the lines of Turtle written by hand for the document, apart from the
evidence blocks that ``inviolable locate --turtle`` prints and the inference layer.

    .venv/bin/python bench/draft_help.py [SLUG ...] [--sources DIR] [--json]

Runs in a few seconds; it reads the documents but writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.config import DATA_DIR, DEFAULT_SOURCES, settings  # noqa: E402
from graph.draft import draft_document  # noqa: E402
from graph.draft.measure import compare  # noqa: E402
from graph.draft.turtle import draft_triples  # noqa: E402
from graph.sources import find_document, read_document  # noqa: E402

NEWER = ("washington-venezuelan-embassy-canindia", "tripoli-russian-embassy-rt",
         "warsaw-russian-embassy-school-pledgetimes")
GENERATED = {"evidence.ttl", "acknowledgements.ttl"}


def turtle_lines(paths: list[Path]) -> int:
    """Lines that carry Turtle: not blank, not a comment, not a prefix or base declaration."""
    count = 0
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith(("#", "@prefix", "@base")):
                count += 1
    return count


def measure(slug: str, sources: Path, data_dir: Path = DATA_DIR) -> dict[str, object]:
    """The comparison and line counts for one document."""
    document = find_document(slug)
    draft = draft_document(document, read_document(document, sources))
    folder = data_dir / slug
    hand = sorted(p for p in folder.glob("*.ttl") if p.name not in GENERATED)
    curated = [quad for path in hand for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    result = compare(draft_triples(draft), curated).as_dict()
    result["lines"] = {"by hand": turtle_lines(hand), "evidence (pasted from locate)": turtle_lines(
        [folder / "evidence.ttl"] if (folder / "evidence.ttl").exists() else []),
        "inference layer": turtle_lines(sorted((folder / "inferred").glob("*.ttl")))}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*", default=list(NEWER))
    parser.add_argument("--sources", type=Path,
                        default=settings().sources or DEFAULT_SOURCES)
    parser.add_argument("--json", action="store_true", help="print the full comparison as JSON")
    args = parser.parse_args(argv)
    results = {slug: measure(slug, args.sources) for slug in args.slugs}
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    print(f"{'document':45} {'links P':>8} {'links R':>8} {'dates P':>8} {'dates R':>8} {'all P':>6} {'all R':>6}"
          f" {'hand':>5} {'evid.':>5} {'infer':>5}")
    for slug, r in results.items():
        e, d, c, lines = r["entities"], r["dates"], r["combined"], r["lines"]
        print(f"{slug:45} {_f(e['precision']):>8} {_f(e['recall']):>8} {_f(d['precision']):>8} {_f(d['recall']):>8}"
              f" {_f(c['precision']):>6} {_f(c['recall']):>6} {lines['by hand']:>5}"
              f" {lines['evidence (pasted from locate)']:>5} {lines['inference layer']:>5}")
    return 0


def _f(value: object) -> str:
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    raise SystemExit(main())
