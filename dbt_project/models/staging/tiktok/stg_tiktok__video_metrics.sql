-- TikTok lifetime video counts, wide: one row per video and snapshot date. The Display API
-- gives no reach: downstream reach (and ER by reach) is NULL for TikTok, never 0.
with renamed as (
    select
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ dbt.cast('open_id', dbt.type_string()) }} as open_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('view_count', dbt.type_bigint()) }} as view_count,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('comment_count', dbt.type_bigint()) }} as comment_count,
        {{ dbt.cast('share_count', dbt.type_bigint()) }} as share_count,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('tiktok', 'tiktok_video_metrics')) }} as dlt_load_id
    from {{ source('tiktok', 'tiktok_video_metrics') }}
)
{{ deduplicate('renamed', 'video_id, snapshot_date', 'fetched_at desc') }}
