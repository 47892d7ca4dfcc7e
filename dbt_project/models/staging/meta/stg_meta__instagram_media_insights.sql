-- Instagram lifetime media metrics, long format: one row per media, snapshot date and metric.
with renamed as (
    select
        {{ dbt.cast('media_id', dbt.type_string()) }} as media_id,
        {{ dbt.cast('ig_user_id', dbt.type_string()) }} as ig_user_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('metric', dbt.type_string()) }} as metric,
        {{ dbt.cast('value', dbt.type_bigint()) }} as metric_value,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'instagram_media_insights')) }} as dlt_load_id
    from {{ source('meta', 'instagram_media_insights') }}
)
{{ deduplicate('renamed', 'media_id, snapshot_date, metric', 'fetched_at desc') }}
