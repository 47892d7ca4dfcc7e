-- The strategist's scorecard: one row per brand x platform x period ('week' = ISO week from
-- Monday, 'month' = calendar month), from the UTC dates fct_account_daily and
-- fct_post_performance use. Post metrics are the latest lifetime values of the posts
-- PUBLISHED in the period.
-- Community care (fct_inbound_items, by the UTC day an item was received): inbound items, the
-- median response time of the answered ones, the share answered within SLA (of the items
-- whose SLA is decided) and the mean sentiment score. Reviews (fct_reviews, by UTC creation
-- day) give the review sites google_business and trustpilot rows of their own: reviews and
-- average rating (NULL on the social platforms).
-- Social web traffic (Matomo, fct_sessions): a session is from platform P when it came from a
-- post of P (post_platform), else when its channel group is Organic/Paid Social or
-- Organic/Paid Video and its normalised source is P. Sessions count by the UTC day they
-- started; conversions and revenue are last-touch credits (fct_attribution) of conversions
-- whose last touch is such a session, by the conversion's UTC day. NULL for a brand with no
-- web session at all (no Matomo site), 0 otherwise.
-- Video completion: video_completion_rate = complete views / views of the posts that give
-- complete views (Facebook), percent; avg_view_share = the mean share of the video watched
-- (YouTube, Facebook), weighted by each post's video views (fct_post_performance).
-- UGC: X only (inbound mentions not written by the brand); NULL for the other platforms,
-- whose ingested APIs give no UGC signal.
-- E-mail (issue 16) has rows of its own, platform 'email': the Brevo campaigns SENT in the
-- period (UTC day) with their latest totals (stg_brevo__campaign_totals: sends, delivered,
-- unique clicks; click rate = unique clicks / delivered x 100, Brevo's definition), and the
-- sessions whose GA4 channel group is Email (fct_sessions, UTC start day) with the last-touch
-- conversions and revenue they bring, as for the social platforms. email_* columns are NULL
-- on the other platforms' rows.
{%- set ugc_platforms = ['x'] %}
{%- set platforms = vocabulary('platform') %}
{%- set social_groups = ['Organic Social', 'Paid Social', 'Organic Video', 'Paid Video'] %}
{%- set review_platforms = vocabulary('review_site') %}

with period_types as (
    select {{ dbt.string_literal('week') }} as period_type
    union all
    select {{ dbt.string_literal('month') }} as period_type
),

post_days as (
    select
        brand_id,
        platform,
        published_date as date_day,
        count(*) as posts,
        sum(reach) as reach,
        sum(impressions) as impressions,
        sum(interactions) as interactions,
        -- Numerators restricted to posts with the denominator (as in fct_account_daily).
        sum(case when reach is not null then interactions end) as interactions_with_reach,
        sum(case when impressions is not null then interactions end) as interactions_with_impressions,
        sum(video_views) as video_views,
        sum(video_completions) as video_completions,
        sum(case when video_completions is not null then video_views end) as views_with_completions,
        -- avg_view_share of the period: each post's share weighted by its video views.
        sum(case when avg_view_share is not null then avg_view_share * video_views end) as shares_watched,
        sum(case when avg_view_share is not null then video_views end) as views_with_share,
        sum(clicks) as clicks
    from {{ ref('fct_post_performance') }}
    group by brand_id, platform, published_date
),

account_days as (
    select brand_id, platform, account_id, date_day, followers, follower_gain
    from {{ ref('fct_account_daily') }}
),

ugc_days as (
    select
        accounts.brand_id,
        accounts.platform,
        {{ dbt.cast('mentions.created_at', 'date') }} as date_day,
        count(*) as ugc_count
    from {{ ref('stg_x__mentions') }} as mentions
    inner join (
        select distinct brand_id, platform, account_id
        from account_days
        where platform = {{ dbt.string_literal('x') }}
    ) as accounts
        on mentions.user_id = accounts.account_id
    where not mentions.is_from_brand
    group by accounts.brand_id, accounts.platform, {{ dbt.cast('mentions.created_at', 'date') }}
),

web_sessions as (
    select
        session_key,
        brand_id,
        {{ dbt.cast(utc_timestamp('started_at'), 'date') }} as date_day,
        is_engaged,
        coalesce(
            post_platform,
            case
                when channel_group in (
                    {%- for g in social_groups %}{{ dbt.string_literal(g) }}{{ ", " if not loop.last }}{% endfor -%}
                ) and source in (
                    {%- for p in platforms %}{{ dbt.string_literal(p) }}{{ ", " if not loop.last }}{% endfor -%}
                ) then source
            end
        ) as platform
    from {{ ref('fct_sessions') }}
),

web_brands as (
    select distinct brand_id from {{ ref('fct_sessions') }}
),

web_days as (
    select
        brand_id,
        platform,
        date_day,
        count(*) as social_sessions,
        sum(case when is_engaged then 1 else 0 end) as social_engaged_sessions,
        {{ dbt.cast('0', type_double()) }} as social_conversions,
        {{ dbt.cast('0', type_double()) }} as social_revenue
    from web_sessions
    where platform is not null
    group by brand_id, platform, date_day
    union all
    select
        web_sessions.brand_id,
        web_sessions.platform,
        {{ dbt.cast(utc_timestamp('attribution.converted_at'), 'date') }} as date_day,
        0 as social_sessions,
        0 as social_engaged_sessions,
        attribution.credit as social_conversions,
        attribution.attributed_revenue as social_revenue
    from {{ ref('fct_attribution') }} as attribution
    inner join web_sessions
        on attribution.session_key = web_sessions.session_key
    where attribution.model = {{ dbt.string_literal('last_touch') }}
      and attribution.credit > 0
      and web_sessions.platform is not null
),

web_currencies as (
    select brand_id, max(currency) as revenue_currency
    from {{ ref('fct_conversions') }}
    group by brand_id
),

-- E-mail: Brevo sends by the campaign's UTC send day, Email-channel sessions by their UTC
-- start day, their last-touch conversions by the conversion's UTC day.
email_sessions as (
    select
        session_key,
        brand_id,
        {{ dbt.cast(utc_timestamp('started_at'), 'date') }} as date_day
    from {{ ref('fct_sessions') }}
    where channel_group = {{ dbt.string_literal('Email') }}
),

email_days as (
    select
        brand_id,
        sent_date as date_day,
        count(*) as email_campaigns,
        sum(sent) as email_sends,
        sum(delivered) as email_delivered,
        sum(unique_clicks) as email_unique_clicks,
        0 as email_sessions,
        {{ dbt.cast('0', type_double()) }} as email_conversions,
        {{ dbt.cast('0', type_double()) }} as email_revenue
    from {{ ref('stg_brevo__campaign_totals') }}
    group by brand_id, sent_date
    union all
    select brand_id, date_day, 0, 0, 0, 0, count(*), 0, 0
    from email_sessions
    group by brand_id, date_day
    union all
    select
        email_sessions.brand_id,
        {{ dbt.cast(utc_timestamp('attribution.converted_at'), 'date') }},
        0, 0, 0, 0, 0,
        attribution.credit,
        attribution.attributed_revenue
    from {{ ref('fct_attribution') }} as attribution
    inner join email_sessions
        on attribution.session_key = email_sessions.session_key
    where attribution.model = {{ dbt.string_literal('last_touch') }}
      and attribution.credit > 0
),

email_brands as (
    select distinct brand_id from {{ ref('stg_brevo__campaign_totals') }}
),

{#- The period a day falls in, for each period type. #}
{%- set period_start -%}
    case
        when period_types.period_type = {{ dbt.string_literal('week') }}
            then {{ iso_week_start('date_day') }}
        else {{ dbt.cast(dbt.date_trunc('month', 'date_day'), 'date') }}
    end
{%- endset %}

post_periods as (
    select
        post_days.brand_id,
        post_days.platform,
        period_types.period_type,
        {{ period_start }} as period_start,
        sum(posts) as posts,
        sum(reach) as reach,
        sum(impressions) as impressions,
        sum(interactions) as interactions,
        sum(interactions_with_reach) as interactions_with_reach,
        sum(interactions_with_impressions) as interactions_with_impressions,
        sum(video_views) as video_views,
        sum(video_completions) as video_completions,
        sum(views_with_completions) as views_with_completions,
        sum(shares_watched) as shares_watched,
        sum(views_with_share) as views_with_share,
        sum(clicks) as clicks
    from post_days
    cross join period_types
    group by post_days.brand_id, post_days.platform, period_types.period_type, {{ period_start }}
),

account_period_days as (
    select
        account_days.*,
        period_types.period_type,
        {{ period_start }} as period_start
    from account_days
    cross join period_types
),

-- Followers at period end: each account's latest known count in the period, summed per brand.
followers_end as (
    select brand_id, platform, period_type, period_start, sum(followers) as followers_end
    from (
        select
            brand_id,
            platform,
            period_type,
            period_start,
            followers,
            row_number() over (
                partition by platform, account_id, period_type, period_start
                order by date_day desc
            ) as recency
        from account_period_days
        where followers is not null
    ) as known
    where recency = 1
    group by brand_id, platform, period_type, period_start
),

follower_periods as (
    select
        brand_id,
        platform,
        period_type,
        period_start,
        sum(follower_gain) as follower_gain
    from account_period_days
    group by brand_id, platform, period_type, period_start
),

ugc_periods as (
    select
        ugc_days.brand_id,
        ugc_days.platform,
        period_types.period_type,
        {{ period_start }} as period_start,
        sum(ugc_count) as ugc_count
    from ugc_days
    cross join period_types
    group by ugc_days.brand_id, ugc_days.platform, period_types.period_type, {{ period_start }}
),

web_periods as (
    select
        web_days.brand_id,
        web_days.platform,
        period_types.period_type,
        {{ period_start }} as period_start,
        sum(social_sessions) as social_sessions,
        sum(social_engaged_sessions) as social_engaged_sessions,
        sum(social_conversions) as social_conversions,
        sum(social_revenue) as social_revenue
    from web_days
    cross join period_types
    group by web_days.brand_id, web_days.platform, period_types.period_type, {{ period_start }}
),

email_periods as (
    select
        email_days.brand_id,
        {{ dbt.string_literal('email') }} as platform,
        period_types.period_type,
        {{ period_start }} as period_start,
        sum(email_campaigns) as email_campaigns,
        sum(email_sends) as email_sends,
        sum(email_delivered) as email_delivered,
        sum(email_unique_clicks) as email_unique_clicks,
        sum(email_sessions) as email_sessions,
        sum(email_conversions) as email_conversions,
        sum(email_revenue) as email_revenue
    from email_days
    cross join period_types
    group by email_days.brand_id, period_types.period_type, {{ period_start }}
),

-- Medians need the items themselves: periods are aggregated from items, not from days.
inbound_periods as (
    select
        inbound_items.brand_id,
        inbound_items.platform,
        period_types.period_type,
        {{ period_start }} as period_start,
        count(*) as inbound_items,
        {{ median('response_minutes') }} as median_response_minutes,
        sum(case when within_sla then 1 else 0 end) as items_within_sla,
        sum(case when within_sla is not null then 1 else 0 end) as items_with_sla,
        avg(sentiment_score) as avg_sentiment_score
    from (
        select brand_id, platform, response_minutes, within_sla, sentiment_score,
               {{ dbt.cast('received_at', 'date') }} as date_day
        from {{ ref('fct_inbound_items') }}
    ) as inbound_items
    cross join period_types
    group by inbound_items.brand_id, inbound_items.platform, period_types.period_type, {{ period_start }}
),

review_periods as (
    select
        review_items.brand_id,
        review_items.platform,
        period_types.period_type,
        {{ period_start }} as period_start,
        count(*) as reviews,
        avg({{ dbt.cast('rating', type_double()) }}) as avg_rating
    from (
        select brand_id, platform, rating, {{ dbt.cast('created_at', 'date') }} as date_day
        from {{ ref('fct_reviews') }}
    ) as review_items
    cross join period_types
    group by review_items.brand_id, review_items.platform, period_types.period_type, {{ period_start }}
),

periods as (
    select brand_id, platform, period_type, period_start from post_periods
    union
    select brand_id, platform, period_type, period_start from web_periods
    union
    select brand_id, platform, period_type, period_start from follower_periods
    union
    select brand_id, platform, period_type, period_start from ugc_periods
    union
    select brand_id, platform, period_type, period_start from inbound_periods
    union
    select brand_id, platform, period_type, period_start from review_periods
    union
    select brand_id, platform, period_type, period_start from email_periods
),

joined as (
    select
        periods.brand_id,
        periods.platform,
        periods.period_type,
        periods.period_start,
        case
            when periods.period_type = {{ dbt.string_literal('week') }}
                then {{ dbt.cast(dbt.dateadd('day', '6', 'periods.period_start'), 'date') }}
            else {{ dbt.cast(dbt.last_day('periods.period_start', 'month'), 'date') }}
        end as period_end,
        coalesce(post_periods.posts, 0) as posts,
        post_periods.reach,
        post_periods.impressions,
        post_periods.interactions,
        post_periods.interactions_with_reach,
        post_periods.interactions_with_impressions,
        post_periods.video_views,
        post_periods.video_completions,
        post_periods.views_with_completions,
        post_periods.shares_watched,
        post_periods.views_with_share,
        post_periods.clicks,
        case
            when periods.platform in (
                {%- for p in ugc_platforms %}{{ dbt.string_literal(p) }}{{ ", " if not loop.last }}{% endfor -%}
            ) then coalesce(ugc_periods.ugc_count, 0)
        end as ugc_count,
        followers_end.followers_end,
        follower_periods.follower_gain,
        case when web_brands.brand_id is not null then coalesce(web_periods.social_sessions, 0) end
            as social_sessions,
        case when web_brands.brand_id is not null then coalesce(web_periods.social_engaged_sessions, 0) end
            as social_engaged_sessions,
        case when web_brands.brand_id is not null then coalesce(web_periods.social_conversions, 0) end
            as social_conversions,
        case when web_brands.brand_id is not null then coalesce(web_periods.social_revenue, 0) end
            as social_revenue,
        web_currencies.revenue_currency,
        coalesce(inbound_periods.inbound_items, 0) as inbound_items,
        inbound_periods.median_response_minutes,
        case when inbound_periods.items_with_sla > 0
            then {{ dbt.cast('inbound_periods.items_within_sla', type_double()) }} / inbound_periods.items_with_sla
        end as share_within_sla,
        inbound_periods.avg_sentiment_score,
        case
            when periods.platform in (
                {%- for p in review_platforms %}{{ dbt.string_literal(p) }}{{ ", " if not loop.last }}{% endfor -%}
            ) then coalesce(review_periods.reviews, 0)
        end as reviews,
        review_periods.avg_rating,
        {%- set is_email = "periods.platform = " ~ dbt.string_literal('email') %}
        {#- Brevo's figures where the brand sends e-mail, the sessions' where it has web analytics. #}
        {%- set email_columns = [
            ('email_campaigns', 'email_brands'), ('email_sends', 'email_brands'),
            ('email_delivered', 'email_brands'), ('email_unique_clicks', 'email_brands'),
            ('email_sessions', 'web_brands'), ('email_conversions', 'web_brands'),
            ('email_revenue', 'web_brands')] %}
        {%- for column, brands in email_columns %}
        case when {{ is_email }} and {{ brands }}.brand_id is not null
            then coalesce(email_periods.{{ column }}, 0) end as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from periods
    left join post_periods
        on periods.brand_id = post_periods.brand_id
       and periods.platform = post_periods.platform
       and periods.period_type = post_periods.period_type
       and periods.period_start = post_periods.period_start
    left join follower_periods
        on periods.brand_id = follower_periods.brand_id
       and periods.platform = follower_periods.platform
       and periods.period_type = follower_periods.period_type
       and periods.period_start = follower_periods.period_start
    left join followers_end
        on periods.brand_id = followers_end.brand_id
       and periods.platform = followers_end.platform
       and periods.period_type = followers_end.period_type
       and periods.period_start = followers_end.period_start
    left join ugc_periods
        on periods.brand_id = ugc_periods.brand_id
       and periods.platform = ugc_periods.platform
       and periods.period_type = ugc_periods.period_type
       and periods.period_start = ugc_periods.period_start
    left join web_periods
        on periods.brand_id = web_periods.brand_id
       and periods.platform = web_periods.platform
       and periods.period_type = web_periods.period_type
       and periods.period_start = web_periods.period_start
    left join inbound_periods
        on periods.brand_id = inbound_periods.brand_id
       and periods.platform = inbound_periods.platform
       and periods.period_type = inbound_periods.period_type
       and periods.period_start = inbound_periods.period_start
    left join review_periods
        on periods.brand_id = review_periods.brand_id
       and periods.platform = review_periods.platform
       and periods.period_type = review_periods.period_type
       and periods.period_start = review_periods.period_start
    left join email_periods
        on periods.brand_id = email_periods.brand_id
       and periods.platform = email_periods.platform
       and periods.period_type = email_periods.period_type
       and periods.period_start = email_periods.period_start
    left join email_brands
        on periods.brand_id = email_brands.brand_id
    left join web_brands
        on periods.brand_id = web_brands.brand_id
    left join web_currencies
        on periods.brand_id = web_currencies.brand_id
),

rates as (
    select
        *,
        {{ engagement_rates('interactions', 'reach', 'followers_end', 'impressions',
                            'interactions_with_reach', 'interactions_with_impressions') }},
        {{ engagement_rate('video_completions', 'views_with_completions') }} as video_completion_rate,
        case when views_with_share > 0 then shares_watched / views_with_share end as avg_view_share
    from joined
)

select
    brand_id,
    platform,
    period_type,
    period_start,
    period_end,
    posts,
    reach,
    impressions,
    interactions,
    er_by_reach,
    er_by_followers,
    er_by_impressions,
    {{ headline_er('er_by_reach', 'er_by_followers', 'er_by_impressions') }},
    video_views,
    video_completions,
    video_completion_rate,
    avg_view_share,
    clicks,
    ugc_count,
    followers_end,
    follower_gain,
    social_sessions,
    social_engaged_sessions,
    social_conversions,
    social_revenue,
    revenue_currency,
    inbound_items,
    median_response_minutes,
    share_within_sla,
    avg_sentiment_score,
    reviews,
    avg_rating,
    {#- Sums of counts are HUGEINT in DuckDB: BIGINT for the BI tools. #}
    {%- for c in ['email_campaigns', 'email_sends', 'email_delivered', 'email_unique_clicks'] %}
    {{ dbt.cast(c, dbt.type_bigint()) }} as {{ c }},
    {%- endfor %}
    case when email_delivered > 0
        then 100 * {{ dbt.cast('email_unique_clicks', type_double()) }} / email_delivered
    end as email_click_rate,
    {{ dbt.cast('email_sessions', dbt.type_bigint()) }} as email_sessions,
    email_conversions,
    email_revenue
from rates
