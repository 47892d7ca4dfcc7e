"""Peak memory of every process of a process tree, read from /proc while it runs.

A benchmark child (the Dagster job) starts workers, dbt and DuckDB inside them; each
process's own peak resident set (``VmHWM`` in ``/proc/<pid>/status``, which the kernel keeps
as a high-water mark) is read every ``interval_s`` for the root and all its descendants.
Reading /proc needs no dependency; a process that lives less than one interval may be
missed (its peak is then below what the sampler saw of its parent's tree anyway).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


@dataclass
class ProcessPeak:
    """One process: what it ran and the highest resident memory seen (MiB)."""

    pid: int
    command: str
    peak_mib: float
    first_seen_s: float
    last_seen_s: float


@dataclass
class TreeSampler:
    """Samples ``root``'s process tree in a background thread until ``stop()`` (or once, by
    calling ``sample()``)."""

    root: int
    interval_s: float = 0.2
    peaks: dict[int, ProcessPeak] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _started: float = field(default_factory=time.monotonic)

    def start(self) -> TreeSampler:
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> list[ProcessPeak]:
        """Stop sampling; every process seen, highest peak first."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        return self.highest_first()

    def highest_first(self) -> list[ProcessPeak]:
        """Every process seen so far, highest peak first (the sampler may go on)."""
        return sorted(list(self.peaks.values()), key=lambda p: p.peak_mib, reverse=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> None:
        now = time.monotonic() - self._started
        for pid in tree(self.root):
            peak = _peak_mib(pid)
            if peak is None:
                continue
            seen = self.peaks.get(pid)
            if seen is None:
                self.peaks[pid] = ProcessPeak(pid, _command(pid), peak, now, now)
            else:
                seen.peak_mib, seen.last_seen_s = max(seen.peak_mib, peak), now


def tree(root: int) -> list[int]:
    """``root`` and every descendant alive now (parent links from /proc/<pid>/stat)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command sits in parentheses and may hold spaces: the fields follow the last ')'
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _peak_mib(pid: int) -> float | None:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        return None
    return None


def _command(pid: int) -> str:
    """The process's command line, shortened to what tells processes apart."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "?"
    words = [w for w in raw.decode(errors="replace").split("\0") if w]
    named = [Path(w).name if i == 0 else w for i, w in enumerate(words)]
    return " ".join(named)[:120]


def kind(peak: ProcessPeak, root: int) -> str:
    """A short label: the root (the job's own process), a forked run worker (same command
    line as the root), dbt (DuckDB runs inside it), the sandbox, or the program's name."""
    words = peak.command.split(" ")
    if peak.pid == root:
        return "job process (Dagster, DuckDB)"
    if any(Path(word).name == "dbt" for word in words[:2]):
        return "dbt (DuckDB inside)"
    if "benchmarks.bench_job" in peak.command:
        return "run worker (forked)"
    if "benchmarks.bench_sandbox" in peak.command:
        return "sandbox (the vendor APIs)"
    return words[0]
