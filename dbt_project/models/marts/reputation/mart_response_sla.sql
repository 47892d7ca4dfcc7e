-- Response SLA by brand x channel x platform x ISO week (the brand's local week of arrival,
-- macros/iso_week.sql). Items, replies and response times are those of the items received
-- that week; the backlog is the items received until the week's end (Monday 00:00 local)
-- still unanswered then, whatever week they came in; the current week ends at the data's
-- as-of time (int_inbound_sla.sla_as_of; week_is_complete false). Weeks run from a group's
-- first item to the as-of week, quiet weeks included (their backlog still counts).
with as_of as (
    select max(sla_as_of) as as_of_at from {{ ref('int_inbound_sla') }}
),

items as (
    select
        items.brand_id,
        items.channel,
        items.platform,
        items.received_at,
        items.first_response_at,
        items.response_minutes,
        items.within_sla,
        brands.timezone,
        {{ iso_week_start('items.received_date_local') }} as week_start,
        case when items.first_response_at is not null then
            {{ iso_week_start(dbt.cast(utc_to_local('items.first_response_at', 'brands.timezone'), 'date')) }}
        end as response_week_start
    from {{ ref('fct_inbound_items') }} as items
    inner join {{ ref('brands') }} as brands
        on items.brand_id = brands.brand_id
),

groups as (
    select brand_id, channel, platform, timezone, min(week_start) as first_week_start
    from items
    group by brand_id, channel, platform, timezone
),

mondays as (
    select date_day as week_start
    from ({{ date_spine_days('(select min(week_start) from items)', '(select ' ~ dbt.cast('as_of_at', 'date') ~ ' from as_of)') }}) as spine
    where {{ iso_weekday_offset('date_day') }} = 0
),

weeks as (
    select
        groups.brand_id,
        groups.channel,
        groups.platform,
        mondays.week_start,
        {{ local_to_utc(dbt.cast(dbt.dateadd('day', '7', 'mondays.week_start'), dbt.type_timestamp()), 'groups.timezone') }} as week_end_at
    from groups
    inner join mondays
        on mondays.week_start >= groups.first_week_start
),

arrivals as (
    select
        brand_id,
        channel,
        platform,
        week_start,
        count(*) as items,
        sum(case when first_response_at is not null then 1 else 0 end) as replied,
        {{ median('response_minutes') }} as median_response_minutes,
        {{ percentile('response_minutes', 0.9) }} as p90_response_minutes,
        sum(case when within_sla is not null then 1 else 0 end) as sla_decided_items,
        sum(case when within_sla then 1 else 0 end) as within_sla_items
    from items
    group by brand_id, channel, platform, week_start
),

backlog as (
    select
        weeks.brand_id,
        weeks.channel,
        weeks.platform,
        weeks.week_start,
        count(*) as unanswered_at_week_end,
        max(
            {{ dbt.datediff('items.received_at', 'case when weeks.week_end_at < as_of.as_of_at then weeks.week_end_at else as_of.as_of_at end', 'second') }}
        ) / 3600.0 as oldest_unanswered_age_hours
    from weeks
    cross join as_of
    inner join items
        on weeks.brand_id = items.brand_id
       and weeks.channel = items.channel
       and weeks.platform = items.platform
       and items.week_start <= weeks.week_start
       and (items.response_week_start is null or items.response_week_start > weeks.week_start)
    group by weeks.brand_id, weeks.channel, weeks.platform, weeks.week_start
)

select
    weeks.brand_id,
    weeks.channel,
    weeks.platform,
    weeks.week_start,
    {{ iso_year('weeks.week_start') }} as iso_year,
    {{ iso_week_number('weeks.week_start') }} as iso_week,
    weeks.week_end_at <= as_of.as_of_at as week_is_complete,
    coalesce(arrivals.items, 0) as items,
    coalesce(arrivals.replied, 0) as replied,
    case when arrivals.items > 0 then 1.0 * arrivals.replied / arrivals.items end as reply_rate,
    arrivals.median_response_minutes,
    arrivals.p90_response_minutes,
    coalesce(arrivals.sla_decided_items, 0) as sla_decided_items,
    coalesce(arrivals.within_sla_items, 0) as within_sla_items,
    case when arrivals.sla_decided_items > 0
        then 1.0 * arrivals.within_sla_items / arrivals.sla_decided_items end as share_within_sla,
    coalesce(backlog.unanswered_at_week_end, 0) as unanswered_at_week_end,
    backlog.oldest_unanswered_age_hours
from weeks
cross join as_of
left join arrivals
    on weeks.brand_id = arrivals.brand_id
   and weeks.channel = arrivals.channel
   and weeks.platform = arrivals.platform
   and weeks.week_start = arrivals.week_start
left join backlog
    on weeks.brand_id = backlog.brand_id
   and weeks.channel = backlog.channel
   and weeks.platform = backlog.platform
   and weeks.week_start = backlog.week_start
