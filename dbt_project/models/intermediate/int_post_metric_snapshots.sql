-- One row per post and snapshot date with the canonical lifetime metrics, mapped through the
-- metric registry (seeds/metric_registry.csv). metrics_basis says whether the day was read from
-- the API (snapshot) or rebuilt from an API's per-post daily series (daily_series: YouTube
-- Analytics and LinkedIn's time-bound share statistics, for the first 28 days of posts
-- published before the pipeline's first run).
--   * a platform metric maps only on snapshot dates inside its [valid_from, valid_to] and only
--     for the formats listed in applies_to_formats ('all' = every format);
--   * when several platform metrics give one canonical metric, the lowest priority number
--     present on that snapshot wins, and metrics of that same priority are summed (X: reposts
--     + quotes = shares);
--   * a canonical metric nothing maps to is NULL, never 0; platform metrics the registry does
--     not know are ignored, so a new API metric changes nothing until it is mapped.
--   * the means avg_view_share (0-1) and avg_watch_time_s are mapped the same way but kept as
--     doubles, never in interactions; each platform maps at most one metric per priority to
--     them, so the "sum" of the winning priority is that one value.
--   * a day rebuilt from a daily series (value_source 'daily_series') is kept only before the
--     post's first read from the API (its first 'snapshot' day): the series rebuilds the ages
--     of posts older than the pipeline's first run. A later day the snapshot schedule
--     (ingestion/snapshot_ages.py) did not read has no row: the post's value on it is its
--     latest read at or before it (docs/performance.md, "Snapshot schedule"), so a post's
--     latest row is always a read, with every metric its API gives (a LinkedIn series has no
--     reach).
-- Interactions and the three engagement rates follow product.md (macros/engagement.sql).
-- Incremental (docs/performance.md), restated by post: a build recomputes the whole history of
-- every post with a metric value in the last var('post_metrics_restatement_days') days, and of
-- every post whose followers at publication or publication date changed since its rows were
-- stored (a follower series restated late moves the followers, hence the ER, of old snapshots);
-- the other posts' rows are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['post_id', 'platform']) }}
{%- set metrics = ['reach', 'impressions', 'likes', 'comments', 'shares', 'saves',
                   'video_views', 'video_completions', 'clicks'] %}
{%- set means = ['avg_view_share', 'avg_watch_time_s'] %}
with
{%- if incremental_build() %}
restated_posts as (
    select distinct post_id, platform
    from {{ ref('int_post_metric_values') }}
    where {{ restated('snapshot_date', var('post_metrics_restatement_days'), 'snapshot_date') }}
    union
    select stored.post_id, stored.platform
    from {{ this }} as stored
    left join {{ ref('int_posts') }} as posts
        on stored.post_id = posts.post_id and stored.platform = posts.platform
    where stored.followers is distinct from posts.followers_at_publication
       or stored.post_age_days is distinct from
          {{ dbt.datediff('posts.published_date', 'stored.snapshot_date', 'day') }}
),
{%- endif %}

first_reads as (
    select post_id, platform, min(snapshot_date) as first_read_date
    from {{ ref('int_post_metric_values') }}
    where value_source = 'snapshot'
    group by post_id, platform
),

mapped as (
    select
        v.post_id,
        v.platform,
        v.snapshot_date,
        r.canonical_metric,
        r.priority,
        v.metric_value,
        v.value_source
    from {{ ref('int_post_metric_values') }} as v
    inner join {{ ref('metric_registry') }} as r
        on r.level = 'post'
       and v.platform = r.platform
       and v.platform_metric = r.platform_metric
       and {{ registry_valid_on('r', 'v.snapshot_date') }}
    -- Only posts of int_posts_unioned: X metrics of the brand's replies stay out.
    inner join {{ ref('int_posts_unioned') }} as p
        on v.post_id = p.post_id and v.platform = p.platform
    left join first_reads as fr
        on v.post_id = fr.post_id and v.platform = fr.platform
    {%- if incremental_build() %}
    inner join restated_posts
        on v.post_id = restated_posts.post_id and v.platform = restated_posts.platform
    {%- endif %}
    where (v.value_source = 'snapshot' or fr.first_read_date is null
           or v.snapshot_date < fr.first_read_date)
      and (r.applies_to_formats = 'all'
       or {{ dbt.position(dbt.concat(["'|'", "coalesce(p.format, '')", "'|'"]),
                       dbt.concat(["'|'", "r.applies_to_formats", "'|'"])) }} > 0)
),

ranked as (
    select
        *,
        min(priority) over (partition by post_id, platform, snapshot_date, canonical_metric) as best_priority
    from mapped
    where metric_value is not null
),

canonical as (
    select
        post_id,
        platform,
        snapshot_date,
        -- A day read from the API is a snapshot, even where a metric is summed from a series.
        case when max(case when value_source = 'snapshot' then 1 else 0 end) = 1
             then 'snapshot' else 'daily_series' end as metrics_basis
        {%- for m in metrics + means %},
        sum(case when canonical_metric = '{{ m }}' then metric_value end) as {{ m }}
        {%- endfor %}
    from ranked
    where priority = best_priority
    group by post_id, platform, snapshot_date
),

counted as (
    select
        post_id,
        platform,
        snapshot_date,
        metrics_basis,
        {%- for m in metrics %}
        {{ dbt.cast(m, dbt.type_bigint()) }} as {{ m }},
        {%- endfor %}
        {%- for m in means %}
        {{ dbt.cast(m, type_double()) }} as {{ m }},
        {%- endfor %}
        {{ dbt.cast(interactions('likes', 'comments', 'shares', 'saves'), dbt.type_bigint()) }} as interactions
    from canonical
),

with_followers as (
    select
        counted.*,
        {{ dbt.datediff('posts.published_date', 'counted.snapshot_date', 'day') }} as post_age_days,
        posts.followers_at_publication as followers
    from counted
    left join {{ ref('int_posts') }} as posts
        on counted.post_id = posts.post_id and counted.platform = posts.platform
),

rates as (
    select
        *,
        {{ engagement_rates('interactions', 'reach', 'followers', 'impressions') }}
    from with_followers
)

select
    *,
    {{ headline_er('er_by_reach', 'er_by_followers', 'er_by_impressions') }}
from rates
