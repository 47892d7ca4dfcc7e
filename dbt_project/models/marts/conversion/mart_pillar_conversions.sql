-- Brand x pillar x format x platform x month of publication: mart_post_conversions summed
-- over the posts published that month (UTC date), so the two marts add up. Measures are the
-- posts' lifetime sessions, conversions and revenue, credited to the month the post was
-- published in (not the month the visit or the conversion happened).
{%- set models = attribution_models() %}

select
    brand_id,
    pillar,
    format,
    platform,
    {{ dbt.cast(dbt.date_trunc('month', 'published_date'), 'date') }} as month_start,
    count(*) as posts,
    sum(case when sessions > 0 then 1 else 0 end) as posts_with_sessions,
    sum(sessions) as sessions,
    sum(engaged_sessions) as engaged_sessions,
    sum(conversions_touched) as conversions_touched,
    {%- for model in models %}
    sum(conversions_{{ model }}) as conversions_{{ model }},
    sum(revenue_{{ model }}) as revenue_{{ model }},
    {%- endfor %}
    max(currency) as currency
from {{ ref('mart_post_conversions') }}
group by
    brand_id,
    pillar,
    format,
    platform,
    {{ dbt.cast(dbt.date_trunc('month', 'published_date'), 'date') }}
