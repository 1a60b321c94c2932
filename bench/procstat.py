"""CPU time of another process on this machine, from Linux's /proc, for the benchmarks' per-process figures."""

from __future__ import annotations

import os


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds ``pid`` has used so far; None where there is no such process or no /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
