-- The six platforms' post metrics in the long shape the registry maps
-- (see intermediate/platforms/int_<platform>__post_metric_values).
-- Incremental (docs/performance.md): a build recomputes the snapshot days of the last
-- var('post_metrics_restatement_days') days and replaces them; older days are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='snapshot_date') }}
{%- set platforms = vocabulary('platform') %}
{%- for platform in platforms %}
{{ 'union all' if not loop.first }}
select post_id, platform, snapshot_date, platform_metric, metric_value, value_source
from {{ ref('int_' ~ platform ~ '__post_metric_values') }}
where {{ restated('snapshot_date', var('post_metrics_restatement_days')) }}
{%- endfor %}
