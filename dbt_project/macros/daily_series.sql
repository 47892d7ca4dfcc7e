{#- The CTEs `series_posts`, `series_spine`, `series_days` and `series_to_date` that rebuild a
    post's early ages from its API's per-post daily series (docs/engagement_marts.md, D+N):
    every day from the publication day to var('daily_series_max_age_days') after it, up to the
    last day the account's series is served, on which no lifetime snapshot was read; for each,
    the running sum of every column of `metrics` (`<metric>_to_date`).
      daily       relation of the daily series: post_key, activity_date, the metrics
      posts       relation of the posts: post_key, account_key, published_at
      snapshots   relation of the lifetime snapshots: post_key, snapshot_date
      served      relation: account_key, served_through (the last served day)
    Only posts with a daily series get days: a post whose series was never read is not taken
    for one with no activity. absent_day_is_zero: the API omits days without activity (YouTube
    Analytics), so a missing day adds 0; otherwise (LinkedIn answers every day) a metric absent
    from every day up to the date stays NULL and gives no row. Use inside a model's WITH. -#}
{% macro daily_series_ctes(daily, posts, snapshots, served, post_key, account_key, metrics,
                           absent_day_is_zero) -%}
series_posts as (
    select posts.{{ post_key }}, {{ dbt.cast('posts.published_at', 'date') }} as published_date,
           served.served_through
    from {{ posts }} as posts
    inner join {{ served }} as served on posts.{{ account_key }} = served.{{ account_key }}
    where posts.{{ post_key }} in (select {{ post_key }} from {{ daily }})
),

series_spine as (
    {{ date_spine_days("(select min(published_date) from series_posts)",
                       "(select max(served_through) from series_posts)") }}
),

series_days as (
    select p.{{ post_key }}, spine.date_day as snapshot_date
    from series_posts as p
    inner join series_spine as spine
        on spine.date_day >= p.published_date
       and spine.date_day <= p.served_through
       and spine.date_day <= {{ dbt.dateadd('day', var('daily_series_max_age_days'), 'p.published_date') }}
    left join {{ snapshots }} as stats
        on p.{{ post_key }} = stats.{{ post_key }} and spine.date_day = stats.snapshot_date
    where stats.{{ post_key }} is null
),

series_to_date as (
    select
        d.{{ post_key }},
        d.snapshot_date
        {%- for m in metrics %},
        {% if absent_day_is_zero %}coalesce(sum(daily.{{ m }}), 0){% else %}sum(daily.{{ m }}){% endif %} as {{ m }}_to_date
        {%- endfor %}
    from series_days as d
    left join {{ daily }} as daily
        on d.{{ post_key }} = daily.{{ post_key }} and daily.activity_date <= d.snapshot_date
    group by d.{{ post_key }}, d.snapshot_date
)
{%- endmacro %}
