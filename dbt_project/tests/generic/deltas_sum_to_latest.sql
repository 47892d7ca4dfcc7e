{#- Fails with one row per post and metric where the sum of the daily deltas differs from the
    latest non-NULL lifetime value: the invariant that makes deltas safe to sum over days.
    `model` has post_id, platform, snapshot_date, <metric> and <metric>_delta columns. -#}
{% test deltas_sum_to_latest(model, metrics) %}
with
{%- for m in metrics %}
{{ m }}_check as (
    select
        post_id,
        platform,
        '{{ m }}' as metric,
        sum({{ m }}_delta) as sum_of_deltas,
        max(case when is_latest then {{ m }} end) as latest_value
    from (
        select
            post_id,
            platform,
            {{ m }},
            {{ m }}_delta,
            snapshot_date = max(case when {{ m }} is not null then snapshot_date end)
                over (partition by platform, post_id) as is_latest
        from {{ model }}
    ) as rows_of_{{ m }}
    group by post_id, platform
){{ ',' if not loop.last }}
{%- endfor %}

{%- for m in metrics %}
{{ 'union all' if not loop.first }}
select * from {{ m }}_check
where coalesce(sum_of_deltas, -1) <> coalesce(latest_value, -1)
{%- endfor %}
{% endtest %}
