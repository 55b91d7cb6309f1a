"""Percentiles and process facts (RSS, CPU) without extra dependencies."""

from __future__ import annotations

import os
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default method), q in [0, 100]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summarize(samples_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "p50": round(percentile(samples_ms, 50), 2),
        "p95": round(percentile(samples_ms, 95), 2),
        "mean": round(sum(samples_ms) / len(samples_ms), 2) if samples_ms else float("nan"),
    }


def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024.0, 1)
    return float("nan")


def children(pid: int) -> list[int]:
    """Direct child pids (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    out = [pid]
    for child in children(pid):
        out += tree(child)
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User+system CPU seconds consumed by the processes (including reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[11..14] = utime stime cutime cstime (stat fields 14-17)
        total += sum(int(v) for v in fields[11:15]) / tick
    return total


def maps_mention(pid: int, needle: str) -> bool:
    """Whether a shared library / file matching ``needle`` is mapped into the process."""
    try:
        return needle in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False
