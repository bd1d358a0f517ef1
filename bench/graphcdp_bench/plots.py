"""PNG plots of the benchmark results: the scaling curve and the latency distributions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server or in CI

import matplotlib.pyplot as plt

SIDES = (("graphcdp", "-"), ("raw", "--"))


def plot_scaling(scaling: dict[str, Any], path: Path) -> Path:
    """Per-operation p50 (upsert, lookup; graphcdp and raw) and memory per person against people."""
    sizes = scaling["sizes"]
    people = [s["people"] for s in sizes]
    figure, (cost, memory) = plt.subplots(1, 2, figsize=(12, 4.5))
    for operation, marker in (("upsert", "o"), ("lookup", "s")):
        for side, style in SIDES:
            values = [s[operation][side]["p50"] for s in sizes]
            cost.plot(people, values, style, marker=marker, label=f"{operation}, {side}")
    cost.set(xscale="log", yscale="log", xlabel="people in the graph", ylabel="p50 per operation (ms)")
    cost.set_title("Per-operation cost as the graph grows")
    cost.legend()
    cost.grid(True, which="both", alpha=0.3)
    memory.plot(people, [s["memory"]["bytesPerPerson"] / 1024 for s in sizes], marker="o")
    memory.set(xscale="log", xlabel="people in the graph", ylabel="kB per person")
    memory.set_ylim(bottom=0)
    memory.set_title("Database memory per person")
    memory.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _cdf(axis: Any, quantiles: list[float], label: str, style: str, color: str) -> None:
    share = [k / max(len(quantiles) - 1, 1) for k in range(len(quantiles))]
    axis.plot(quantiles, share, style, label=label, color=color)


def _color(position: int) -> str:
    """One colour per client count, the same for graphcdp (solid) and the raw database (dashed)."""
    return f"C{position % 10}"


def plot_latency(upsert: dict[str, Any] | None, lookup: dict[str, Any] | None, path: Path) -> Path:
    """Cumulative latency distributions: single upserts per client count, and the context lookup per client
    count beside the raw database."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    if upsert:
        for position, (clients, summary) in enumerate(upsert["clients"].items()):
            _cdf(left, summary["quantilesMs"], f"{clients} clients", "-", _color(position))
    left.set_title("Single-record upsert over HTTP")
    if lookup:
        for side, style in SIDES:
            for position, (clients, summary) in enumerate(lookup[side].items()):
                _cdf(right, summary["quantilesMs"], f"{side}, {clients} clients", style, _color(position))
    right.set_title("Context lookup: graphcdp over HTTP vs raw database")
    for axis in (left, right):
        axis.set(xscale="log", xlabel="latency (ms)", ylabel="share of requests at or below")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
