"""The machine description, the Markdown summary of a results file, and the verdict on each target."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata

from bench.env import bench_bin
from bench.record import provenance


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(command: list[str]) -> str | None:
    if not shutil.which(command[0]):
        return None
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else None


def machine() -> dict:
    """What the figures were measured on: CPU, cores, memory, system, and the versions compared."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {
        "cpu": _cpu_model(), "cores": os.cpu_count(), "memory_gib": round(memory / 2**30, 1),
        "system": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "pyoxigraph": metadata.version("pyoxigraph"), "pyshacl": metadata.version("pyshacl"),
        "pyshacl_turbo": metadata.version("pyshacl-turbo"),
        "gunicorn": metadata.version("gunicorn"),
        "oxigraph_server": _version([str(bench_bin("oxigraph")), "--version"]),
        "rdflib_endpoint": _pip_version("rdflib-endpoint"),
        "wrk": (_version(["wrk", "-v"]) or "").split(" [")[0] or None,
    }


def _pip_version(package: str) -> str | None:
    if not bench_bin("pip").exists():
        return None
    done = subprocess.run([str(bench_bin("pip")), "show", package], capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return None


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _rps(value: float) -> str:
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def _statuses(runaway: dict | None) -> str:
    if not runaway:
        return "–"
    parts = [f"{'no answer' if status == '0' else status} × {count}" for status, count in runaway["statuses"].items()]
    return f"{runaway['sent']} sent: " + ", ".join(parts) + f"; answered after {runaway['median_s']} s (median)"


def _query_cell(figures: dict | None) -> str:
    if not figures:
        return "–"
    if figures.get("ms") is None:
        if figures.get("timed_out"):
            return f"> {figures['deadline_s']:g} s (stopped)"
        return "status " + ", ".join(str(status) for status in figures.get("statuses", [])) or "failed"
    if figures.get("timed_out"):
        return f"{_ms(figures['ms'])} ({figures['runs']} run(s), then stopped at {figures['deadline_s']:g} s)"
    return f"{_ms(figures['ms'])}"


def scale_tables(scale: dict) -> list[str]:
    """Build, validation and per-query tables, one column group per size."""
    sizes = list(scale)
    lines = ["### Build and validation", "",
             "| size | quads | parse s | validate s | load s | total s | load triples/s | end-to-end triples/s "
             "| peak MB | conforms |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for size in sizes:
        b = scale[size]["build"]
        lines.append(f"| {size} | {b['quads']:,} | {b['parse_s']} | {b.get('validate_s', '–')} | {b['load_s']} "
                     f"| {b['total_s']} | {b['load_tps']:,} | {b['end_to_end_tps']:,} | {b['peak_mb']:,.0f} "
                     f"| {b.get('conforms', '–')} |")
    names = sorted({name for size in sizes for name in scale[size]["queries"]})
    lines += ["", "### Competency queries on the synthetic graph (median ms: in-process / through the server)", "",
              "| query | " + " | ".join(sizes) + " |", "| --- |" + " ---: |" * len(sizes)]
    for name in names:
        cells = []
        for size in sizes:
            timing = scale[size]["queries"].get(name, {})
            rows = (timing.get("in_process") or {}).get("rows")
            cells.append(f"{_query_cell(timing.get('in_process'))} / {_query_cell(timing.get('server'))}"
                         + (f" ({rows} row{'' if rows == 1 else 's'})" if rows is not None else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for size in sizes:
        lines += [f"{size}: " + line for line in provenance(scale[size].get("provenance"))]
    skipped = next(iter(scale.values())).get("not_applicable", {})
    if skipped:
        lines += ["", "Not run on the synthetic graph: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()) + "."]
    return lines


def throughput_tables(throughput: dict) -> list[str]:
    """Requests per second, p50, p99 and errors per server and client count, then the ratios."""
    lines = ["### Endpoint throughput on the competency mix (real graph; medians of "
             f"{throughput['settings']['rounds']} rounds)", "",
             "| server | clients | req/s | p50 ms | p99 ms | errors / requests |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for server, by_clients in throughput["medians"].items():
        for clients, m in by_clients.items():
            latency = f"{_ms(m['p50_ms'])} | {_ms(m['p99_ms'])}" if m["rps"] else "– | –"
            lines.append(f"| {server} | {clients} | {_rps(m['rps'])} | {latency} | {m['errors']} / {m['requests']:,} |")
    lines += ["", "| clients | ratio | value |", "| ---: | --- | ---: |"]
    for clients, ratios in throughput["ratios"].items():
        for name, value in ratios.items():
            shown = value if value is not None else "not measured (the other server completed no request)"
            lines.append(f"| {clients} | {name} | {shown} |")
    return lines + ["", *provenance(throughput.get("provenance"))]


def soak_tables(soaks: list[dict]) -> list[str]:
    """One row per soak run: load figures, memory at start and end, runaways."""
    lines = ["### Soak (real graph)", "",
             "| run | clients | s | req/s | p50 ms | p99 ms | errors | memory MB first → last quarter (max) "
             "| runaways (statuses) |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for run in soaks:
        load, memory = run["load"], run["memory"]
        runaway = run.get("runaways")
        name = "competency mix"
        if run["runaway"]:
            name = "with a runaway each second, deadline " + (f"{run['deadline_s']:g} s" if run.get("deadline_s")
                                                                else "default")
        lines.append(
            f"| {name} | {run['clients']} | {run['seconds']:g} "
            f"| {_rps(load['rps'])} | {_ms(load['p50_ms'])} | {_ms(load['p99_ms'])} | {load['errors']} "
            f"| {memory.get('first_quarter_mb')} → {memory.get('last_quarter_mb')} ({memory.get('max_mb')}) "
            f"| {_statuses(runaway)} |")
    return lines


def _error_share(throughput: dict, name: str) -> float:
    figures = throughput["medians"].get(name, {}).get("8", {})
    return figures.get("errors", 0) / figures["requests"] if figures.get("requests") else 0.0


def _throughput_targets(throughput: dict) -> list[dict]:
    rows = []
    ratios = throughput["ratios"].get("8", {})
    goals = (("inviolable", "oxigraph", 3.0, "cache on"), ("inviolable-no-cache", "oxigraph", 0.8, "cache off"),
             ("inviolable", "rdflib-endpoint", 10.0, "cache on"))
    for ours, other, wanted, how in goals:
        if ours not in throughput["medians"] or other not in throughput["medians"]:
            continue
        value = ratios.get(f"rps {ours}/{other}")
        verdict = _verdict(value, wanted, higher_is_better=True)
        failed = [name for name in (ours, other) if _error_share(throughput, name) > 0.01]
        if failed:
            # Requests per second of answers that were errors say nothing about speed.
            verdict = f"not measured: {', '.join(failed)} answered over 1 % of requests with errors"
        rows.append({"target": f"req/s at 8 clients, {how}, ≥ {wanted:g} × {other}", "measured": value,
                     "verdict": verdict})
    p99 = throughput["medians"].get("inviolable", {}).get("8", {}).get("p99_ms")
    verdict = _verdict(p99, 50.0, higher_is_better=False)
    if _error_share(throughput, "inviolable") > 0.01:
        verdict = "not measured: over 1 % of requests were answered with errors"
    rows.append({"target": "p99 < 50 ms, competency mix, real graph, 8 clients, cache on", "measured": p99,
                 "verdict": verdict})
    return rows


def _verdict(measured: float | None, target: float, *, higher_is_better: bool) -> str:
    if measured is None:
        return "not measured"
    met = measured >= target if higher_is_better else measured <= target
    if met:
        return "met"
    if not higher_is_better and measured > 2 * target:
        return f"missed: {measured / target:,.0f} × the target"
    shortfall = (target - measured) / target if higher_is_better else (measured - target) / target
    return f"missed by {100 * shortfall:.0f} %"


def targets(results: dict) -> list[dict]:
    """Each target of the issue with the measured value and whether it was met (and by how much not)."""
    rows = []
    if results.get("throughput"):
        rows += _throughput_targets(results["throughput"])
    million = (results.get("scale") or {}).get("1M")
    if million:
        build = million["build"]
        rows.append({"target": "build + validate 1M synthetic triples < 20 s", "measured": build["total_s"],
                     "verdict": _verdict(build["total_s"], 20.0, higher_is_better=False)})
        rows.append({"target": "peak memory of that build < 3072 MB", "measured": build["peak_mb"],
                     "verdict": _verdict(build["peak_mb"], 3072.0, higher_is_better=False)})
    for run in results.get("soak") or []:
        load = run["load"]
        if run["runaway"] and run.get("deadline_s"):
            continue
        if run["runaway"]:
            rows.append({"target": "soak with a runaway each second: others' p99 < 100 ms",
                         "measured": load["p99_ms"], "verdict": _verdict(load["p99_ms"], 100.0,
                                                                           higher_is_better=False)})
        else:
            rows.append({"target": "soak 60 s at 32 clients: zero errors", "measured": load["errors"],
                         "verdict": "met" if load["errors"] == 0 else f"missed: {load['errors']} errors"})
            growth = run["memory"].get("growth_pct")
            rows.append({"target": "soak: memory flat (last quarter within 10 % of first)", "measured": growth,
                         "verdict": _verdict(growth, 10.0, higher_is_better=False) if growth is not None
                         else "not measured"})
    return rows


def markdown(results: dict) -> str:
    """The short Markdown summary of a results file: machine, targets, then each section measured."""
    info = results.get("machine", {})
    lines = ["# Benchmark results", "",
             f"Machine: {info.get('cpu')}, {info.get('cores')} cores, {info.get('memory_gib')} GiB, "
             f"{info.get('system')}, Python {info.get('python')}; pyoxigraph {info.get('pyoxigraph')}, "
             f"{info.get('oxigraph_server')}, rdflib-endpoint {info.get('rdflib_endpoint')}, {info.get('wrk')}; "
             f"pyshacl {info.get('pyshacl')}, pyshacl-turbo {info.get('pyshacl_turbo')}.", "",
             "## Targets", "", "| target | measured | verdict |", "| --- | ---: | --- |"]
    lines += [f"| {row['target']} | {row['measured']} | {row['verdict']} |" for row in targets(results)]
    if results.get("scale"):
        lines += ["", *scale_tables(results["scale"])]
    if results.get("throughput"):
        lines += ["", *throughput_tables(results["throughput"])]
    if results.get("soak"):
        lines += ["", *soak_tables(results["soak"]), "", *provenance(results.get("soak_provenance"))]
    return "\n".join(lines) + "\n"
