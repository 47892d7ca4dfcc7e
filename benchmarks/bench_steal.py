"""CPU time the host took from this virtual machine while a benchmark phase ran.

The first line of ``/proc/stat`` counts, since boot, the clock ticks all CPUs spent in each
state: user, nice, system, idle, iowait, irq, softirq, steal, ... (proc(5)). ``steal`` is
time this guest was ready to run while the hypervisor ran another. On this project's 2-core
VM it reached 32-35 % during a test run, and two of three daily Dagster builds ran every dbt
node about three times slower on the same data (BENCHMARKS.md): a phase recorded with its
steal share says whether the host, not the code, slowed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROC_STAT = Path("/proc/stat")
STEAL_FIELD = 7  # 0-based among the numbers after "cpu"


def cpu_ticks(text: str) -> tuple[int, int]:
    """(steal, total) ticks of all CPUs from the text of ``/proc/stat``."""
    first = text.splitlines()[0].split()
    if first[0] != "cpu":
        raise ValueError(f"/proc/stat does not start with the all-CPU line: {first[:1]}")
    ticks = [int(value) for value in first[1:9]]  # guest time is already inside user and nice
    steal = ticks[STEAL_FIELD] if len(ticks) > STEAL_FIELD else 0
    return steal, sum(ticks)


def read_ticks() -> tuple[int, int] | None:
    """This machine's ticks now; None where /proc/stat is not there (not Linux)."""
    try:
        return cpu_ticks(PROC_STAT.read_text())
    except OSError:
        return None


@dataclass
class StealMeter:
    """Started at creation; ``share()`` is the stolen share of all CPU time since then."""

    start: tuple[int, int] | None = field(default_factory=read_ticks)

    def share(self, now: tuple[int, int] | None = None) -> float | None:
        now = now if now is not None else read_ticks()
        if self.start is None or now is None or now[1] <= self.start[1]:
            return None
        return (now[0] - self.start[0]) / (now[1] - self.start[1])
