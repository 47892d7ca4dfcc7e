-- Matomo visits: one row per (site_id, visit_id). Visitor/user keys are pseudonymised hashes.
-- Consent comes from the site's consent dimension (raw `consent`; no signal -> 'unknown').
-- UTMs: the MarketingCampaignsReporting plugin fields (campaign_*) when present, else the
-- landing URL's query string, else Matomo's referrer fields; utm_origin says which. Values are
-- normalised (utm_normalise: lower-case, trimmed, URL-decoded; sources through the alias seed)
-- and the raw_utm_* columns keep them as tagged, for UTM quality. See docs/conversion_marts.md.
with renamed as (
    select
        {{ dbt.cast('site_id', dbt.type_string()) }} as site_id,
        {{ dbt.cast('visit_id', dbt.type_bigint()) }} as visit_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('visit_date', 'date') }} as visit_date,
        {{ utc_timestamp('first_action_at') }} as first_action_at,
        {{ utc_timestamp('last_action_at') }} as last_action_at,
        {{ dbt.cast('visit_duration_s', dbt.type_bigint()) }} as visit_duration_s,
        {{ dbt.cast('actions', dbt.type_bigint()) }} as pageviews,
        {{ dbt.cast('visit_count', dbt.type_bigint()) }} as visitor_visit_number,
        {{ dbt.cast('visitor_type', dbt.type_string()) }} as visitor_type,
        {{ dbt.cast('visitor_id_hash', dbt.type_string()) }} as visitor_key,
        {{ dbt.cast('user_id_hash', dbt.type_string()) }} as user_key,
        {{ dbt.cast('consent', dbt.type_string()) }} as raw_consent,
        {{ dbt.cast('consent_dimension', dbt.type_string()) }} as consent_dimension,
        {{ dbt.cast('referrer_type', dbt.type_string()) }} as referrer_type,
        {{ dbt.cast('referrer_name', dbt.type_string()) }} as referrer_name,
        {{ dbt.cast('referrer_keyword', dbt.type_string()) }} as referrer_keyword,
        {{ dbt.cast('referrer_url', dbt.type_string()) }} as referrer_url,
        {{ dbt.cast('campaign_name', dbt.type_string()) }} as campaign_name,
        {{ dbt.cast('campaign_source', dbt.type_string()) }} as campaign_source,
        {{ dbt.cast('campaign_medium', dbt.type_string()) }} as campaign_medium,
        {{ dbt.cast('campaign_content', dbt.type_string()) }} as campaign_content,
        {{ dbt.cast('campaign_keyword', dbt.type_string()) }} as campaign_keyword,
        {{ dbt.cast('entry_url', dbt.type_string()) }} as entry_url,
        {{ dbt.cast('device_type', dbt.type_string()) }} as device_type,
        {{ dbt.cast('goal_conversions', dbt.type_bigint()) }} as goal_conversions,
        {{ dbt.cast('visit_converted', dbt.type_boolean()) }} as is_converted,
        {{ dbt.cast('revenue', type_double()) }} as order_revenue,
        {{ dbt.cast('currency', dbt.type_string()) }} as currency_code,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('matomo', 'visits')) }} as dlt_load_id
    from {{ source('matomo', 'visits') }}
),

deduplicated as (
    {{ deduplicate('renamed', 'site_id, visit_id', 'fetched_at desc') }}
),

-- The three places a visit's UTMs can come from, side by side.
candidates as (
    select
        deduplicated.*,
        {{ url_path('entry_url') }} as landing_page,
        {{ url_host('entry_url') }} as landing_host,
        {{ utm_names_not_lower('entry_url') }} as has_upper_case_utm_names,
        coalesce({{ url_parameter('entry_url', 'utm_source') }}, {{ url_parameter('entry_url', 'mtm_source') }}) as url_source,
        coalesce({{ url_parameter('entry_url', 'utm_medium') }}, {{ url_parameter('entry_url', 'mtm_medium') }}) as url_medium,
        coalesce({{ url_parameter('entry_url', 'utm_campaign') }}, {{ url_parameter('entry_url', 'mtm_campaign') }}) as url_campaign,
        coalesce({{ url_parameter('entry_url', 'utm_content') }}, {{ url_parameter('entry_url', 'mtm_content') }}) as url_content,
        coalesce({{ url_parameter('entry_url', 'utm_term') }}, {{ url_parameter('entry_url', 'mtm_keyword') }}) as url_term,
        case
            when {{ url_parameter('entry_url', 'gclid') }} is not null then 'gclid'
            when {{ url_parameter('entry_url', 'wbraid') }} is not null then 'wbraid'
            when {{ url_parameter('entry_url', 'gbraid') }} is not null then 'gbraid'
            when {{ url_parameter('entry_url', 'msclkid') }} is not null then 'msclkid'
        end as paid_click_id,
        {{ url_parameter('entry_url', 'fbclid') }} is not null as has_fbclid,
        {{ url_parameter('entry_url', 'ttclid') }} is not null as has_ttclid,
        -- Referrer fields, read as GA4 would name them.
        case
            when referrer_type = 'campaign' then '(not set)'
            when referrer_type = 'search' then coalesce({{ utm_normalise('referrer_name') }}, '(not set)')
            when referrer_type in ('website', 'social', 'ai')
                then coalesce({{ url_host('referrer_url', strip_www=true) }}, {{ utm_normalise('referrer_name') }}, '(not set)')
            else '(direct)'
        end as referrer_source,
        case
            when referrer_type = 'campaign' then '(not set)'
            when referrer_type = 'search' then 'organic'
            when referrer_type in ('website', 'social', 'ai') then 'referral'
            else '(none)'
        end as referrer_medium,
        case
            when referrer_type = 'campaign' then coalesce({{ utm_normalise('referrer_name') }}, '(not set)')
            when referrer_type = 'search' then '(organic)'
            when referrer_type in ('website', 'social', 'ai') then '(referral)'
            else '(direct)'
        end as referrer_campaign,
        case
            when referrer_type in ('campaign', 'search') and lower(referrer_keyword) <> 'keyword not defined'
                then {{ utm_normalise('referrer_keyword') }}
        end as referrer_term
    from deduplicated
),

origin as (
    select
        candidates.*,
        case
            when coalesce(campaign_source, campaign_medium, campaign_name) is not null then 'plugin'
            when coalesce(url_source, url_medium, url_campaign, paid_click_id) is not null then 'landing_url'
            when referrer_type in ('campaign', 'search', 'website', 'social', 'ai') then 'referrer'
            else 'none'
        end as utm_origin
    from candidates
),

tagged as (
    select
        origin.*,
        case utm_origin when 'plugin' then campaign_source when 'landing_url' then url_source end as raw_utm_source,
        case utm_origin when 'plugin' then campaign_medium when 'landing_url' then url_medium end as raw_utm_medium,
        case utm_origin when 'plugin' then campaign_name when 'landing_url' then url_campaign end as raw_utm_campaign,
        case utm_origin when 'plugin' then campaign_content when 'landing_url' then url_content end as raw_utm_content,
        case utm_origin when 'plugin' then campaign_keyword when 'landing_url' then url_term end as raw_utm_term
    from origin
),

-- A tag naming neither source nor medium (a campaign only, no click id) keeps the referrer's.
resolved as (
    select
        tagged.*,
        {{ utm_normalise('raw_utm_source') }} as tag_source,
        {{ utm_normalise('raw_utm_medium') }} as tag_medium,
        utm_origin in ('plugin', 'landing_url')
            and ({{ utm_normalise('raw_utm_source') }} is not null
                or {{ utm_normalise('raw_utm_medium') }} is not null
                or paid_click_id is not null) as has_tagged_source
    from tagged
),

normalised as (
    select
        resolved.*,
        case
            when has_tagged_source then coalesce(
                tag_source,
                case when paid_click_id = 'msclkid' then 'bing' when paid_click_id is not null then 'google' end,
                '(not set)'
            )
            else referrer_source
        end as unaliased_source,
        case
            when not has_tagged_source then referrer_medium
            when paid_click_id is not null and coalesce(tag_medium, 'organic') = 'organic' then 'cpc'
            else coalesce(tag_medium, '(not set)')
        end as normalised_medium,
        case
            when utm_origin in ('plugin', 'landing_url')
                then coalesce({{ utm_normalise('raw_utm_campaign') }}, case when has_tagged_source then '(not set)' else referrer_campaign end)
            else referrer_campaign
        end as normalised_campaign,
        {{ utm_normalise('raw_utm_content') }} as normalised_content,
        case
            -- Stock Matomo's campaign keyword falls back to the referrer host: only a search
            -- keyword completes a tag.
            when utm_origin in ('plugin', 'landing_url') then coalesce(
                {{ utm_normalise('raw_utm_term') }},
                case when referrer_type = 'search' then referrer_term end
            )
            else referrer_term
        end as normalised_term,
        case
            when lower(trim(raw_consent)) in ('granted', 'denied') then lower(trim(raw_consent))
            else 'unknown'
        end as consent
    from resolved
)

select
    normalised.site_id,
    normalised.visit_id,
    normalised.brand_id,
    normalised.visit_date,
    normalised.first_action_at,
    normalised.last_action_at,
    normalised.visit_duration_s,
    normalised.pageviews,
    normalised.visitor_visit_number,
    normalised.visitor_type,
    normalised.visitor_key,
    normalised.user_key,
    normalised.consent,
    normalised.consent_dimension,
    normalised.referrer_type,
    normalised.referrer_name,
    normalised.referrer_keyword,
    normalised.referrer_url,
    normalised.campaign_name,
    normalised.campaign_source,
    normalised.campaign_medium,
    normalised.campaign_content,
    normalised.campaign_keyword,
    normalised.entry_url,
    normalised.landing_host,
    normalised.landing_page,
    normalised.utm_origin,
    normalised.raw_utm_source,
    normalised.raw_utm_medium,
    normalised.raw_utm_campaign,
    normalised.raw_utm_content,
    normalised.has_upper_case_utm_names,
    {{ utm_source_alias('normalised.unaliased_source', 'aliases.source') }} as utm_source,
    normalised.normalised_medium as utm_medium,
    normalised.normalised_campaign as utm_campaign,
    normalised.normalised_content as utm_content,
    normalised.normalised_term as utm_term,
    normalised.paid_click_id,
    normalised.has_fbclid,
    normalised.has_ttclid,
    normalised.device_type,
    normalised.goal_conversions,
    normalised.is_converted,
    normalised.order_revenue,
    normalised.currency_code,
    normalised.fetched_at,
    normalised.dlt_load_id
from normalised
left join {{ ref('utm_source_aliases') }} as aliases
    on normalised.unaliased_source = aliases.alias
