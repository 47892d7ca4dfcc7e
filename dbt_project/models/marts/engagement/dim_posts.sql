-- One row per post of the six platforms: when (UTC and the brand's local time), what
-- (format, hashtags, link and UTM, campaign, pillar, experiment tag, partnership and
-- disclosure, parent post) and its snapshot range.
with snapshot_bounds as (
    select
        post_id,
        platform,
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date,
        count(*) as snapshot_count
    from {{ ref('int_post_metric_snapshots') }}
    group by post_id, platform
)

select
    posts.post_id,
    posts.platform,
    posts.account_id,
    posts.brand_id,
    posts.format,
    posts.source_format,
    posts.published_at,
    posts.published_date,
    posts.timezone,
    posts.published_at_local,
    posts.published_date_local,
    posts.weekday_local,
    posts.hour_local,
    posts.hashtags,
    posts.hashtag_count,
    posts.link_url,
    posts.utm_source,
    posts.utm_medium,
    posts.utm_campaign,
    posts.utm_content,
    posts.utm_term,
    classification.campaign,
    classification.pillar,
    classification.pillar_rule_id,
    posts.experiment_id,
    posts.experiment_dimension,
    posts.experiment_variant,
    classification.is_partnership,
    classification.is_disclosed,
    classification.parent_post_id,
    posts.permalink_url,
    snapshot_bounds.first_snapshot_date,
    snapshot_bounds.last_snapshot_date,
    coalesce(snapshot_bounds.snapshot_count, 0) as snapshot_count
from {{ ref('int_posts') }} as posts
left join {{ ref('int_post_classification') }} as classification
    on posts.post_id = classification.post_id and posts.platform = classification.platform
left join snapshot_bounds
    on posts.post_id = snapshot_bounds.post_id and posts.platform = snapshot_bounds.platform
