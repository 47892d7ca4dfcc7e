-- Followers per account and day, across platforms. Rules, in order:
--   1. a daily account snapshot on that date is exact;
--   2. before the first snapshot, an absolute daily series (Facebook's page_follows: 'page_follows_series') is used;
--   3. before the first snapshot, daily gains (Instagram, LinkedIn) are subtracted backwards
--      from the earliest snapshot ('follower_gains_backfill'): followers(d) = followers(s0) - sum(gain(e), d < e <= s0),
--      only when every day in (d, s0] has a gain row and the result is not negative
--      (otherwise the series and the snapshot disagree: unknown);
--   4. otherwise NULL (never interpolated).
-- Range per account: from its first known date (snapshot, series or post) to its last
-- snapshot date (else its last known date).
with snapshots as (
    select account_id, platform, snapshot_date, followers_count
    from {{ ref('int_account_snapshots') }}
),

first_snapshot as (
    select s.account_id, s.platform, s.snapshot_date as first_snapshot_date,
           s.followers_count as first_snapshot_followers
    from snapshots as s
    inner join (
        select account_id, platform, min(snapshot_date) as first_date
        from snapshots group by account_id, platform
    ) as f on s.account_id = f.account_id and s.platform = f.platform and s.snapshot_date = f.first_date
),

series as (
    select * from {{ ref('int_account_follower_series') }}
),

known_dates as (
    select account_id, platform, snapshot_date as date_day from snapshots
    union all select account_id, platform, date_day from series
    union all
    select account_id, platform, {{ dbt.cast('published_at', 'date') }}
    from {{ ref('int_posts_unioned') }}
),

bounds as (
    select
        k.account_id,
        k.platform,
        min(k.date_day) as start_date,
        coalesce(max(s.snapshot_date), max(k.date_day)) as end_date
    from known_dates as k
    left join snapshots as s
        on k.account_id = s.account_id and k.platform = s.platform and k.date_day = s.snapshot_date
    group by k.account_id, k.platform
),

spine as (
    {{ date_spine_days("(select min(start_date) from bounds)", "(select max(end_date) from bounds)") }}
),

account_days as (
    select b.account_id, b.platform, spine.date_day
    from bounds as b
    inner join spine on spine.date_day between b.start_date and b.end_date
),

gain_series_start as (
    select account_id, platform, min(date_day) as series_start_date
    from series
    where follower_gain is not null
    group by account_id, platform
),

gain_backfill as (
    select
        d.account_id,
        d.platform,
        d.date_day,
        f.first_snapshot_followers
          - sum(g.follower_gain) over (
                partition by d.account_id, d.platform order by d.date_day desc
                rows between unbounded preceding and 1 preceding) as followers,
        -- Rows after d up to the first snapshot: exactly the days (d, s0].
        sum(case when g.follower_gain is null then 1 else 0 end) over (
                partition by d.account_id, d.platform order by d.date_day desc
                rows between unbounded preceding and 1 preceding) as missing_days
    from account_days as d
    inner join first_snapshot as f on d.account_id = f.account_id and d.platform = f.platform
    inner join gain_series_start as ss on d.account_id = ss.account_id and d.platform = ss.platform
    left join series as g
        on d.account_id = g.account_id and d.platform = g.platform and d.date_day = g.date_day
    where d.date_day <= f.first_snapshot_date
      and d.date_day >= ss.series_start_date
)

select
    d.account_id,
    d.platform,
    d.date_day,
    cast(case
        when s.followers_count is not null then s.followers_count
        when f.first_snapshot_date is not null and d.date_day > f.first_snapshot_date then null
        when abs_series.followers is not null then abs_series.followers
        when backfill.missing_days = 0 and backfill.followers >= 0 then backfill.followers
    end as {{ dbt.type_bigint() }}) as followers,
    case
        when s.followers_count is not null then 'snapshot'
        when f.first_snapshot_date is not null and d.date_day > f.first_snapshot_date then null
        when abs_series.followers is not null then 'page_follows_series'
        when backfill.missing_days = 0 and backfill.followers >= 0 then 'follower_gains_backfill'
    end as followers_source
from account_days as d
left join snapshots as s
    on d.account_id = s.account_id and d.platform = s.platform and d.date_day = s.snapshot_date
left join first_snapshot as f
    on d.account_id = f.account_id and d.platform = f.platform
left join series as abs_series
    on d.account_id = abs_series.account_id and d.platform = abs_series.platform
   and d.date_day = abs_series.date_day and abs_series.followers is not null
left join gain_backfill as backfill
    on d.account_id = backfill.account_id and d.platform = backfill.platform
   and d.date_day = backfill.date_day
