-- LinkedIn share statistics of one post per UTC day (time-bound, DAY, with shares/ugcPosts):
-- activity within the day, not cumulative. One row per post and day, from the publication day
-- to D+28; summed to a day they rebuild the post's ages that have no lifetime snapshot
-- (int_linkedin__post_metric_values). Unique impressions of days do not add up.
with renamed as (
    select
        {{ dbt.cast('post_urn', dbt.type_string()) }} as post_urn,
        {{ dbt.cast('organization_id', dbt.type_string()) }} as organization_id,
        {{ dbt.cast(adapter.quote('date'), 'date') }} as activity_date,
        {{ dbt.cast('impression_count', dbt.type_bigint()) }} as impressions,
        {{ dbt.cast('unique_impressions_count', dbt.type_bigint()) }} as unique_impressions,
        {{ dbt.cast('click_count', dbt.type_bigint()) }} as clicks,
        {{ dbt.cast('like_count', dbt.type_bigint()) }} as likes,
        {{ dbt.cast('comment_count', dbt.type_bigint()) }} as comments,
        {{ dbt.cast('share_count', dbt.type_bigint()) }} as shares,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('linkedin', 'linkedin_post_statistics_daily')) }} as dlt_load_id
    from {{ source('linkedin', 'linkedin_post_statistics_daily') }}
)
{{ deduplicate('renamed', 'post_urn, activity_date', 'fetched_at desc') }}
