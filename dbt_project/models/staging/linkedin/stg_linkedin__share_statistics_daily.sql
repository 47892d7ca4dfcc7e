-- LinkedIn organic share statistics of an organization per UTC day (time-bound, DAY): activity
-- within the day, not cumulative. One row per organization and day.
with renamed as (
    select
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast(adapter.quote('date'), 'date') }} as activity_date,
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
        {{ dlt_load_id(source('linkedin', 'linkedin_share_statistics_daily')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_share_statistics_daily') }}
)
{{ deduplicate('renamed', 'organization_id, activity_date', 'fetched_at desc') }}
