"""Every suite the warehouse runs, by the table it guards."""

from data_quality.spec import Suite
from data_quality.suites import conversion, engagement, raw_meta, reputation

ALL_SUITES: tuple[Suite, ...] = (
    *raw_meta.SUITES,
    *engagement.SUITES,
    *conversion.SUITES,
    *conversion.DEAL_SUITES,
    *reputation.SUITES,
)

__all__ = ["ALL_SUITES"]
