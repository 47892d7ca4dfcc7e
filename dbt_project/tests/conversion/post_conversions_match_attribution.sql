-- Invariant: per model, mart_post_conversions and mart_pillar_conversions hold every credit
-- and every session fct_attribution and fct_sessions give to a post of dim_posts, once.
{%- set models = attribution_models() %}
with posts as (
    select {{ dbt.concat(['platform', "':'", 'post_id']) }} as post_key
    from {{ ref('dim_posts') }}
),

expected as (
    select
        {%- for model in models %}
        sum(case when model = {{ dbt.string_literal(model) }} then credit else 0 end)
            as conversions_{{ model }},
        {%- endfor %}
        (select count(*) from {{ ref('fct_sessions') }}
         where post_key in (select post_key from posts)) as sessions
    from {{ ref('fct_attribution') }}
    where post_key in (select post_key from posts)
),

{%- for mart in ['mart_post_conversions', 'mart_pillar_conversions'] %}
{{ mart }}_totals as (
    select
        {{ dbt.string_literal(mart) }} as mart,
        {%- for model in models %}
        coalesce(sum(conversions_{{ model }}), 0) as conversions_{{ model }},
        {%- endfor %}
        coalesce(sum(sessions), 0) as sessions
    from {{ ref(mart) }}
){{ ',' if not loop.last }}
{%- endfor %}

select totals.*
from (
    select * from mart_post_conversions_totals
    union all
    select * from mart_pillar_conversions_totals
) as totals
cross join expected
where totals.sessions <> expected.sessions
{%- for model in models %}
   or {{ differs_beyond_rounding('totals.conversions_' ~ model, 'coalesce(expected.conversions_' ~ model ~ ', 0)') }}
{%- endfor %}
