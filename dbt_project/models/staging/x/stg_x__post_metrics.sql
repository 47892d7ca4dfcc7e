-- Lifetime public metrics of the brands' tweets, one row per tweet and snapshot date (wide).
-- Interactions (product.md) = likes + replies + reposts + quotes + bookmarks; impressions beside.
with renamed as (
    select
        {{ dbt.cast('tweet_id', dbt.type_string()) }} as tweet_id,
        {{ dbt.cast('user_id', dbt.type_string()) }} as user_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('retweet_count', dbt.type_bigint()) }} as repost_count,
        {{ dbt.cast('reply_count', dbt.type_bigint()) }} as reply_count,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as like_count,
        {{ dbt.cast('quote_count', dbt.type_bigint()) }} as quote_count,
        {{ dbt.cast('bookmark_count', dbt.type_bigint()) }} as bookmark_count,
        {{ dbt.cast('impression_count', dbt.type_bigint()) }} as impression_count,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('x', 'post_metrics')) }} as dlt_load_id
    from {{ source('x', 'post_metrics') }}
)
{{ deduplicate('renamed', 'tweet_id, snapshot_date', 'fetched_at desc') }}
