-- Conversion x eligible touch: the path each conversion is credited over (fct_attribution).
-- A touch is a session of the converting visitor (same site, same stitched visitor_key) that
-- started at or before the conversion and at most var('attribution_lookback_days') x 24 h
-- before it, whose consent is allowed (macro attribution_consent_allowed: never 'denied').
-- Conversion cycles: per visitor and conversion kind (orders; each goal apart), a path starts
-- after the previous conversion of the same kind, so a touch serves one conversion of a kind;
-- the converting session always belongs to its own conversion. A conversion whose own session
-- is not eligible (denied, or unknown under 'exclude') has no path and no rows here.
{%- set lookback_days = var('attribution_lookback_days') | int %}
{%- set half_life_days = var('attribution_time_decay_half_life_days') %}
-- Incremental (docs/performance.md): a build recomputes the paths of the conversions of the
-- last lookback days (var attribution_lookback_days, the window a late session can still
-- change a path in) and replaces them; older conversions' paths are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='conversion_key') }}

with sessions as (
    select
        session_key,
        site_id,
        brand_id,
        currency,
        -- A session without a visitor key is its own visitor: its path is itself.
        coalesce(visitor_key, session_key) as path_visitor_key,
        started_at,
        channel_group,
        source,
        medium,
        campaign,
        post_key,
        coalesce(consent, 'unknown') as consent,
        {{ attribution_consent_allowed('consent') }} as is_eligible
    from {{ ref('fct_sessions') }}
),

conversions as (
    select
        conversions.conversion_key,
        conversions.session_key,
        conversions.site_id,
        coalesce(conversions.brand_id, own.brand_id) as brand_id,
        coalesce(own.path_visitor_key, conversions.visitor_key, conversions.session_key)
            as path_visitor_key,
        conversions.converted_at,
        conversions.conversion_type,
        conversions.goal_id,
        coalesce(conversions.revenue, 0) as revenue,
        coalesce(conversions.currency, own.currency) as currency,
        -- The previous conversion of the same kind by the same visitor (attributed or not)
        -- closes the cycle before this one.
        lag(conversions.converted_at) over (
            partition by
                conversions.site_id,
                coalesce(own.path_visitor_key, conversions.visitor_key, conversions.session_key),
                conversions.conversion_type,
                coalesce({{ dbt.cast('conversions.goal_id', dbt.type_string()) }}, '')
            order by conversions.converted_at, conversions.conversion_key
        ) as previous_converted_at
    from {{ ref('fct_conversions') }} as conversions
    left join sessions as own
        on conversions.session_key = own.session_key
),

restated_conversions as (
    select * from conversions
    where {{ restated('converted_at', lookback_days) }}
),

-- The sessions a restated conversion's path can hold: a lookback before the earliest one.
touch_sessions as (
    select * from sessions
    where {{ restated('started_at', 2 * lookback_days, 'converted_at') }}
),

paths as (
    select
        conversions.conversion_key,
        touches.session_key,
        conversions.session_key as conversion_session_key,
        conversions.site_id,
        conversions.brand_id,
        conversions.path_visitor_key as visitor_key,
        conversions.conversion_type,
        conversions.goal_id,
        conversions.converted_at,
        conversions.revenue,
        conversions.currency,
        touches.started_at as touch_at,
        touches.channel_group,
        touches.source,
        touches.medium,
        touches.campaign,
        touches.post_key,
        touches.consent,
        coalesce(touches.channel_group = 'Direct', false) as is_direct,
        {{ dbt.datediff('touches.started_at', 'conversions.converted_at', 'second') }} / 86400.0
            as days_before_conversion
    from restated_conversions as conversions
    inner join touch_sessions as touches
        on conversions.site_id = touches.site_id
       and conversions.path_visitor_key = touches.path_visitor_key
       and touches.started_at <= conversions.converted_at
       and touches.started_at >= {{ dbt.dateadd('day', -lookback_days, 'conversions.converted_at') }}
       and (
            conversions.previous_converted_at is null
            or touches.started_at > conversions.previous_converted_at
            or touches.session_key = conversions.session_key
       )
    where touches.is_eligible
),

-- Only conversions whose own session made it into the path are attributed.
attributed as (
    select paths.*
    from paths
    where paths.conversion_key in (
        select conversion_key from paths where session_key = conversion_session_key
    )
),

numbered as (
    select
        attributed.*,
        row_number() over (
            partition by conversion_key order by touch_at, session_key
        ) as touch_number,
        count(*) over (partition by conversion_key) as touch_count,
        power(2.0, -1.0 * days_before_conversion / {{ half_life_days }}) as decay_weight
    from attributed
)

select
    conversion_key,
    session_key,
    session_key = conversion_session_key as is_conversion_session,
    site_id,
    brand_id,
    visitor_key,
    conversion_type,
    goal_id,
    converted_at,
    revenue,
    currency,
    touch_at,
    touch_number,
    touch_count,
    days_before_conversion,
    is_direct,
    coalesce(
        max(case when not is_direct then touch_number end) over (partition by conversion_key),
        touch_count
    ) as last_non_direct_touch_number,
    decay_weight,
    sum(decay_weight) over (partition by conversion_key) as decay_weight_total,
    channel_group,
    source,
    medium,
    campaign,
    post_key,
    consent
from numbered
