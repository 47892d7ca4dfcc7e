"""The deterministic world generator: registry + seed + dates -> world store.

What every vendor shares is written here: the ``world`` row (the spec), the brands, the care
plan and each brand's campaigns. Then every vendor plug-in (``sandbox.vendors``, Meta first)
writes its own tables in turn. Each vendor draws from its own random streams, seeded by the
world seed and its account ids, so the same inputs always give the same world and adding a
brand leaves the others unchanged. Rows are written in Arrow batches.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pulse_config.registry import Registry, load_registry, registry_path
from sandbox.vendors import discover
from sandbox.world import care
from sandbox.world.entities import campaigns_of
from sandbox.world.scale import Volume
from sandbox.world.store import StoreWriter, columns

GENERATOR_VERSION = "9"  # 9: HubSpot CRM portals, contacts, deals (sandbox/world/crm.py)
# 8: Meta video posts' length and complete views
# 7: X long posts (note_tweet), quoted posts and reposts
# 6: accounts.business_converted_at (Instagram insights refused before it)
# 5: each Facebook account plants one link of each UTM defect kind
# 4: community care (reply speeds, threads, crisis, control brand)
DEFAULT_SEED = 42
DEFAULT_START = date(2025, 11, 1)
DEFAULT_DAYS = 365
HORIZON_DAYS = 14
# Meta's counts, also at the top of generate()'s totals: the CLI, ensure_world and the
# benchmark print them.
HEADLINE = ("accounts", "posts", "comments")


@dataclass(frozen=True)
class WorldSpec:
    """The inputs that fully determine a world."""

    seed: int = DEFAULT_SEED
    start: date = DEFAULT_START
    days: int = DEFAULT_DAYS
    horizon: int = HORIZON_DAYS
    volume: Volume = field(default_factory=Volume)  # rate multipliers (sandbox/world/scale.py)

    @property
    def span(self) -> int:
        return self.days + self.horizon


def generate(
    out: str | Path,
    registry: Registry | None = None,
    spec: WorldSpec | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Build the world store at ``out``; returns counts and the elapsed seconds."""
    spec = spec or WorldSpec()
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    reg_file = registry_path()
    registry = registry or load_registry(reg_file)
    reg_sha = hashlib.sha256(repr(registry).encode()).hexdigest()[:16]
    writer = StoreWriter(out)
    writer.insert(
        "world",
        {
            "seed": [spec.seed],
            "start_date": [spec.start],
            "days": [spec.days],
            "horizon": [spec.horizon],
            "generator_version": [GENERATOR_VERSION],
            "registry_sha": [reg_sha],
        },
    )
    # Its own table, outside the world hash: the default world's tables stay as they were.
    writer.con.execute("CREATE TABLE world_volume (knob VARCHAR, multiplier DOUBLE)")
    knobs = asdict(spec.volume)
    writer.insert("world_volume", {"knob": list(knobs), "multiplier": list(knobs.values())})
    writer.insert(
        "brands",
        columns(
            [
                {"brand_id": b.brand_id, "name": b.name, "timezone": b.timezone, "site": b.site}
                for b in registry.brands
            ]
        ),
    )
    writer.insert("care_plan", care.plan_rows([b.brand_id for b in registry.brands], spec))
    totals: dict[str, Any] = {"brands": len(registry.brands)}
    for brand in registry.brands:
        writer.insert("campaigns", columns(campaigns_of(brand, spec.seed, spec.start, spec.span)))
    for vendor in discover():
        writer.con.execute(vendor.ddl)
        say(f"  {vendor.name}:")
        began = time.perf_counter()
        totals[vendor.name] = vendor.generate(writer, registry, spec, say)
        say(f"  {vendor.name} done in {time.perf_counter() - began:.1f} s")
    writer.close()
    totals.update({key: totals["meta"][key] for key in HEADLINE})
    totals["seconds"] = round(time.perf_counter() - started, 2)
    return totals
