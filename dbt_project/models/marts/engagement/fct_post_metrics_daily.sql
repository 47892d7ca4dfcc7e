-- One row per post and snapshot date: lifetime (cumulative) values, the delta since the
-- previous snapshot, and the post's age, so posts can be compared at the same age (D+1, D+7..).
-- A day is a snapshot read from the API or, before the pipeline's first run, a day rebuilt
-- from the API's per-post daily series (metrics_basis).
-- Incremental (docs/performance.md), restated by post like int_post_metric_snapshots: a build
-- recomputes the whole history of every post with a snapshot in the last
-- var('post_metrics_restatement_days') days, and of every post whose attributes (account,
-- brand, format, publication date, followers and their basis) changed since its rows were
-- stored; the other posts' rows are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['post_id', 'platform']) }}
{%- set metrics = ['reach', 'impressions', 'likes', 'comments', 'shares', 'saves',
                   'video_views', 'video_completions', 'clicks', 'interactions'] %}
{%- if incremental_build() %}
with restated_posts as (
    select distinct post_id, platform
    from {{ ref('int_post_metric_snapshots') }}
    where {{ restated('snapshot_date', var('post_metrics_restatement_days'), 'snapshot_date') }}
    union
    select stored.post_id, stored.platform
    from {{ this }} as stored
    left join {{ ref('int_posts') }} as posts
        on stored.post_id = posts.post_id and stored.platform = posts.platform
    where stored.account_id is distinct from posts.account_id
       or stored.brand_id is distinct from posts.brand_id
       or stored.format is distinct from posts.format
       or stored.published_date is distinct from posts.published_date
       or stored.followers is distinct from posts.followers_at_publication
       or stored.followers_basis is distinct from posts.followers_basis
)
{%- endif %}
select
    snapshots.post_id,
    snapshots.snapshot_date,
    posts.platform,
    posts.account_id,
    posts.brand_id,
    posts.format,
    posts.published_date,
    snapshots.post_age_days,
    snapshots.metrics_basis,
    {%- for m in metrics %}
    snapshots.{{ m }},
    {%- endfor %}
    {%- for m in metrics %}
    deltas.{{ m }}_delta,
    {%- endfor %}
    deltas.is_first_snapshot,
    deltas.days_since_previous_snapshot,
    deltas.has_negative_delta,
    snapshots.followers,
    posts.followers_basis,
    snapshots.er_by_reach,
    snapshots.er_by_followers,
    snapshots.er_by_impressions,
    snapshots.er_headline,
    snapshots.er_formula,
    snapshots.er_formula_version
from {{ ref('int_post_metric_snapshots') }} as snapshots
inner join {{ ref('int_post_metric_deltas') }} as deltas
    on snapshots.post_id = deltas.post_id
   and snapshots.platform = deltas.platform
   and snapshots.snapshot_date = deltas.snapshot_date
inner join {{ ref('int_posts') }} as posts
    on snapshots.post_id = posts.post_id and snapshots.platform = posts.platform
{%- if incremental_build() %}
inner join restated_posts
    on snapshots.post_id = restated_posts.post_id and snapshots.platform = restated_posts.platform
{%- endif %}
