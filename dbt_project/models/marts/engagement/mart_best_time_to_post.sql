-- When to post: one row per brand x platform x local weekday x local hour with posts in the
-- trailing var('best_time_window_days') days. The window ends at the latest published_date
-- (UTC) in dim_posts, not at current_date, so a rerun on the same data gives the same answer.
-- A slot is ranked only when enough of its posts have a headline ER
-- (var('best_time_min_posts')): one lucky post does not make a best slot. The default window is
-- a year because 7 x 24 slots split the posts thinly: over 90 days almost no slot gets 5 posts.
-- Posts younger than var('er_min_post_age_days') have no ER here (mature_headline_er).
{%- set window_days = var('best_time_window_days', 365) %}
{%- set min_posts = var('best_time_min_posts', 5) %}

with posts as (
    select
        dim.brand_id,
        dim.platform,
        dim.weekday_local,
        dim.hour_local,
        dim.published_date,
        {{ mature_headline_er('perf') }}
    from {{ ref('dim_posts') }} as dim
    left join {{ ref('fct_post_performance') }} as perf
        on dim.post_id = perf.post_id
),

window_bounds as (
    select
        {{ dbt.cast(dbt.dateadd('day', -(window_days - 1), 'max(published_date)'), 'date') }} as window_start,
        max(published_date) as window_end
    from posts
),

slots as (
    select
        posts.brand_id,
        posts.platform,
        posts.weekday_local as weekday,
        posts.hour_local as hour,
        window_bounds.window_start,
        window_bounds.window_end,
        posts.er_formula,
        posts.er_formula_version,
        count(*) as posts,
        count(posts.er_headline) as posts_with_er,
        {{ median('posts.er_headline') }} as median_er,
        avg(posts.er_headline) as mean_er
    from posts
    cross join window_bounds
    where posts.published_date between window_bounds.window_start and window_bounds.window_end
    group by
        posts.brand_id, posts.platform, posts.weekday_local, posts.hour_local,
        window_bounds.window_start, window_bounds.window_end,
        posts.er_formula, posts.er_formula_version
),

flagged as (
    select
        *,
        posts_with_er >= {{ min_posts }} as meets_min_sample
    from slots
),

ranked as (
    select
        *,
        case
            when meets_min_sample then rank() over (
                partition by brand_id, platform, meets_min_sample
                order by median_er desc
            )
        end as rank_in_platform
    from flagged
)

select
    brand_id,
    platform,
    weekday,
    hour,
    posts,
    posts_with_er,
    median_er,
    mean_er,
    meets_min_sample,
    rank_in_platform,
    coalesce(rank_in_platform = 1, false) as is_best_slot,
    window_start,
    window_end,
    er_formula,
    er_formula_version
from ranked
