"""The automation condition of the transforms: they follow their upstreams.

One condition for every derived asset (the dbt models, the text enrichment), evaluated by the
``dbt_follows_upstreams`` sensor of ``orchestration.definitions`` (docs/orchestration.md).
"""

from dagster import AutomationCondition

FOLLOW_UPSTREAMS = (
    AutomationCondition.eager() & AutomationCondition.all_deps_blocking_checks_passed()
).with_label("eager, after the blocking checks of its upstreams passed")
"""Rebuilt once any upstream was updated (a source's load, an asset rebuilt on the same tick),
when none is missing or in progress, and only once the blocking checks of its upstreams
passed: a raw table whose blocking GX suite failed refreshes nothing. Assets that share no
upstream with the updated table are left alone."""
