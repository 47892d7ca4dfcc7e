-- One row per brand and platform: how many posts have each engagement rate, the headline's
-- share, and on what basis the followers behind ER by followers rest. The availability matrix
-- of docs/engagement_marts.md, measured on the data instead of asserted.
{%- set bases = vocabulary('followers_basis') %}
with posts as (
    select * from {{ ref('fct_post_performance') }}
),

counted as (
    select
        brand_id,
        platform,
        count(*) as posts,
        sum(case when er_by_reach is not null then 1 else 0 end) as posts_with_er_by_reach,
        sum(case when er_by_followers is not null then 1 else 0 end) as posts_with_er_by_followers,
        sum(case when er_by_impressions is not null then 1 else 0 end) as posts_with_er_by_impressions,
        sum(case when er_headline is not null then 1 else 0 end) as posts_with_er_headline,
        {%- for basis in bases %}
        sum(case when followers_basis = '{{ basis }}' then 1 else 0 end) as posts_followers_{{ basis }},
        {%- endfor %}
        max(followers_gap_days) as max_followers_gap_days,
        max(er_formula) as er_formula,
        max(er_formula_version) as er_formula_version
    from posts
    group by brand_id, platform
)

select
    brand_id,
    platform,
    posts,
    posts_with_er_by_reach,
    posts_with_er_by_followers,
    posts_with_er_by_impressions,
    posts_with_er_headline,
    {%- for f in ['er_by_reach', 'er_by_followers', 'er_by_impressions', 'er_headline'] %}
    {{ dbt.cast('posts_with_' ~ f, type_double()) }} / posts as share_with_{{ f }},
    {%- endfor %}
    {%- for basis in bases %}
    posts_followers_{{ basis }},
    {%- endfor %}
    max_followers_gap_days,
    er_formula,
    er_formula_version
from counted
