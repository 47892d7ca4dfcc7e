-- Lifetime video statistics as daily snapshots: one row per video and snapshot date.
-- Values are cumulative as of the snapshot; daily deltas come from consecutive snapshots.
with renamed as (
    select
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('view_count', dbt.type_bigint()) }} as view_count,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('favorite_count', dbt.type_bigint()) }} as favorite_count,
        {{ dbt.cast('comment_count', dbt.type_bigint()) }} as comment_count,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('youtube', 'video_stats')) }} as dlt_load_id
    from {{ source('youtube', 'video_stats') }}
)
{{ deduplicate('renamed', 'video_id, snapshot_date', 'fetched_at desc') }}
