"""Freshness thresholds: ``config/freshness.yaml``, validated, one statement per source.

The file owns the numbers; ``orchestration.defs.freshness`` turns them into asset checks on the
raw tables and a freshness policy on the marts. A missing source, an unknown one or a warn
threshold above the fail one is refused with the file and key named, like the registry.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, PositiveFloat, ValidationError, model_validator

from pulse_config.paths import PROJECT_ROOT

FRESHNESS_ENV = "PULSE_FRESHNESS"
DEFAULT_FILE = PROJECT_ROOT / "config" / "freshness.yaml"


class BadFreshness(ValueError):
    """The freshness file is missing a source, names an unknown one or has a bad value."""


class Threshold(BaseModel):
    """When a check warns and when it fails."""

    model_config = ConfigDict(extra="forbid")
    warn_after_hours: PositiveFloat
    fail_after_hours: PositiveFloat

    @model_validator(mode="after")
    def _warn_first(self) -> Threshold:
        if self.warn_after_hours > self.fail_after_hours:
            raise ValueError("warn_after_hours is above fail_after_hours")
        return self

    @property
    def warn_after(self) -> timedelta:
        return timedelta(hours=self.warn_after_hours)

    @property
    def fail_after(self) -> timedelta:
        return timedelta(hours=self.fail_after_hours)


class Freshness(BaseModel):
    """Every source's threshold, and the marts'."""

    model_config = ConfigDict(extra="forbid")
    sources: dict[str, Threshold]
    marts: Threshold


def freshness_file(environ: dict[str, str] | None = None) -> Path:
    """``PULSE_FRESHNESS`` or ``config/freshness.yaml``."""
    value = (os.environ if environ is None else environ).get(FRESHNESS_ENV)
    return Path(value) if value else DEFAULT_FILE


def load_freshness(path: Path, sources: list[str]) -> Freshness:
    """The thresholds of ``path``, which must name exactly ``sources``."""
    try:
        loaded = Freshness.model_validate(yaml.safe_load(path.read_text()) or {})
    except (OSError, yaml.YAMLError) as exc:
        raise BadFreshness(f"{path}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise BadFreshness(f"{path}: {problems}") from None
    missing, unknown = set(sources) - set(loaded.sources), set(loaded.sources) - set(sources)
    if missing or unknown:
        raise BadFreshness(
            f"{path}: sources missing {sorted(missing)}, unknown {sorted(unknown)} "
            f"(known: {', '.join(sources)})"
        )
    return loaded
