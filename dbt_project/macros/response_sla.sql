{#- Inbound care helpers (fct_inbound_items; docs: "Inbound items and response SLAs"). -#}

{#- The keywords of seeds/inbound_category_rules.csv, one row per rule x keyword: the
    '|'-separated list is split with dbt.split_part over positions 1..max_keywords (portable:
    no regex, no unnest). Rules without keywords (rating-only rules) keep one row with a NULL
    keyword. -#}
{% macro inbound_rule_keywords(rules, max_keywords=40) -%}
    with rk_digits as (
        select 0 as d union all select 1 union all select 2 union all select 3
        union all select 4 union all select 5 union all select 6 union all select 7
        union all select 8 union all select 9
    ),

    rk_positions as (
        select a.d + 10 * b.d + 1 as keyword_position
        from rk_digits as a
        cross join rk_digits as b
        where a.d + 10 * b.d + 1 <= {{ max_keywords }}
    ),

    rk_split as (
        select
            rules.rule_id,
            positions.keyword_position,
            lower({{ dbt.split_part('rules.keywords', "'|'", 'positions.keyword_position') }}) as keyword
        from {{ rules }} as rules
        cross join rk_positions as positions
        where rules.keywords is not null
    )

    select rule_id, keyword from rk_split where keyword is not null and keyword <> ''
    union all
    select rule_id, {{ dbt.cast('null', dbt.type_string()) }} as keyword
    from {{ rules }}
    where keywords is null
{%- endmacro %}

{#- The p-th continuous percentile (0 <= p <= 1) of a numeric expression as an aggregate
    (NULLs ignored), as macro median does: ordered-set percentile_cont is standard SQL
    (DuckDB, Postgres, Snowflake, Redshift, Spark 3.3+); engines without it override. -#}
{% macro percentile(expr, p) -%}
    {{ return(adapter.dispatch('percentile', 'community_pulse')(expr, p)) }}
{%- endmacro %}

{% macro default__percentile(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro bigquery__percentile(expr, p) -%}
    approx_quantiles({{ expr }}, 100)[offset({{ (p * 100) | int }})]
{%- endmacro %}
