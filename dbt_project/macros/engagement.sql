{#- Metric definitions from docs (product.md). Changing one is a versioned decision:
    bump var('er_formula_version'). -#}

{#- Interactions = likes + comments + shares + saves. Sums the components the platform gives
    (a NULL component counts as absent, not as 0); NULL only when every component is NULL. -#}
{% macro interactions(likes, comments, shares, saves) -%}
    case
        when {{ likes }} is null and {{ comments }} is null
         and {{ shares }} is null and {{ saves }} is null then null
        else coalesce({{ likes }}, 0) + coalesce({{ comments }}, 0)
           + coalesce({{ shares }}, 0) + coalesce({{ saves }}, 0)
    end
{%- endmacro %}

{#- A rate in percent; NULL (never 0) when the numerator or denominator is NULL or the
    denominator is 0. -#}
{% macro engagement_rate(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 or {{ numerator }} is null then null
        else {{ dbt.cast(numerator, type_double()) }} * 100.0 / {{ denominator }}
    end
{%- endmacro %}

{#- The headline ER, chosen once by var('headline_er_formula'), with its name and version.
    Every model that carries a headline ER calls this macro, so they cannot disagree.
    Arguments are the column names (or expressions) of the three rates. Emits three columns:
    er_headline, er_formula, er_formula_version. -#}
{% macro headline_er(er_by_reach, er_by_followers, er_by_impressions) -%}
    {%- set formula = var('headline_er_formula') -%}
    {%- set choices = {
        'by_reach': er_by_reach,
        'by_followers': er_by_followers,
        'by_impressions': er_by_impressions,
    } -%}
    {%- if formula not in choices -%}
        {{ exceptions.raise_compiler_error(
            "var headline_er_formula must be one of by_reach, by_followers, by_impressions; got '"
            ~ formula ~ "'") }}
    {%- endif -%}
    {{ choices[formula] }} as er_headline,
    {{ dbt.cast(dbt.string_literal(formula), dbt.type_string()) }} as er_formula,
    {{ dbt.cast(dbt.string_literal(var('er_formula_version')), dbt.type_string()) }} as er_formula_version
{%- endmacro %}

{#- The three rates as columns er_by_reach, er_by_followers, er_by_impressions. Aggregates pass
    the interactions of the posts that have each denominator (interactions_with_reach,
    interactions_with_impressions), so a post without reach does not inflate ER by reach. -#}
{% macro engagement_rates(interactions, reach, followers, impressions,
                          interactions_with_reach=none, interactions_with_impressions=none) -%}
    {{ engagement_rate(interactions_with_reach or interactions, reach) }} as er_by_reach,
    {{ engagement_rate(interactions, followers) }} as er_by_followers,
    {{ engagement_rate(interactions_with_impressions or interactions, impressions) }} as er_by_impressions
{%- endmacro %}

{#- The headline ER of a post for comparisons across weeks and slots: NULL while the post is
    younger than var('er_min_post_age_days') at its latest snapshot, because a post still
    gaining interactions would read as a decline against mature ones. `perf` is the alias of
    fct_post_performance. Emits er_headline, er_formula, er_formula_version. -#}
{% macro mature_headline_er(perf) -%}
    {%- set min_age = var('er_min_post_age_days', 7) -%}
    {%- set mature = perf ~ '.post_age_days >= ' ~ min_age -%}
    {{ headline_er(
        'case when ' ~ mature ~ ' then ' ~ perf ~ '.er_by_reach end',
        'case when ' ~ mature ~ ' then ' ~ perf ~ '.er_by_followers end',
        'case when ' ~ mature ~ ' then ' ~ perf ~ '.er_by_impressions end') }}
{%- endmacro %}
