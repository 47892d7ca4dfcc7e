-- LinkedIn lifetime share statistics per post: one row per post and snapshot date. Values are
-- cumulative as of the snapshot; `engagement` is LinkedIn's own ratio, kept beside the counts.
with renamed as (
    select
        {{ dbt.cast('post_urn', dbt.type_string()) }} as post_urn,
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('impression_count', dbt.type_bigint()) }} as impressions,
        {{ dbt.cast('unique_impressions_count', dbt.type_bigint()) }} as unique_impressions,
        {{ dbt.cast('click_count', dbt.type_bigint()) }} as clicks,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as likes,
        {{ dbt.cast('comment_count', dbt.type_bigint()) }} as comments,
        {{ dbt.cast('share_count', dbt.type_bigint()) }} as shares,
        {{ dbt.cast('comment_mentions_count', dbt.type_bigint()) }} as comment_mentions,
        {{ dbt.cast('share_mentions_count', dbt.type_bigint()) }} as share_mentions,
        {{ dbt.cast('engagement', type_double()) }} as linkedin_engagement_ratio,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('linkedin', 'linkedin_post_statistics')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_post_statistics') }}
)
{{ deduplicate('renamed', 'post_urn, snapshot_date', 'fetched_at desc') }}
