-- Daily per-video analytics (YouTube Analytics, dimensions=day filtered on each video): one row
-- per video and day. Activity of that day (not lifetime), from the video's publication on; the
-- trailing days are re-pulled and merged by the source while the video is in its 35-day window.
with renamed as (
    select
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ dbt.cast('day', 'date') }} as activity_date,
        {{ dbt.cast('views', dbt.type_bigint()) }} as views,
        {{ dbt.cast('estimated_minutes_watched', dbt.type_bigint()) }} as estimated_minutes_watched,
        {{ dbt.cast('average_view_duration_s', dbt.type_bigint()) }} as average_view_duration_s,
        {{ dbt.cast('average_view_percentage', type_double()) }} as average_view_percentage,
        {{ dbt.cast('likes', dbt.type_bigint()) }} as likes,
        {{ dbt.cast('comments', dbt.type_bigint()) }} as comments,
        {{ dbt.cast('shares', dbt.type_bigint()) }} as shares,
        {{ dbt.cast('subscribers_gained', dbt.type_bigint()) }} as subscribers_gained,
        {{ dbt.cast('subscribers_lost', dbt.type_bigint()) }} as subscribers_lost,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('youtube', 'video_daily')) }} as dlt_load_id
    from {{ source('youtube', 'video_daily') }}
)
{{ deduplicate('renamed', 'video_id, activity_date', 'fetched_at desc') }}
