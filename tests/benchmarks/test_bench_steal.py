"""The CPU steal share a benchmark phase records (benchmarks/bench_steal.py), from /proc/stat
lines written here by hand (proc(5): user nice system idle iowait irq softirq steal guest
guest_nice)."""

from __future__ import annotations

import pytest

from benchmarks.bench_steal import StealMeter, cpu_ticks

BEFORE = "cpu  100 0 50 800 10 0 5 35 7 0\ncpu0 50 0 25 400 5 0 2 18 3 0\n"
AFTER = "cpu  400 0 150 1300 10 0 5 135 20 0\ncpu0 200 0 75 650 5 0 2 68 10 0\n"


def test_steal_and_total_from_the_all_cpu_line() -> None:
    # guest time (7, 20) is already counted inside user time: left out of the total
    assert cpu_ticks(BEFORE) == (35, 100 + 50 + 800 + 10 + 5 + 35)
    assert cpu_ticks(AFTER) == (135, 400 + 150 + 1300 + 10 + 5 + 135)


def test_the_share_of_a_phase() -> None:
    meter = StealMeter(start=cpu_ticks(BEFORE))
    # (135 - 35) / (2000 - 1000): a tenth of the CPU time went to another guest
    assert meter.share(cpu_ticks(AFTER)) == pytest.approx(0.1)
    assert StealMeter(start=None).share(cpu_ticks(AFTER)) is None  # not Linux


def test_a_text_that_is_not_proc_stat_is_refused() -> None:
    with pytest.raises(ValueError, match="all-CPU line"):
        cpu_ticks("intr 1 2 3\n")
