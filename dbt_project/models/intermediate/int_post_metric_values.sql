-- The six platforms' post metrics in the long shape the registry maps
-- (see intermediate/platforms/int_<platform>__post_metric_values).
{%- set platforms = vocabulary('platform') %}
{%- for platform in platforms %}
{{ 'union all' if not loop.first }}
select post_id, platform, snapshot_date, platform_metric, metric_value, value_source
from {{ ref('int_' ~ platform ~ '__post_metric_values') }}
{%- endfor %}
