-- Every social post of the six platforms, with its brand, its publication time in UTC and in
-- the brand's time zone (model brands, from config/brands.yaml), and what its text and link
-- carry: hashtags, UTM parameters and the A/B-test tag (#ab_<dimension>_<experiment>_<variant>, see
-- docs/engagement_marts.md), and the account's followers on the publication date (UTC), the
-- denominator of ER by followers for every snapshot of the post, with the basis of that count
-- (observed, reconstructed, nearest, current: int_account_followers_daily). Classification (pillar,
-- campaign, partnership, parent post) lives in int_post_classification.
{#- The A/B tag, whole hashtag only: groups 1 dimension, 2 experiment, 3 variant. #}
{%- set ab_tag = '#ab_(hook|format|cta|slot)_([a-z0-9]+)_([a-z])([^\\p{L}\\p{N}_]|$)' %}
with posts as (
    select
        posts.*,
        accounts.brand_id,
        brands.timezone,
        lower(coalesce(posts.post_text, '')) as text_lower
    from {{ ref('int_posts_unioned') }} as posts
    left join {{ ref('int_accounts') }} as accounts
        on posts.account_id = accounts.account_id and posts.platform = accounts.platform
    left join {{ ref('brands') }} as brands
        on accounts.brand_id = brands.brand_id
),

with_followers as (
    select
        posts.*,
        followers.followers as followers_at_publication,
        followers.followers_basis as followers_basis,
        followers.followers_gap_days as followers_gap_days
    from posts
    left join {{ ref('int_account_followers_daily') }} as followers
        on posts.account_id = followers.account_id
       and posts.platform = followers.platform
       and {{ dbt.cast('posts.published_at', 'date') }} = followers.date_day
),

parsed as (
    select
        *,
        {{ utc_to_local('published_at', "coalesce(timezone, 'UTC')") }} as published_at_local,
        {{ regexp_matches_list('text_lower', "'#[\\p{L}\\p{N}_]+'") }} as hashtag_list,
        regexp_extract(text_lower, '{{ ab_tag }}', 1) as experiment_dimension,
        regexp_extract(text_lower, '{{ ab_tag }}', 2) as experiment_name,
        regexp_extract(text_lower, '{{ ab_tag }}', 3) as experiment_variant
    from with_followers
)

select
    post_id,
    platform,
    account_id,
    brand_id,
    published_at,
    {{ dbt.cast('published_at', 'date') }} as published_date,
    coalesce(timezone, 'UTC') as timezone,
    published_at_local,
    {{ dbt.cast('published_at_local', 'date') }} as published_date_local,
    {{ iso_weekday_offset(dbt.cast('published_at_local', 'date')) }} + 1 as weekday_local,
    {{ dbt.cast('extract(hour from published_at_local)', 'integer') }} as hour_local,
    format,
    source_format,
    post_text,
    text_lower,
    {{ list_to_text('hashtag_list', "' '") }} as hashtags,
    {{ list_length('hashtag_list') }} as hashtag_count,
    link_url,
    {{ url_parameter('link_url', 'utm_source') }} as utm_source,
    {{ url_parameter('link_url', 'utm_medium') }} as utm_medium,
    {{ url_parameter('link_url', 'utm_campaign') }} as utm_campaign,
    {{ url_parameter('link_url', 'utm_content') }} as utm_content,
    {{ url_parameter('link_url', 'utm_term') }} as utm_term,
    case when experiment_name <> '' then
        {{ dbt.concat(["brand_id", "'/'", "platform", "'/'", "experiment_dimension", "'_'", "experiment_name"]) }}
    end as experiment_id,
    nullif(experiment_dimension, '') as experiment_dimension,
    nullif(experiment_variant, '') as experiment_variant,
    permalink_url,
    followers_at_publication,
    followers_basis,
    followers_gap_days
from parsed
