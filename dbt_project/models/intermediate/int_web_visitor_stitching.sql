-- Retroactive visitor stitching: one row per Matomo cookie visitor (site_id, cookie_visitor_key)
-- with the user key it belongs to. A cookie that was ever logged in (a visit carrying a
-- user_key) maps to that user, for ALL its visits, earlier ones included; with several users
-- on one cookie (a shared device) the latest login wins. Visits with consent 'denied' neither
-- give nor receive a user: a refusal is never linked to a profile.
with visits as (
    select
        site_id,
        visit_id,
        visitor_key as cookie_visitor_key,
        user_key,
        consent,
        first_action_at,
        last_action_at
    from {{ ref('stg_matomo__visits') }}
    where visitor_key is not null
),

logins as (
    select
        site_id,
        cookie_visitor_key,
        user_key,
        row_number() over (
            partition by site_id, cookie_visitor_key
            order by last_action_at desc, visit_id desc
        ) as login_rank
    from visits
    where user_key is not null and consent <> 'denied'
),

cookies as (
    select
        site_id,
        cookie_visitor_key,
        count(*) as visits,
        count(distinct case when consent <> 'denied' then user_key end) as user_count,
        min(first_action_at) as first_seen_at,
        max(last_action_at) as last_seen_at
    from visits
    group by site_id, cookie_visitor_key
)

select
    cookies.site_id,
    cookies.cookie_visitor_key,
    logins.user_key as stitched_user_key,
    cookies.user_count,
    cookies.visits,
    cookies.first_seen_at,
    cookies.last_seen_at
from cookies
left join logins
    on cookies.site_id = logins.site_id
    and cookies.cookie_visitor_key = logins.cookie_visitor_key
    and logins.login_rank = 1
