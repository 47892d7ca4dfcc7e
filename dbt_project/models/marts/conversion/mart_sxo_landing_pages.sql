-- SXO (issue 16): per brand, site and landing page x month, the social posts that link to the
-- page, the web sessions that land on it and its Google search figures, so the team sees which
-- social topics (pillars) go with more search impressions and clicks.
-- - The page key is the URL path without query string or fragment, trailing slashes removed
--   ('/' for the home page), on the site's host without 'www.': the posts' link_url, the
--   sessions' landing page (fct_sessions, Matomo) and Search Console's page URL all reduce to it.
-- - Months: posts by their UTC publication day (dim_posts.published_date), sessions by their
--   site-local day (fct_sessions.session_date), search by Search Console's Pacific day.
-- - Search: final days only (stg_search_console__page_daily.is_final; fresh partial days wait
--   until final, as Search Console's default dataState does). The month's average position
--   is the impression-weighted mean of the daily positions, the way Search Console averages
--   position over rows (https://support.google.com/webmasters/answer/7042828, "Average
--   position"); impressions_per_day and its change against the previous month compare
--   months of unequal length.
{%- set page = "coalesce(nullif(regexp_replace(PATH, '/+$', ''), ''), '/')" %}

with search_days as (
    select
        brand_id,
        {{ url_host('page_url', strip_www=true) }} as site_host,
        {{ page | replace('PATH', 'page_path') }} as page_path,
        {{ dbt.cast(dbt.date_trunc('month', 'search_date'), 'date') }} as month_start,
        search_date,
        clicks,
        impressions,
        avg_position
    from {{ ref('stg_search_console__page_daily') }}
    where is_final
),

search_brands as (
    select distinct brand_id from search_days
),

web_brands as (
    select distinct brand_id from {{ ref('fct_sessions') }}
),

sessions as (
    select
        brand_id,
        lower(regexp_replace(site, '^www\.', '')) as site_host,
        {{ page | replace('PATH', 'landing_page') }} as page_path,
        {{ dbt.cast(dbt.date_trunc('month', 'session_date'), 'date') }} as month_start,
        post_key,
        post_id,
        post_platform,
        channel_group
    from {{ ref('fct_sessions') }}
    where site is not null and landing_page is not null
),

brand_sites as (
    select distinct brand_id, site_host from search_days
    union
    select distinct brand_id, site_host from sessions
),

-- A post points to a page when its link_url is that page of its brand's own site (another
-- host, e.g. a partner's, is no landing page of the brand), or when a session it brought
-- (fct_sessions.post_key, from the link's utm_content) landed there: Instagram's API gives
-- no link (a caption's URL is not clickable; the link lives in the bio), its UTMs do.
linked_posts as (
    select
        posts.brand_id,
        brand_sites.site_host,
        {{ page | replace('PATH', url_path('posts.link_url')) }} as page_path,
        posts.platform,
        posts.post_id
    from {{ ref('dim_posts') }} as posts
    inner join brand_sites
        on posts.brand_id = brand_sites.brand_id
       and {{ url_host('posts.link_url', strip_www=true) }} = brand_sites.site_host
    where posts.link_url is not null
    union
    select brand_id, site_host, page_path, post_platform, post_id
    from sessions
    where post_id is not null
),

post_links as (
    select
        linked_posts.brand_id,
        linked_posts.site_host,
        linked_posts.page_path,
        {{ dbt.cast(dbt.date_trunc('month', 'posts.published_date'), 'date') }} as month_start,
        linked_posts.platform,
        linked_posts.post_id,
        posts.pillar
    from linked_posts
    inner join {{ ref('dim_posts') }} as posts
        on linked_posts.post_id = posts.post_id
       and linked_posts.platform = posts.platform
),

post_months as (
    select
        brand_id,
        site_host,
        page_path,
        month_start,
        count(*) as linking_posts,
        count(distinct platform) as linking_platforms
    from post_links
    group by brand_id, site_host, page_path, month_start
),

pillar_months as (
    select
        brand_id,
        site_host,
        page_path,
        month_start,
        {{ dbt.listagg(dbt.concat(["pillar", "' ('", dbt.cast('posts', dbt.type_string()), "')'"]),
                       "', '", "order by posts desc, pillar") }} as linking_pillars
    from (
        select brand_id, site_host, page_path, month_start, pillar, count(*) as posts
        from post_links
        group by brand_id, site_host, page_path, month_start, pillar
    ) as by_pillar
    group by brand_id, site_host, page_path, month_start
),

session_months as (
    select
        brand_id,
        site_host,
        page_path,
        month_start,
        count(*) as sessions,
        sum(case when post_key is not null then 1 else 0 end) as post_sessions,
        sum(case when channel_group = {{ dbt.string_literal('Organic Search') }} then 1 else 0 end)
            as organic_search_sessions
    from sessions
    group by brand_id, site_host, page_path, month_start
),

search_months as (
    select
        brand_id,
        site_host,
        page_path,
        month_start,
        count(distinct search_date) as search_days,
        sum(clicks) as search_clicks,
        sum(impressions) as search_impressions,
        sum(avg_position * impressions) as position_x_impressions
    from search_days
    group by brand_id, site_host, page_path, month_start
),

pages as (
    select brand_id, site_host, page_path, month_start from post_months
    union
    select brand_id, site_host, page_path, month_start from session_months
    union
    select brand_id, site_host, page_path, month_start from search_months
),

joined as (
    select
        pages.brand_id,
        pages.site_host,
        pages.page_path,
        pages.month_start,
        coalesce(post_months.linking_posts, 0) as linking_posts,
        coalesce(post_months.linking_platforms, 0) as linking_platforms,
        pillar_months.linking_pillars,
        case when web_brands.brand_id is not null then coalesce(session_months.sessions, 0) end
            as sessions,
        case when web_brands.brand_id is not null then coalesce(session_months.post_sessions, 0) end
            as post_sessions,
        case when web_brands.brand_id is not null
            then coalesce(session_months.organic_search_sessions, 0) end as organic_search_sessions,
        case when search_brands.brand_id is not null then coalesce(search_months.search_days, 0) end
            as search_days,
        case when search_brands.brand_id is not null then coalesce(search_months.search_clicks, 0) end
            as search_clicks,
        case when search_brands.brand_id is not null
            then coalesce(search_months.search_impressions, 0) end as search_impressions,
        search_months.position_x_impressions
    from pages
    left join post_months
        on pages.brand_id = post_months.brand_id
       and pages.site_host = post_months.site_host
       and pages.page_path = post_months.page_path
       and pages.month_start = post_months.month_start
    left join pillar_months
        on pages.brand_id = pillar_months.brand_id
       and pages.site_host = pillar_months.site_host
       and pages.page_path = pillar_months.page_path
       and pages.month_start = pillar_months.month_start
    left join session_months
        on pages.brand_id = session_months.brand_id
       and pages.site_host = session_months.site_host
       and pages.page_path = session_months.page_path
       and pages.month_start = session_months.month_start
    left join search_months
        on pages.brand_id = search_months.brand_id
       and pages.site_host = search_months.site_host
       and pages.page_path = search_months.page_path
       and pages.month_start = search_months.month_start
    left join web_brands
        on pages.brand_id = web_brands.brand_id
    left join search_brands
        on pages.brand_id = search_brands.brand_id
),

rated as (
    select
        *,
        case when search_impressions > 0 then position_x_impressions / search_impressions end
            as search_avg_position,
        case when search_impressions > 0
            then {{ dbt.cast('search_clicks', type_double()) }} / search_impressions end as search_ctr,
        case when search_days > 0
            then {{ dbt.cast('search_impressions', type_double()) }} / search_days end
            as impressions_per_day
    from joined
)

select
    rated.brand_id,
    rated.site_host,
    rated.page_path,
    rated.month_start,
    {{ dbt.cast(dbt.last_day('rated.month_start', 'month'), 'date') }} as month_end,
    rated.linking_posts,
    rated.linking_platforms,
    rated.linking_pillars,
    {#- Sums of counts are HUGEINT in DuckDB: BIGINT for the BI tools. #}
    {%- for c in ['sessions', 'post_sessions', 'organic_search_sessions', 'search_days',
                  'search_clicks', 'search_impressions'] %}
    {{ dbt.cast('rated.' ~ c, dbt.type_bigint()) }} as {{ c }},
    {%- endfor %}
    rated.search_ctr,
    rated.search_avg_position,
    rated.impressions_per_day,
    case when previous.impressions_per_day > 0
        then rated.impressions_per_day / previous.impressions_per_day - 1
    end as impressions_per_day_change
from rated
left join rated as previous
    on rated.brand_id = previous.brand_id
   and rated.site_host = previous.site_host
   and rated.page_path = previous.page_path
   and rated.month_start = {{ dbt.cast(dbt.dateadd('month', '1', 'previous.month_start'), 'date') }}
