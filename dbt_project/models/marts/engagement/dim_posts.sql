-- One row per post (Facebook post or Instagram media) with its attributes and snapshot range.
with snapshot_bounds as (
    select
        post_id,
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date,
        count(*) as snapshot_count
    from {{ ref('int_post_metric_snapshots') }}
    group by post_id
)

select
    posts.post_id,
    posts.platform,
    posts.account_id,
    posts.brand_id,
    posts.published_at,
    posts.published_date,
    posts.format,
    posts.source_format,
    posts.post_text,
    posts.link_url,
    posts.permalink_url,
    snapshot_bounds.first_snapshot_date,
    snapshot_bounds.last_snapshot_date,
    coalesce(snapshot_bounds.snapshot_count, 0) as snapshot_count
from {{ ref('int_posts') }} as posts
left join snapshot_bounds on posts.post_id = snapshot_bounds.post_id
