{#- Wide metric columns -> the long shape (post_id, platform, snapshot_date, platform_metric,
    metric_value) that the metric registry maps. `fields` maps the platform's metric name (as
    its API spells it, which is what the registry keys on) to the column holding it; a list
    means name = column. NULL values are skipped: absent is not 0. -#}
{% macro unpivot_metrics(relation, post_id, platform, fields) -%}
    {%- set pairs = fields.items() if fields is mapping else zip(fields, fields) -%}
    {%- for api_name, column in pairs %}
    {{ 'union all' if not loop.first }}
    select
        {{ post_id }} as post_id,
        {{ dbt.string_literal(platform) }} as platform,
        snapshot_date,
        {{ dbt.string_literal(api_name) }} as platform_metric,
        {{ dbt.cast(column, dbt.type_bigint()) }} as metric_value
    from {{ relation }}
    where {{ column }} is not null
    {%- endfor %}
{%- endmacro %}
