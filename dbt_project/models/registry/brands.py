"""The brands of the brand registry, read when dbt builds: the registry (config/brands.yaml, or
the file PULSE_BRANDS names) is the only list of brand ids, names and time zones, so nothing
keeps a copy of it. ``load_registry`` validates it: a brand without a time zone, or with one
that is not an IANA name, fails this model, and the build, with the file and brand named."""

import pandas as pd

from pulse_config.registry import load_registry


def model(dbt, session):
    dbt.config(materialized="table")
    brands = load_registry().brands
    return pd.DataFrame(
        {
            "brand_id": [b.brand_id for b in brands],
            "brand_name": [b.name for b in brands],
            "timezone": [b.timezone for b in brands],
        },
        dtype="string",
    )
