{#- Wide metric columns -> the long shape (post_id, platform, snapshot_date, platform_metric,
    metric_value, value_source) that the metric registry maps. `fields` maps the platform's
    metric name (as its API spells it, which is what the registry keys on) to the column
    holding it; a list means name = column. NULL values are skipped: absent is not 0.
    `value_source` says where the lifetime values come from: 'snapshot' (read from the API
    on that day) or 'daily_series' (an API's per-post daily values summed to that day). -#}
{% macro unpivot_metrics(relation, post_id, platform, fields, value_source='snapshot') -%}
    {%- set pairs = fields.items() if fields is mapping else zip(fields, fields) -%}
    {%- for api_name, column in pairs %}
    {{ 'union all' if not loop.first }}
    select
        {{ post_id }} as post_id,
        {{ dbt.string_literal(platform) }} as platform,
        snapshot_date,
        {{ dbt.string_literal(api_name) }} as platform_metric,
        {{ dbt.cast(column, dbt.type_bigint()) }} as metric_value,
        {{ dbt.string_literal(value_source) }} as value_source
    from {{ relation }}
    where {{ column }} is not null
    {%- endfor %}
{%- endmacro %}
