-- One row per social post of dim_posts: the web sessions its link brought (fct_sessions whose
-- post_key names it, any consent) and the conversions and revenue credited to those sessions
-- under each attribution model (fct_attribution, wide: conversions_<model>, revenue_<model>).
-- A post with no session keeps its row with zeros.
{%- set models = attribution_models() %}

with posts as (
    select
        {{ dbt.concat(['platform', "':'", 'post_id']) }} as post_key,
        post_id,
        platform,
        brand_id,
        account_id,
        published_at,
        published_date,
        pillar,
        format,
        campaign,
        link_url
    from {{ ref('dim_posts') }}
),

post_sessions as (
    select
        post_key,
        count(*) as sessions,
        sum(case when is_engaged then 1 else 0 end) as engaged_sessions
    from {{ ref('fct_sessions') }}
    where post_key is not null
    group by post_key
),

post_attribution as (
    select
        post_key,
        count(distinct conversion_key) as conversions_touched,
        {%- for model in models %}
        sum(case when model = {{ dbt.string_literal(model) }} then credit else 0 end)
            as conversions_{{ model }},
        sum(case when model = {{ dbt.string_literal(model) }} then attributed_revenue else 0 end)
            as revenue_{{ model }},
        {%- endfor %}
        max(currency) as currency
    from {{ ref('fct_attribution') }}
    where post_key is not null
    group by post_key
)

select
    posts.post_key,
    posts.post_id,
    posts.platform,
    posts.brand_id,
    posts.account_id,
    posts.published_at,
    posts.published_date,
    posts.pillar,
    posts.format,
    posts.campaign,
    posts.link_url,
    coalesce(post_sessions.sessions, 0) as sessions,
    coalesce(post_sessions.engaged_sessions, 0) as engaged_sessions,
    coalesce(post_attribution.conversions_touched, 0) as conversions_touched,
    {%- for model in models %}
    coalesce(post_attribution.conversions_{{ model }}, 0) as conversions_{{ model }},
    coalesce(post_attribution.revenue_{{ model }}, 0) as revenue_{{ model }},
    {%- endfor %}
    post_attribution.currency
from posts
left join post_sessions
    on posts.post_key = post_sessions.post_key
left join post_attribution
    on posts.post_key = post_attribution.post_key
