-- Closed-won deal x touch x model: each closed-won deal's amount credited to the channels,
-- campaigns and social posts of its touches under the six attribution models of
-- fct_attribution (macros/attribution.sql), so a deal's credits sum to 1 and its attributed
-- revenue to its amount under each model (tests/conversion/deal_attribution_*.sql).
-- Touches (docs/identity.md, "Deal attribution"): the linked contact's
-- attribution-eligible sessions of the deal's brand that started at or before the close (no
-- lookback: the sales cycle is the window). A deal with none (contact not linked, or no visit
-- before the close) gets one touch from the contact's original source (hs_analytics_source and
-- the UTMs HubSpot stored), flagged is_original_source_fallback.
{%- set half_life_days = var('attribution_time_decay_half_life_days') %}
with won as (
    select *
    from {{ ref('fct_crm_deals') }}
    where is_closed_won and closed_at is not null
),

sessions as (
    select
        session_key, brand_id, visitor_key, started_at, channel_group, source, medium,
        campaign, post_key, consent
    from {{ ref('fct_sessions') }}
    where {{ attribution_consent_allowed('consent') }}
),

visit_touches as (
    select
        won.deal_key,
        sessions.session_key as touch_key,
        sessions.session_key,
        sessions.started_at as touch_at,
        sessions.channel_group,
        sessions.source,
        sessions.medium,
        sessions.campaign,
        sessions.post_key,
        sessions.consent
    from won
    inner join sessions
        on won.brand_id = sessions.brand_id
       and won.web_user_key = sessions.visitor_key
       and sessions.started_at <= won.closed_at
),

-- HubSpot's original source as GA4's channel group (hs_analytics_source values:
-- https://knowledge.hubspot.com/contacts/understand-source-properties); OFFLINE (imports, the
-- CRM's UI, integrations) and OTHER_CAMPAIGNS match no GA4 rule: Unassigned.
fallback_touches as (
    select
        deal_key,
        {{ dbt.concat(["deal_key", "':original_source'"]) }} as touch_key,
        {{ dbt.cast('null', dbt.type_string()) }} as session_key,
        coalesce(contact_created_at, created_at) as touch_at,
        case original_source
            when 'ORGANIC_SEARCH' then 'Organic Search'
            when 'PAID_SEARCH' then 'Paid Search'
            when 'EMAIL_MARKETING' then 'Email'
            when 'SOCIAL_MEDIA' then 'Organic Social'
            when 'PAID_SOCIAL' then 'Paid Social'
            when 'REFERRALS' then 'Referral'
            when 'AI_REFERRALS' then 'Referral'
            when 'DIRECT_TRAFFIC' then 'Direct'
            else 'Unassigned'
        end as channel_group,
        coalesce(
            {{ utm_normalise('original_utm_source') }}, lower(original_source_detail_1)
        ) as source,
        {{ utm_normalise('original_utm_medium') }} as medium,
        coalesce({{ utm_normalise('original_utm_campaign') }}, '(not set)') as campaign,
        {{ dbt.cast('null', dbt.type_string()) }} as post_key,
        {{ dbt.cast('null', dbt.type_string()) }} as consent
    from won
    where deal_key not in (select deal_key from visit_touches)
),

touches as (
    select *, false as is_original_source_fallback from visit_touches
    union all
    select *, true as is_original_source_fallback from fallback_touches
),

numbered as (
    select
        touches.*,
        won.portal_id,
        won.deal_id,
        won.brand_id,
        won.closed_at,
        won.close_date,
        coalesce(won.amount, 0) as deal_amount,
        won.currency,
        won.is_linked,
        coalesce(touches.channel_group = 'Direct', false) as is_direct,
        row_number() over (
            partition by touches.deal_key order by touches.touch_at, touches.touch_key
        ) as touch_number,
        count(*) over (partition by touches.deal_key) as touch_count,
        greatest(
            {{ dbt.datediff('touches.touch_at', 'won.closed_at', 'second') }} / 86400.0, 0
        ) as days_before_close
    from touches
    inner join won on touches.deal_key = won.deal_key
),

weighted as (
    select
        numbered.*,
        coalesce(
            max(case when not is_direct then touch_number end) over (partition by deal_key),
            touch_count
        ) as last_non_direct_touch_number,
        power(2.0, -1.0 * days_before_close / {{ half_life_days }}) as decay_weight
    from numbered
),

paths as (
    select
        weighted.*,
        sum(decay_weight) over (partition by deal_key) as decay_weight_total
    from weighted
),

credited as (
    {%- for model in attribution_models() %}
    select
        paths.*,
        {{ dbt.string_literal(model) }} as model,
        {{ dbt.cast(attribution_credit(model), type_double()) }} as credit
    from paths
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select
    deal_key,
    touch_key,
    model,
    credit,
    credit * deal_amount as attributed_revenue,
    deal_amount,
    currency,
    portal_id,
    deal_id,
    brand_id,
    closed_at,
    close_date,
    is_linked,
    is_original_source_fallback,
    session_key,
    touch_number,
    touch_count,
    touch_at,
    days_before_close,
    is_direct,
    channel_group,
    source,
    medium,
    campaign,
    post_key,
    consent
from credited
