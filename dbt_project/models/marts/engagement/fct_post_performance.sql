-- One row per post: metrics at its latest snapshot and at the ages D+1, D+7 and D+28 (the
-- snapshot taken exactly that many days after the publication date, UTC; NULL when none was
-- taken that day: never borrowed from another age), the three engagement rates (percent),
-- the headline ER with its formula name and version, and which denominators exist.
-- Followers = the account's followers on the publication date (UTC date), with its basis
-- (observed, reconstructed, nearest, current) and the days of change it does not account for.
-- An age's values come from a snapshot or, for posts older than the first run, from the API's
-- per-post daily series (metrics_basis_d<N>).
-- Video completion, named for what each API gives (docs/engagement_marts.md, Video completion):
-- avg_view_share = the average share of the video watched per view (0-1; YouTube Analytics
-- averageViewPercentage, Facebook average time watched / video length); video_completion_rate =
-- complete views / video views, percent (Facebook, the only API giving complete views);
-- avg_view_share_null_reason says why avg_view_share is NULL.
{%- set metrics = ['reach', 'impressions', 'likes', 'comments', 'shares', 'saves',
                   'video_views', 'video_completions', 'clicks', 'interactions'] %}
{%- set ages = [1, 7, 28] %}
{%- set video_formats = ['video', 'reel', 'live'] %}
with snapshots as (
    select
        *,
        row_number() over (partition by platform, post_id order by snapshot_date desc) as recency
    from {{ ref('int_post_metric_snapshots') }}
),

at_age as (
    select
        platform,
        post_id
        {%- for age in ages %}
        {%- for m in ['reach', 'impressions', 'interactions', 'er_headline', 'metrics_basis'] %},
        max(case when post_age_days = {{ age }} then {{ m }} end) as {{ m }}_d{{ age }}
        {%- endfor %}
        {%- endfor %}
    from snapshots
    group by platform, post_id
),

joined as (
    select
        posts.post_id,
        posts.platform,
        posts.account_id,
        posts.brand_id,
        posts.format,
        classification.pillar,
        posts.published_at,
        posts.published_date,
        posts.published_date_local,
        latest.snapshot_date as latest_snapshot_date,
        latest.post_age_days,
        {%- for m in metrics %}
        latest.{{ m }},
        {%- endfor %}
        latest.avg_view_share,
        latest.avg_watch_time_s,
        posts.followers_at_publication as followers,
        posts.followers_basis,
        posts.followers_gap_days,
        {%- for age in ages %}
        {%- for m in ['reach', 'impressions', 'interactions', 'er_headline', 'metrics_basis'] %}
        at_age.{{ m }}_d{{ age }},
        {%- endfor %}
        {%- endfor %}
        latest.reach is not null as has_reach,
        latest.impressions is not null as has_impressions,
        posts.followers_at_publication is not null as has_followers
    from {{ ref('int_posts') }} as posts
    left join {{ ref('int_post_classification') }} as classification
        on posts.post_id = classification.post_id and posts.platform = classification.platform
    left join snapshots as latest
        on posts.post_id = latest.post_id and posts.platform = latest.platform and latest.recency = 1
    left join at_age
        on posts.post_id = at_age.post_id and posts.platform = at_age.platform
),

rates as (
    select
        *,
        {{ engagement_rates('interactions', 'reach', 'followers', 'impressions') }},
        {{ engagement_rate('video_completions', 'video_views') }} as video_completion_rate,
        case
            when avg_view_share is not null then null
            when format not in (
                {%- for f in video_formats %}'{{ f }}'{{ ", " if not loop.last }}{% endfor -%}
            ) then 'not_a_video'
            when platform = 'tiktok' then 'api_gives_no_watch_time'
            when platform = 'instagram' then 'api_gives_no_video_duration'
            when platform in ('x', 'linkedin') then 'not_ingested'
            else 'not_reported_yet'
        end as avg_view_share_null_reason
    from joined
)

select
    *,
    {{ headline_er('er_by_reach', 'er_by_followers', 'er_by_impressions') }}
from rates
