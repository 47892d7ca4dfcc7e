-- Conversion x touch x model: every touch of every attributed conversion's path
-- (int_attribution_touches) once per attribution model, with the credit the model gives it
-- (0 included, so each attributed conversion has all six models over the same touches).
-- Credit formulas: macros/attribution.sql. Credits of a conversion sum to 1 per model and
-- attributed_revenue = credit x the conversion's revenue.
-- Incremental (docs/performance.md): the conversions int_attribution_touches restates (the
-- last var('attribution_lookback_days') days) are recomputed and replaced; others are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='conversion_key') }}
with credited as (
    {%- for model in attribution_models() %}
    select
        touches.*,
        {{ dbt.string_literal(model) }} as model,
        {{ dbt.cast(attribution_credit(model), type_double()) }} as credit
    from {{ ref('int_attribution_touches') }} as touches
    where {{ restated('touches.converted_at', var('attribution_lookback_days'), 'converted_at') }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    conversion_key,
    session_key,
    model,
    credit,
    credit * revenue as attributed_revenue,
    revenue as conversion_revenue,
    currency,
    touch_number,
    touch_count,
    days_before_conversion,
    touch_at,
    converted_at,
    conversion_type,
    brand_id,
    site_id,
    is_conversion_session,
    is_direct,
    channel_group,
    source,
    medium,
    campaign,
    post_key,
    consent
from credited
