-- Which pillars and formats engage, against their own past: one row per brand x platform x
-- pillar x format x ISO week with posts. Weeks follow the brand's LOCAL publication date (the
-- editorial calendar the team plans in). The baseline is the median headline ER of the same
-- brand x platform x pillar x format over the var('pillar_baseline_days') days before the
-- week's Monday, joined as a set (a range join, one pass) rather than one subquery per row.
-- Only posts at least var('er_min_post_age_days') old count in the ERs (mature_headline_er):
-- the current week's posts are still gaining interactions.
{%- set baseline_days = var('pillar_baseline_days', 90) %}
{%- set min_posts = var('pillar_baseline_min_posts', 5) %}
{%- set scale_lift = var('pillar_scale_lift', 0.20) %}
{%- set stop_lift = var('pillar_stop_lift', -0.20) %}

with posts as (
    select
        dim.brand_id,
        dim.platform,
        dim.pillar,
        dim.format,
        dim.published_date_local as post_date,
        {{ iso_week_start('dim.published_date_local') }} as week_start,
        {{ mature_headline_er('perf') }}
    from {{ ref('dim_posts') }} as dim
    left join {{ ref('fct_post_performance') }} as perf
        on dim.post_id = perf.post_id
),

weekly as (
    select
        brand_id,
        platform,
        pillar,
        format,
        week_start,
        er_formula,
        er_formula_version,
        count(*) as posts,
        count(er_headline) as posts_with_er,
        {{ median('er_headline') }} as median_er,
        avg(er_headline) as mean_er
    from posts
    group by brand_id, platform, pillar, format, week_start, er_formula, er_formula_version
),

-- Each week meets the posts of its trailing window [week_start - N days, week_start).
baseline as (
    select
        weekly.brand_id,
        weekly.platform,
        weekly.pillar,
        weekly.format,
        weekly.week_start,
        count(history.er_headline) as baseline_posts,
        {{ median('history.er_headline') }} as baseline_median_er
    from weekly
    inner join posts as history
        on weekly.brand_id = history.brand_id
       and weekly.platform = history.platform
       and weekly.pillar = history.pillar
       and weekly.format = history.format
       and history.post_date >= {{ dbt.cast(dbt.dateadd('day', -baseline_days, 'weekly.week_start'), 'date') }}
       and history.post_date < weekly.week_start
    group by weekly.brand_id, weekly.platform, weekly.pillar, weekly.format, weekly.week_start
),

lifted as (
    select
        weekly.brand_id,
        weekly.platform,
        weekly.pillar,
        weekly.format,
        weekly.week_start,
        weekly.posts,
        weekly.posts_with_er,
        weekly.median_er,
        weekly.mean_er,
        baseline.baseline_median_er,
        coalesce(baseline.baseline_posts, 0) as baseline_posts,
        -- (m - b) / b rather than m / b - 1: exact at the thresholds for exact inputs.
        case
            when baseline.baseline_median_er is null or baseline.baseline_median_er = 0 then null
            else (weekly.median_er - baseline.baseline_median_er) / baseline.baseline_median_er
        end as lift,
        weekly.er_formula,
        weekly.er_formula_version
    from weekly
    left join baseline
        on weekly.brand_id = baseline.brand_id
       and weekly.platform = baseline.platform
       and weekly.pillar = baseline.pillar
       and weekly.format = baseline.format
       and weekly.week_start = baseline.week_start
)

select
    brand_id,
    platform,
    pillar,
    format,
    week_start,
    {{ iso_year('week_start') }} as iso_year,
    {{ iso_week_number('week_start') }} as iso_week,
    posts,
    posts_with_er,
    median_er,
    mean_er,
    baseline_median_er,
    baseline_posts,
    lift,
    case
        when baseline_posts < {{ min_posts }} or lift is null then null
        when lift >= {{ scale_lift }} then 'scale'
        when lift <= {{ stop_lift }} then 'stop'
        else 'keep'
    end as recommendation,
    er_formula,
    er_formula_version
from lifted
