-- Channel-level daily analytics (YouTube Analytics, dimensions=day without filter): one row per
-- channel and day. subscribers_gained - subscribers_lost is the channel's net subscriber change
-- that day (not the sum over its videos); the trailing days are re-pulled and merged by the source.
with renamed as (
    select
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ dbt.cast('day', 'date') }} as activity_date,
        {{ dbt.cast('views', dbt.type_bigint()) }} as views,
        {{ dbt.cast('subscribers_gained', dbt.type_bigint()) }} as subscribers_gained,
        {{ dbt.cast('subscribers_lost', dbt.type_bigint()) }} as subscribers_lost,
        {{ dbt.cast('subscribers_gained', dbt.type_bigint()) }}
            - {{ dbt.cast('subscribers_lost', dbt.type_bigint()) }} as net_subscribers,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('youtube', 'channel_daily')) }} as dlt_load_id
    from {{ source('youtube', 'channel_daily') }}
)
{{ deduplicate('renamed', 'channel_id, activity_date', 'fetched_at desc') }}
