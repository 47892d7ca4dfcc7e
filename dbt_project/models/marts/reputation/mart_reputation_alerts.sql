-- One row per alert the community manager must see, with what triggered it:
--   * crisis: a brand-day of mart_reputation_daily whose crisis_signal is on; metric is the
--     one above its threshold (negative_volume first, else negative_share);
--   * sla_breach_burst: a brand x channel x local day with at least
--     reputation_sla_burst_min_items items breaching their SLA (within_sla false: answered
--     late, or unanswered past the target) whose breach share (breaches / items whose SLA is
--     decided) exceeds the mean + reputation_sla_burst_z x stddev (population) of the daily
--     shares of the same brand x channel over the previous reputation_baseline_days days
--     (days with decided items; at least reputation_baseline_min_days of them). A share, not
--     a count: a busy day answered as usual is not a burst, a team suddenly behind is.
-- alert_key = alert_type:brand_id[:channel]:alert_date, the same on every rebuild, so the
-- Dagster sensor (orchestration/defs/alerts.py) sends each alert once.
{%- set baseline_days = var('reputation_baseline_days') | int %}
{%- set min_days = var('reputation_baseline_min_days') | int %}
{%- set burst_min = var('reputation_sla_burst_min_items') | int %}
{%- set burst_z = var('reputation_sla_burst_z') | float %}

with crisis as (
    select
        {{ dbt.string_literal('crisis') }} as alert_type,
        brand_id,
        {{ dbt.cast('null', dbt.type_string()) }} as channel,
        date_day as alert_date,
        crisis_metric as metric,
        case when crisis_metric = {{ dbt.string_literal('negative_volume') }}
            then {{ dbt.cast('negative_volume', type_double()) }} else negative_share
        end as value,
        case when crisis_metric = {{ dbt.string_literal('negative_volume') }}
            then negative_volume_baseline else negative_share_baseline
        end as baseline,
        case when crisis_metric = {{ dbt.string_literal('negative_volume') }}
            then negative_volume_threshold else negative_share_threshold
        end as threshold,
        {{ dbt.concat([
            "'negative_volume='", dbt.cast('negative_volume', dbt.type_string()),
            "';volume='", dbt.cast('volume', dbt.type_string()),
            "';negative_share='", "coalesce(" ~ dbt.cast('round(negative_share, 3)', dbt.type_string()) ~ ", 'n/a')",
            "';baseline_days='", dbt.cast('baseline_days', dbt.type_string())
        ]) }} as details
    from {{ ref('mart_reputation_daily') }}
    where crisis_signal
),

breach_days as (
    select
        brand_id,
        channel,
        received_date_local as date_day,
        sum(case when within_sla is not null then 1 else 0 end) as decided,
        sum(case when within_sla = false then 1 else 0 end) as breaches
    from {{ ref('fct_inbound_items') }}
    group by brand_id, channel, received_date_local
),

shares as (
    select *, {{ dbt.cast('breaches', type_double()) }} / decided as breach_share
    from breach_days
    where decided > 0
),

-- The window's days with decided items, by a self-join (a share needs items: days without
-- any are not in the baseline).
candidate_sums as (
    select
        candidates.brand_id,
        candidates.channel,
        candidates.date_day,
        candidates.decided,
        candidates.breaches,
        candidates.breach_share,
        count(before.date_day) as baseline_days,
        sum(before.breach_share) as sum_shares,
        sum(before.breach_share * before.breach_share) as sum_squares
    from shares as candidates
    left join shares as before
        on candidates.brand_id = before.brand_id
       and candidates.channel = before.channel
       and before.date_day >= {{ dbt.cast(dbt.dateadd('day', -baseline_days, 'candidates.date_day'), 'date') }}
       and before.date_day < candidates.date_day
    where candidates.breaches >= {{ burst_min }}
    group by candidates.brand_id, candidates.channel, candidates.date_day, candidates.decided,
             candidates.breaches, candidates.breach_share
),

candidate_baselines as (
    select
        *,
        sum_shares / baseline_days as baseline,
        sqrt(greatest(sum_squares / baseline_days - (sum_shares / baseline_days) * (sum_shares / baseline_days), 0))
            as stddev
    from candidate_sums
    where baseline_days >= {{ min_days }}
),

bursts as (
    select *, baseline + {{ burst_z }} * stddev as threshold
    from candidate_baselines
    where breach_share > baseline + {{ burst_z }} * stddev
),

sla as (
    select
        {{ dbt.string_literal('sla_breach_burst') }} as alert_type,
        brand_id,
        channel,
        date_day as alert_date,
        {{ dbt.string_literal('sla_breach_share') }} as metric,
        breach_share as value,
        baseline,
        threshold,
        {{ dbt.concat([
            "'sla_breaches='", dbt.cast('breaches', dbt.type_string()),
            "';decided_items='", dbt.cast('decided', dbt.type_string()),
            "';min_breaches=" ~ burst_min ~ "'",
            "';baseline_days='", dbt.cast('baseline_days', dbt.type_string())
        ]) }} as details
    from bursts
),

alerts as (
    select * from crisis
    union all
    select * from sla
)

select
    {{ dbt.concat([
        "alert_type", "':'", "brand_id",
        "coalesce(" ~ dbt.concat(["':'", "channel"]) ~ ", '')",
        "':'", dbt.cast('alert_date', dbt.type_string())
    ]) }} as alert_key,
    brand_id,
    alert_type,
    alert_date,
    channel,
    metric,
    value,
    baseline,
    threshold,
    details
from alerts
