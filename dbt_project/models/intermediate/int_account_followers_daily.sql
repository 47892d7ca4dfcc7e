-- Followers per account and day. Rules, in order:
--   1. a daily account snapshot on that date is exact;
--   2. before the first snapshot, Facebook uses the page_follows daily series;
--   3. before the first snapshot, Instagram subtracts the daily gains backwards from the
--      earliest snapshot: followers(d) = followers(s0) - sum(gain(e) for d < e <= s0), only
--      when every day in (d, s0] has a gain row (inside the series' range) and the result is
--      not negative (impossible: series and snapshot disagree, so unknown);
--   4. otherwise NULL (never interpolated).
-- Range per account: from its first known date (snapshot, series or post) to its last known
-- date (last snapshot, else last series date).
with snapshots as (
    select page_id as account_id, 'facebook' as platform, snapshot_date, followers_count
    from {{ ref('stg_meta__facebook_pages') }}
    union all
    select ig_user_id, 'instagram', snapshot_date, followers_count
    from {{ ref('stg_meta__instagram_accounts') }}
),

first_snapshot as (
    select s.account_id, s.platform, s.snapshot_date as first_snapshot_date,
           s.followers_count as first_snapshot_followers
    from snapshots s
    inner join (
        select account_id, platform, min(snapshot_date) as first_date
        from snapshots group by account_id, platform
    ) f on s.account_id = f.account_id and s.platform = f.platform and s.snapshot_date = f.first_date
),

fb_series as (
    select page_id as account_id, follows_date as date_day, followers
    from {{ ref('stg_meta__facebook_page_follows') }}
),

ig_gains as (
    select ig_user_id as account_id, gain_date as date_day, follower_gain
    from {{ ref('stg_meta__instagram_follower_gains') }}
),

known_dates as (
    select account_id, platform, snapshot_date as date_day from snapshots
    union all select account_id, 'facebook', date_day from fb_series
    union all select account_id, 'instagram', date_day from ig_gains
    union all select account_id, platform, published_date from {{ ref('int_posts') }}
),

bounds as (
    select
        k.account_id,
        k.platform,
        min(k.date_day) as start_date,
        coalesce(max(s.snapshot_date), max(k.date_day)) as end_date
    from known_dates k
    left join snapshots s
        on k.account_id = s.account_id and k.platform = s.platform and k.date_day = s.snapshot_date
    group by k.account_id, k.platform
),

spine as (
    {{ date_spine_days("(select min(start_date) from bounds)", "(select max(end_date) from bounds)") }}
),

account_days as (
    select b.account_id, b.platform, spine.date_day
    from bounds b
    inner join spine on spine.date_day between b.start_date and b.end_date
),

ig_series_start as (
    select account_id, min(date_day) as series_start_date from ig_gains group by account_id
),

ig_backfill as (
    select
        d.account_id,
        d.date_day,
        f.first_snapshot_followers
          - sum(g.follower_gain) over (
                partition by d.account_id order by d.date_day desc
                rows between unbounded preceding and 1 preceding) as followers,
        -- Rows after d up to the first snapshot: exactly the days (d, s0].
        sum(case when g.follower_gain is null then 1 else 0 end) over (
                partition by d.account_id order by d.date_day desc
                rows between unbounded preceding and 1 preceding) as missing_days
    from account_days d
    inner join first_snapshot f on d.account_id = f.account_id and f.platform = 'instagram'
    inner join ig_series_start ss on d.account_id = ss.account_id
    left join ig_gains g on d.account_id = g.account_id and d.date_day = g.date_day
    where d.platform = 'instagram'
      and d.date_day <= f.first_snapshot_date
      and d.date_day >= ss.series_start_date
)

select
    d.account_id,
    d.platform,
    d.date_day,
    cast(case
        when s.followers_count is not null then s.followers_count
        when f.first_snapshot_date is not null and d.date_day > f.first_snapshot_date then null
        when d.platform = 'facebook' then fb.followers
        when d.platform = 'instagram' and ig.missing_days = 0 and ig.followers >= 0
            then ig.followers
    end as {{ dbt.type_bigint() }}) as followers,
    case
        when s.followers_count is not null then 'snapshot'
        when f.first_snapshot_date is not null and d.date_day > f.first_snapshot_date then null
        when d.platform = 'facebook' and fb.followers is not null then 'page_follows_series'
        when d.platform = 'instagram' and ig.missing_days = 0 and ig.followers >= 0
            then 'follower_gains_backfill'
    end as followers_source
from account_days d
left join snapshots s
    on d.account_id = s.account_id and d.platform = s.platform and d.date_day = s.snapshot_date
left join first_snapshot f
    on d.account_id = f.account_id and d.platform = f.platform
left join fb_series fb
    on d.platform = 'facebook' and d.account_id = fb.account_id and d.date_day = fb.date_day
left join ig_backfill ig
    on d.platform = 'instagram' and d.account_id = ig.account_id and d.date_day = ig.date_day
