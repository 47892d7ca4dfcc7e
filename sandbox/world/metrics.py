"""The lifetime curve every vendor's counts follow at the sandbox clock.

A post's count grows towards its final value as it ages; the API that serves it and the
manifest that says what a complete load holds both read it here, so they cannot disagree.
Meta's insight catalogue built on it lives in ``sandbox/vendors/meta/metrics.py``.
"""

from __future__ import annotations

import math
from datetime import datetime

GROWTH_HOURS = 30.0


def lifetime(final: int | float | None, age_hours: float) -> int:
    """The contract's curve: floor(final * (1 - exp(-age_hours / 30))), 0 before publication."""
    if not final or age_hours <= 0:
        return 0
    return int(math.floor(float(final) * (1.0 - math.exp(-age_hours / GROWTH_HOURS))))


def age_hours(created: datetime, now: datetime) -> float:
    """Post age in hours at ``now`` (both naive UTC)."""
    return (now - created).total_seconds() / 3600.0


def split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Divide ``total`` by ``shares``; the rounding remainder goes to the first key (sums match)."""
    parts = {key: int(math.floor(total * share)) for key, share in shares.items()}
    first = next(iter(parts))
    parts[first] += total - sum(parts.values())
    return parts
