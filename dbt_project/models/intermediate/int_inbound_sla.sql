-- The response SLA of every inbound item. The target comes from
-- seeds/response_sla_targets.csv by channel and priority (int_inbound_categories). The SLA
-- clock runs from the item to its first response, or to the as-of time while unanswered
-- (var reputation_as_of, default: the latest item or response in the data). It counts the
-- brand's business minutes (macro business_minutes: brand time zone, DST) when the target
-- says business_hours_only and the brand has business hours, else elapsed minutes.
-- within_sla: answered -> clock <= target; unanswered -> false once the clock is past the
-- target, NULL while it is not (still pending); NULL without a target.
{%- set max_days = var('reputation_sla_max_days') %}
{%- set as_of = var('reputation_as_of') %}

with items as (
    select
        items.item_key,
        items.brand_id,
        items.channel,
        items.received_at,
        items.first_response_at,
        categories.priority
    from {{ ref('int_inbound_items') }} as items
    inner join {{ ref('int_inbound_categories') }} as categories
        on items.item_key = categories.item_key
),

as_of as (
    {%- if as_of %}
    select {{ dbt.cast(dbt.string_literal(as_of), dbt.type_timestamp()) }} as as_of_at
    {%- else %}
    select max(case when first_response_at > received_at then first_response_at else received_at end) as as_of_at
    from items
    {%- endif %}
),

intervals as (
    select
        items.item_key as interval_key,
        items.brand_id,
        brands.timezone,
        items.received_at as start_at,
        coalesce(items.first_response_at, as_of.as_of_at) as end_at
    from items
    cross join as_of
    inner join {{ ref('brands') }} as brands
        on items.brand_id = brands.brand_id
),

business as (
    {{ business_minutes('intervals', max_days) }}
),

clocked as (
    select
        items.item_key,
        items.first_response_at,
        targets.target_minutes,
        targets.business_hours_only,
        as_of.as_of_at,
        case
            when coalesce(targets.business_hours_only, false) and business.business_minutes is not null
                then business.business_minutes
            else
                {{ dbt.datediff('items.received_at', 'coalesce(items.first_response_at, as_of.as_of_at)', 'second') }} / 60.0
        end as sla_clock_minutes
    from items
    cross join as_of
    left join {{ ref('response_sla_targets') }} as targets
        on items.channel = targets.channel
       and items.priority = targets.priority
    left join business
        on items.item_key = business.interval_key
)

select
    item_key,
    {{ dbt.cast('target_minutes', dbt.type_int()) }} as sla_target_minutes,
    business_hours_only as sla_business_hours_only,
    case when sla_clock_minutes < 0 then 0 else sla_clock_minutes end as sla_clock_minutes,
    as_of_at as sla_as_of,
    case
        when target_minutes is null then {{ dbt.cast('null', dbt.type_boolean()) }}
        when first_response_at is not null then sla_clock_minutes <= target_minutes
        when sla_clock_minutes > target_minutes then false
    end as within_sla
from clocked
