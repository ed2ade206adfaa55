"""Plot cost against graph size from a results file (run with the bench environment's Python).

``var/bench-env/bin/python bench/plot.py RESULTS.json OUT.png``; it needs only matplotlib, not
the project, because matplotlib lives in the bench environment and never in the project's.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def plot(results: dict, out: str) -> None:
    """Draw build steps (left) and in-process query times (right) against the number of quads."""
    scale = results["scale"]
    sizes = sorted(scale, key=lambda name: scale[name]["build"]["quads"])
    quads = [scale[name]["build"]["quads"] for name in sizes]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for key, title in (("parse_s", "parse"), ("validate_s", "validate (SHACL)"), ("load_s", "bulk load to disk"),
                       ("total_s", "build end to end")):
        values = [scale[name]["build"].get(key) for name in sizes]
        points = [(q, v) for q, v in zip(quads, values, strict=True) if v]
        if points:
            left.plot(*zip(*points, strict=True), marker="o", label=title)
    left.axhline(60, color="grey", linestyle=":", linewidth=1, label="60 s target at 1M")
    left.set(xscale="log", yscale="log", xlabel="quads", ylabel="seconds", title="Build and validation")
    left.legend(fontsize=8)
    left.grid(True, which="both", alpha=0.3)
    names = sorted({name for size in sizes for name in scale[size]["queries"]})
    stopped: dict[int, list[str]] = {}
    deadline_ms = None
    for name in names:
        xs, ys = [], []
        for q, size in zip(quads, sizes, strict=True):
            timing = scale[size]["queries"].get(name, {}).get("in_process") or {}
            if timing.get("ms") is not None and not timing.get("timed_out"):
                xs.append(q)
                ys.append(timing["ms"])
            elif timing.get("timed_out"):
                stopped.setdefault(q, []).append(name)
                deadline_ms = timing["deadline_s"] * 1000
        if xs:
            right.plot(xs, ys, marker="o", label=name)
    if deadline_ms:
        right.axhline(deadline_ms, color="grey", linestyle=":", linewidth=1, label="deadline")
        for q, which in stopped.items():
            right.scatter([q], [deadline_ms], marker="x", s=60, color="black")
            right.annotate("stopped:\n" + "\n".join(which), (q, deadline_ms), textcoords="offset points",
                           xytext=(0, -12), ha="center", va="top", fontsize=7)
    right.set(xscale="log", yscale="log", xlabel="quads", ylabel="median ms, in-process",
              title="Competency queries")
    right.legend(fontsize=8, ncol=2)
    right.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(out, dpi=110)


def main(argv: list[str]) -> int:
    """Read the results file named first and write the PNG named second."""
    with open(argv[0], encoding="utf-8") as source:
        plot(json.load(source), argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
