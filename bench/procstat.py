"""CPU time of another process on this machine, from Linux's /proc, for the benchmarks' per-process figures."""

from __future__ import annotations

import os
import time


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds ``pid`` has used so far; None where there is no such process or no /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def machine_pace(repeats: int = 5, steps: int = 200_000) -> float:
    """Nanoseconds a step of a fixed pure-Python loop (string, dict and integer work, like normalising) takes on this
    machine now: the best of ``repeats`` runs. It does not depend on Lintas' code, so it tells a slower machine, or a
    busy neighbour, from a slower change: the benchmarks print it before and after they measure. One shared machine here
    gave 226-468 ns within an hour."""
    best = float("inf")
    for _ in range(repeats):
        table: dict[str, int] = {}
        start = time.perf_counter()
        for number in range(steps):
            key = str(number % 1000)
            table[key] = table.get(key, 0) + len(key) * 3
        best = min(best, time.perf_counter() - start)
    return best / steps * 1e9
