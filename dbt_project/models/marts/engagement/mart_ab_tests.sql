-- A/B tests: one row per experiment x variant (hashtags #ab_<dimension>_<experiment>_<variant>,
-- parsed into dim_posts). Each variant is compared with the control variant 'a' by a pooled
-- two-proportion z-test of interactions / exposure, where exposure is ONE metric per
-- experiment, named in exposure_metric: reach when every post of the experiment that has
-- interactions has reach, else impressions, else video_views, else none (no test). The
-- headline ER is not used: a two-proportion test needs a count of people exposed to each
-- variant, and followers on the publication day is one number for every post of the account,
-- not an exposure. Variants are compared
-- within one experiment_id, brand, platform and dimension: an experiment never mixes audiences
-- (and if an id ever spanned two, the grain test on experiment_id x variant would fail rather
-- than blend them).
-- Each post counts with its latest values (fct_post_performance): its latest read on the
-- snapshot schedule (docs/performance.md, "Snapshot schedule"), so every variant of an
-- experiment is compared on reads, never on a day rebuilt without reach.
{%- set alpha = var('ab_test_alpha', 0.05) %}
{%- set control = 'a' %}
{%- set scope = 'experiment_id, experiment_dimension, brand_id, platform' %}
{#- In order of preference: the first metric every post with interactions has is tested. -#}
{%- set exposure_metrics = ['reach', 'impressions', 'video_views'] %}

with posts as (
    select
        dim.experiment_id,
        dim.experiment_dimension,
        dim.experiment_variant as variant,
        dim.brand_id,
        dim.platform,
        dim.published_date,
        perf.interactions
        {%- for m in exposure_metrics %},
        perf.{{ m }}
        {%- endfor %}
    from {{ ref('dim_posts') }} as dim
    left join {{ ref('fct_post_performance') }} as perf
        on dim.post_id = perf.post_id
    where dim.experiment_id is not null
),

-- Posts with interactions that lack each candidate metric, counted over the experiment
-- (a window, not a join, so a NULL scope key cannot drop a post).
coverage as (
    select
        *,
        count(interactions) over (partition by {{ scope }}) as posts_with_interactions
        {%- for m in exposure_metrics %},
        sum(case when interactions is not null and {{ m }} is null then 1 else 0 end)
            over (partition by {{ scope }}) as interacted_without_{{ m }}
        {%- endfor %}
    from posts
),

-- The experiment's exposure metric and each post's value of it. No post with interactions:
-- nothing to test, so no metric (rather than a vacuous 'reach').
with_exposure as (
    select
        *,
        case
            when posts_with_interactions = 0 then null
            {%- for m in exposure_metrics %}
            when interacted_without_{{ m }} = 0 then {{ dbt.string_literal(m) }}
            {%- endfor %}
        end as exposure_metric
    from coverage
),

post_exposure as (
    select
        *,
        case exposure_metric
            {%- for m in exposure_metrics %}
            when {{ dbt.string_literal(m) }} then {{ m }}
            {%- endfor %}
        end as exposure_value
    from with_exposure
),

variants as (
    select
        experiment_id,
        experiment_dimension,
        brand_id,
        platform,
        variant,
        exposure_metric,
        count(*) as posts,
        sum(case when exposure_value is null then 1 else 0 end) as posts_without_exposure,
        -- Numerator and denominator describe the same posts: those with exposure and interactions.
        sum(case when interactions is not null then exposure_value end) as exposure,
        sum(case when exposure_value is not null then interactions end) as interactions,
        -- Descriptive ER by reach on the posts that have both (NULL on platforms without reach).
        sum(case when interactions is not null then reach end) as reach,
        sum(case when reach is not null then interactions end) as interactions_with_reach,
        min(published_date) as variant_start,
        max(published_date) as variant_end
    from post_exposure
    group by experiment_id, experiment_dimension, brand_id, platform, variant, exposure_metric
),

with_control as (
    select
        variants.*,
        {{ engagement_rate('variants.interactions', 'variants.exposure') }} as rate,
        {{ engagement_rate('variants.interactions_with_reach', 'variants.reach') }} as er_by_reach,
        {{ dbt.string_literal(control) }} as control_variant,
        control.exposure as control_exposure,
        control.interactions as control_interactions,
        {{ engagement_rate('control.interactions', 'control.exposure') }} as control_rate
    from variants
    left join variants as control
        on variants.experiment_id = control.experiment_id
       and variants.experiment_dimension = control.experiment_dimension
       and variants.brand_id = control.brand_id
       and variants.platform = control.platform
       and control.variant = {{ dbt.string_literal(control) }}
),

-- Pooled two-proportion z-test, proportions as fractions (not percent): p = x / n,
-- p_pool = (x1 + x2) / (n1 + n2), z = (p1 - p2) / sqrt(p_pool (1 - p_pool) (1/n1 + 1/n2)).
-- Interactions above exposure give p_pool > 1 and a negative variance: no test (NULL), no clamp.
proportions as (
    select
        *,
        case
            when variant = control_variant then null
            when exposure is null or exposure = 0 or control_exposure is null or control_exposure = 0 then null
            when interactions is null or control_interactions is null then null
            else {{ dbt.cast('interactions + control_interactions', type_double()) }}
                 / {{ dbt.cast('exposure + control_exposure', type_double()) }}
        end as p_pool,
        case when exposure > 0 then
            {{ dbt.cast('interactions', type_double()) }} / {{ dbt.cast('exposure', type_double()) }}
        end as p_variant,
        case when control_exposure > 0 then
            {{ dbt.cast('control_interactions', type_double()) }} / {{ dbt.cast('control_exposure', type_double()) }}
        end as p_control
    from with_control
),

tested as (
    select
        *,
        case
            when p_pool is null or p_pool * (1 - p_pool) <= 0 then null
            else (p_variant - p_control) / sqrt(
                p_pool * (1 - p_pool)
                * (1.0 / {{ dbt.cast('exposure', type_double()) }}
                   + 1.0 / {{ dbt.cast('control_exposure', type_double()) }})
            )
        end as z_raw
    from proportions
),

scored as (
    select
        *,
        {{ normal_two_sided_p_value('z_raw') }} as p_raw
    from tested
),

significant as (
    select
        *,
        case
            when p_raw is null then null
            else p_raw < {{ alpha }}
        end as is_significant
    from scored
),

-- Experiment-level columns, as windows over the scope (no self-join that a NULL key could drop).
-- Winner: among the control and the variants significantly different from it, the one with
-- the highest rate; NULL when no variant differs significantly from the control.
experiment_level as (
    select
        *,
        min(variant_start) over (partition by {{ scope }}) as experiment_start,
        max(variant_end) over (partition by {{ scope }}) as experiment_end,
        max(case when is_significant then 1 else 0 end) over (partition by {{ scope }})
            as has_significant_variant,
        first_value(variant) over (
            partition by {{ scope }}
            order by case when is_significant or variant = control_variant then rate end desc nulls last,
                     variant
            rows between unbounded preceding and unbounded following
        ) as best_candidate
    from significant
)

select
    experiment_id,
    variant,
    experiment_dimension,
    brand_id,
    platform,
    posts,
    posts_without_exposure,
    {{ dbt.cast('exposure_metric', dbt.type_string()) }} as exposure_metric,
    exposure,
    interactions,
    rate,
    control_variant,
    control_rate,
    reach,
    er_by_reach,
    case
        when variant = control_variant then null
        when control_rate is null or control_rate = 0 then null
        else (rate - control_rate) / control_rate
    end as lift,
    round(z_raw, 6) as z_statistic,
    round(p_raw, 6) as p_value,
    is_significant,
    case when has_significant_variant = 1 then best_candidate end as winner_variant,
    experiment_start,
    experiment_end
from experiment_level
