-- One row per Matomo visit (a session): where it came from (normalised UTMs, utm_origin, GA4
-- default channel group), who (visitor_key stitched retroactively, see
-- int_web_visitor_stitching), what it did (engaged, conversions, revenue) and the social post
-- it came from when utm_content names one (link convention: utm_content = the post id).
-- Incremental (docs/performance.md): a build recomputes the sessions of the last
-- var('sessions_restatement_days') days and every session of a cookie seen in those days
-- (a login restates the cookie's earlier visits: retroactive stitching); others are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='session_key') }}
{%- set days = var('sessions_restatement_days') %}
with all_visits as (
    select * from {{ ref('stg_matomo__visits') }}
),

restated_cookies as (
    select distinct site_id, visitor_key
    from all_visits
    where visitor_key is not null
      and {{ restated('visit_date', days, 'session_date') }}
),

visits as (
    select all_visits.*
    from all_visits
    left join restated_cookies
        on all_visits.site_id = restated_cookies.site_id
       and all_visits.visitor_key = restated_cookies.visitor_key
    where {{ restated('all_visits.visit_date', days, 'session_date') }}
       or restated_cookies.site_id is not null
),

site_hosts as (
    -- A visit without a page view has no entry URL: its site is the site's usual host.
    select
        site_id,
        landing_host,
        row_number() over (partition by site_id order by count(*) desc, landing_host) as host_rank
    from all_visits
    where landing_host is not null
    group by site_id, landing_host
),

conversions as (
    select
        site_id,
        visit_id,
        count(*) as conversions,
        sum(revenue) as revenue
    from {{ ref('stg_matomo__conversions') }}
    group by site_id, visit_id
),

post_matches as (
    -- utm_content names a post of the visit's brand (case-insensitive); when two platforms
    -- share the id, the platform the source names wins.
    select
        visits.site_id,
        visits.visit_id,
        posts.post_id,
        posts.platform,
        row_number() over (
            partition by visits.site_id, visits.visit_id
            order by case when posts.platform = visits.utm_source then 0 else 1 end, posts.platform
        ) as match_rank
    from visits
    inner join {{ ref('dim_posts') }} as posts
        on lower(posts.post_id) = visits.utm_content
        and posts.brand_id = visits.brand_id
    where visits.utm_content is not null
),

sessions as (
    select
        visits.*,
        {{ dbt.concat(["visits.site_id", "'-'", dbt.cast('visits.visit_id', dbt.type_string())]) }} as session_key,
        coalesce(visits.landing_host, site_hosts.landing_host) as site,
        stitching.stitched_user_key,
        categories.category as source_category,
        coalesce(conversions.conversions, 0) as conversion_count,
        coalesce(conversions.revenue, 0) as conversion_revenue,
        post_matches.post_id as matched_post_id,
        post_matches.platform as matched_post_platform
    from visits
    left join site_hosts
        on visits.site_id = site_hosts.site_id and site_hosts.host_rank = 1
    left join {{ ref('int_web_visitor_stitching') }} as stitching
        on visits.site_id = stitching.site_id and visits.visitor_key = stitching.cookie_visitor_key
    left join {{ ref('ga4_source_categories') }} as categories
        on lower(visits.utm_source) = categories.source
    left join conversions
        on visits.site_id = conversions.site_id and visits.visit_id = conversions.visit_id
    left join post_matches
        on visits.site_id = post_matches.site_id
        and visits.visit_id = post_matches.visit_id
        and post_matches.match_rank = 1
)

select
    session_key,
    site_id,
    visit_id,
    brand_id,
    site,
    case
        when consent = 'denied' then coalesce(visitor_key, user_key, session_key)
        else coalesce(user_key, stitched_user_key, visitor_key, session_key)
    end as visitor_key,
    visitor_key as cookie_visitor_key,
    user_key,
    consent <> 'denied' and user_key is null and stitched_user_key is not null as is_stitched,
    first_action_at as started_at,
    last_action_at as ended_at,
    visit_date as session_date,
    landing_page,
    utm_source as source,
    utm_medium as medium,
    utm_campaign as campaign,
    utm_content as content,
    utm_term as term,
    utm_origin,
    source_category,
    {{ ga4_channel_group('utm_source', 'utm_medium', 'utm_campaign', 'source_category') }} as channel_group,
    paid_click_id,
    has_fbclid,
    has_ttclid,
    consent,
    coalesce(visit_duration_s, 0) >= 10
        or coalesce(pageviews, 0) >= 2
        or conversion_count > 0
        or coalesce(is_converted, false) as is_engaged,
    conversion_count > 0 or coalesce(is_converted, false) as converted,
    conversion_count as conversions,
    conversion_revenue as revenue,
    currency_code as currency,
    pageviews,
    visit_duration_s as duration_s,
    device_type,
    case when matched_post_id is not null
        then {{ dbt.concat(["matched_post_platform", "':'", "matched_post_id"]) }}
    end as post_key,
    matched_post_id as post_id,
    matched_post_platform as post_platform
from sessions
