-- Facebook lifetime post metrics, long format: one row per post, snapshot date and metric.
-- Values are cumulative (lifetime) as of the snapshot; pivoting happens in intermediate.
with renamed as (
    select
        {{ dbt.cast('post_id', dbt.type_string()) }} as post_id,
        {{ dbt.cast('page_id', dbt.type_string()) }} as page_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('metric', dbt.type_string()) }} as metric,
        {{ dbt.cast('value', dbt.type_bigint()) }} as metric_value,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'facebook_post_insights')) }} as dlt_load_id
    from {{ source('meta', 'facebook_post_insights') }}
)
{{ deduplicate('renamed', 'post_id, snapshot_date, metric', 'fetched_at desc') }}
