-- One row per post and snapshot date with the canonical lifetime metrics.
-- Mapping (docs: models/intermediate/_intermediate__models.yml). A metric the platform does
-- not give stays NULL, never 0.
with facebook as (
    select
        post_id,
        snapshot_date,
        max(case when metric = 'post_total_media_view_unique' then metric_value end) as reach,
        -- Meta's "views" (post_media_view) replaced post_impressions in 2025.
        max(case when metric = 'post_media_view' then metric_value end) as impressions,
        coalesce(
            max(case when metric = 'reactions' then metric_value end),
            sum(case when metric like 'post_reactions_by_type_total.%' then metric_value end)
        ) as likes,
        max(case when metric = 'comments' then metric_value end) as comments,
        -- The API omits `shares` when it is 0: with the post's fields present, absent = 0.
        case
            when max(case when metric = 'shares' then metric_value end) is not null
                then max(case when metric = 'shares' then metric_value end)
            when max(case when metric in ('reactions', 'comments') then 1 end) = 1 then 0
        end as shares,
        {{ dbt.cast('null', dbt.type_bigint()) }} as saves,
        max(case when metric in ('post_video_views', 'post_video_views_organic') then metric_value end) as video_views,
        max(case when metric = 'post_clicks' then metric_value end) as clicks
    from {{ ref('stg_meta__facebook_post_insights') }}
    group by post_id, snapshot_date
),

instagram_long as (
    select insights.*, posts.format
    from {{ ref('stg_meta__instagram_media_insights') }} as insights
    left join {{ ref('int_posts') }} as posts
        on insights.media_id = posts.post_id and posts.platform = 'instagram'
),

instagram as (
    select
        media_id as post_id,
        snapshot_date,
        max(case when metric = 'reach' then metric_value end) as reach,
        max(case when metric = 'views' then metric_value end) as impressions,
        coalesce(max(case when metric = 'like_count' then metric_value end),
                 max(case when metric = 'likes' then metric_value end)) as likes,
        coalesce(max(case when metric = 'comments_count' then metric_value end),
                 max(case when metric = 'comments' then metric_value end)) as comments,
        max(case when metric = 'shares' then metric_value end) as shares,
        max(case when metric = 'saved' then metric_value end) as saves,
        max(case when metric = 'views' and format in ('video', 'reel') then metric_value end) as video_views,
        -- Instagram gives no per-media link clicks.
        {{ dbt.cast('null', dbt.type_bigint()) }} as clicks
    from instagram_long
    group by media_id, snapshot_date
),

unioned as (
    select 'facebook' as platform, * from facebook
    union all
    select 'instagram' as platform, * from instagram
)

select
    post_id,
    platform,
    snapshot_date,
    {%- for m in ['reach', 'impressions', 'likes', 'comments', 'shares', 'saves', 'video_views', 'clicks'] %}
    {{ dbt.cast(m, dbt.type_bigint()) }} as {{ m }},
    {%- endfor %}
    {{ dbt.cast(interactions('likes', 'comments', 'shares', 'saves'), dbt.type_bigint()) }} as interactions
from unioned
