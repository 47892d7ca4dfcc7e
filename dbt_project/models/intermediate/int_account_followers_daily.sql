-- Followers per account and day on the six platforms, each value with its basis, so an
-- approximation is never silent (docs/engagement_marts.md, "Followers on a day"):
--   observed       a daily account snapshot of that day, else an absolute daily series the API
--                  keeps (Facebook page_follows);
--   reconstructed  the next observation after the day minus the daily net gains the API serves
--                  in between (Instagram follower_count, LinkedIn follower gains, YouTube
--                  subscribersGained - subscribersLost): every day from the day after up to the
--                  observation needs a gain, except trailing days the API has not served yet
--                  (its reporting lag), which count as no change;
--   nearest        the nearest observed or reconstructed value after the day (X and TikTok keep
--                  no history; Instagram keeps 30 days of gains);
--   current        as nearest, when that value is the account's latest snapshot: all an API
--                  without history gives on a first run.
-- followers_gap_days = days of follower change the value does not account for: 0 when observed,
-- the unserved trailing days when reconstructed, the distance to the borrowed value (plus that
-- value's own gap) when nearest or current. The basis errors are measured in the docs.
-- Range per account: its first known date (observation, gain or post) to its last snapshot.
{%- set acct = 'account_id, platform' %}
with snapshots as (
    select account_id, platform, snapshot_date as date_day, followers_count as followers
    from {{ ref('int_account_snapshots') }}
    where followers_count is not null
),

series as (
    select * from {{ ref('int_account_follower_series') }}
),

observations as (
    select account_id, platform, date_day, followers, 'snapshot' as followers_source, 1 as preference
    from snapshots
    union all
    select account_id, platform, date_day, followers, 'page_follows_series', 2
    from series
    where followers is not null
),

observed as (
    select account_id, platform, date_day, followers, followers_source
    from (
        select
            *,
            row_number() over (partition by {{ acct }}, date_day order by preference) as pick
        from observations
    ) as ranked
    where pick = 1
),

gains as (
    select account_id, platform, date_day, follower_gain
    from series
    where follower_gain is not null
),

bounds as (
    select known.account_id, known.platform, min(known.date_day) as start_date,
           coalesce(max(latest.last_snapshot_date), max(known.date_day)) as end_date,
           max(latest.last_snapshot_date) as last_snapshot_date,
           max(gain_days.last_gain_day) as last_gain_day
    from (
        select account_id, platform, date_day from observed
        union all select account_id, platform, date_day from gains
        union all
        select account_id, platform, {{ dbt.cast('published_at', 'date') }}
        from {{ ref('int_posts_unioned') }}
    ) as known
    left join (
        select {{ acct }}, max(date_day) as last_snapshot_date from snapshots group by {{ acct }}
    ) as latest on known.account_id = latest.account_id and known.platform = latest.platform
    left join (
        select {{ acct }}, max(date_day) as last_gain_day from gains group by {{ acct }}
    ) as gain_days on known.account_id = gain_days.account_id and known.platform = gain_days.platform
    group by known.account_id, known.platform
),

spine as (
    {{ date_spine_days("(select min(start_date) from bounds)", "(select max(end_date) from bounds)") }}
),

account_days as (
    select
        b.account_id,
        b.platform,
        spine.date_day,
        b.last_snapshot_date,
        b.last_gain_day,
        o.followers as observed_followers,
        o.followers_source as observed_source,
        -- Running sums: the gains (and gain days) of (d, a] are their differences at a and d.
        sum(coalesce(g.follower_gain, 0)) over (
            partition by b.account_id, b.platform order by spine.date_day
            rows between unbounded preceding and current row) as cumulative_gain,
        sum(case when g.follower_gain is not null then 1 else 0 end) over (
            partition by b.account_id, b.platform order by spine.date_day
            rows between unbounded preceding and current row) as cumulative_gain_days,
        min(case when o.followers is not null then spine.date_day end) over (
            partition by b.account_id, b.platform order by spine.date_day
            rows between 1 following and unbounded following) as next_observed_day
    from bounds as b
    inner join spine on spine.date_day between b.start_date and b.end_date
    left join observed as o
        on b.account_id = o.account_id and b.platform = o.platform and spine.date_day = o.date_day
    left join gains as g
        on b.account_id = g.account_id and b.platform = g.platform and spine.date_day = g.date_day
),

reconstructed as (
    select
        d.*,
        -- Gains are needed on every day of (d, covered_end]; later days are not served yet.
        case when d.last_gain_day < d.next_observed_day then d.last_gain_day
             else d.next_observed_day end as covered_end,
        n.observed_followers - (n.cumulative_gain - d.cumulative_gain) as rebuilt_followers,
        n.cumulative_gain_days - d.cumulative_gain_days as gain_days_after
    from account_days as d
    left join account_days as n
        on d.account_id = n.account_id and d.platform = n.platform
       and n.date_day = d.next_observed_day
),

valued as (
    select
        account_id,
        platform,
        date_day,
        last_snapshot_date,
        case
            when observed_followers is not null then observed_followers
            when covered_end > date_day
             and gain_days_after = {{ dbt.datediff('date_day', 'covered_end', 'day') }}
             and rebuilt_followers >= 0 then rebuilt_followers
        end as followers,
        case
            when observed_followers is not null then 'observed'
            when covered_end > date_day
             and gain_days_after = {{ dbt.datediff('date_day', 'covered_end', 'day') }}
             and rebuilt_followers >= 0 then 'reconstructed'
        end as followers_basis,
        case
            when observed_followers is not null then observed_source
            else 'follower_gains_backfill'
        end as followers_source,
        case
            when observed_followers is not null then 0
            else {{ dbt.datediff('covered_end', 'next_observed_day', 'day') }}
        end as followers_gap_days
    from reconstructed
),

with_next_value as (
    select
        *,
        min(case when followers is not null then date_day end) over (
            partition by {{ acct }} order by date_day
            rows between 1 following and unbounded following) as next_value_day
    from valued
)

select
    d.account_id,
    d.platform,
    d.date_day,
    {{ dbt.cast('coalesce(d.followers, n.followers)', dbt.type_bigint()) }} as followers,
    case
        when d.followers is not null then d.followers_basis
        when n.followers is null then null
        when n.followers_basis = 'observed' and n.date_day = d.last_snapshot_date then 'current'
        else 'nearest'
    end as followers_basis,
    case
        when d.followers is not null then d.followers_source
        else n.followers_source
    end as followers_source,
    case
        when d.followers is not null then d.followers_gap_days
        when n.followers is not null
            then {{ dbt.datediff('d.date_day', 'n.date_day', 'day') }} + n.followers_gap_days
    end as followers_gap_days
from with_next_value as d
left join valued as n
    on d.account_id = n.account_id and d.platform = n.platform and n.date_day = d.next_value_day
