"""Latency levels (one per client count) beside the raw database's: the ratio and the table rows shared by
the lookup and upsert benchmarks."""

from __future__ import annotations

from typing import Any

LEVELS_HEADER = (
    f"{'clients':>7} | {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7} | "
    f"{'raw p50':>8} {'raw p99':>8} {'raw /s':>7} | {'p50 x':>6} {'req/s x':>7}"
)


def ratio_to_raw(ours: dict[str, Any], raw: dict[str, Any]) -> dict[str, float]:
    """graphcdp's p50 over the raw p50, and the raw rate over graphcdp's: both read as "times slower"."""
    return {
        "p50": round(ours["p50"] / raw["p50"], 2) if raw["p50"] else 0.0,
        "requestsPerSecond": round(raw["requestsPerSecond"] / ours["requestsPerSecond"], 2),
    }


def level_rows(result: dict[str, Any], single: str, several: str) -> list[str]:
    """One row per client count for one process (`single`), then for `--workers N` (`several`) if measured;
    the raw columns where the raw side measured that count."""
    lines: list[str] = []
    sides = [(single, "ratio", "")]
    if "workers" in result:
        sides.append((several, "ratioWorkers", f" (--workers {result['workers']})"))
    if "clientsUngrouped" in result:
        sides.append(
            (
                "clientsUngrouped",
                "ratioUngrouped",
                " with every request written on its own (GRAPHCDP_UPSERT_GROUP_RECORDS=1)",
            )
        )
    for side, ratios, caption in sides:
        if caption:
            lines.append(f"graphcdp serve{caption}, beside the same raw levels:")
        for count, ours in result[side].items():
            line = (
                f"{count:>7} | {ours['p50']:>8.2f} {ours['p95']:>8.2f} {ours['p99']:>8.2f}"
                f" {ours['requestsPerSecond']:>7,.0f} |"
            )
            if (raw := result.get("raw", {}).get(count)) is not None:
                times = result[ratios][count]
                line += (
                    f" {raw['p50']:>8.2f} {raw['p99']:>8.2f} {raw['requestsPerSecond']:>7,.0f} |"
                    f" {times['p50']:>5.1f}x {times['requestsPerSecond']:>6.1f}x"
                )
            lines.append(line)
    return lines
