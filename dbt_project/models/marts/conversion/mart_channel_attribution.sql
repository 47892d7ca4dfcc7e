-- Period x brand x channel group x campaign x model: attributed conversions and revenue
-- (fct_attribution, dated by the conversion's UTC day) beside paid spend (seed
-- marketing_spend, by spend day), for period_type 'month' and 'iso_week'. Each side is
-- aggregated to this grain BEFORE the full outer join, so spend rows and conversions never
-- multiply each other. Spend has no model: the same amount shows on each model's row (read
-- one model at a time). Spend meeting no attributed conversion keeps its row with 0
-- conversions and revenue; a cell without spend has spend, ROAS and CPA NULL.
{%- set not_set = dbt.string_literal('(not set)') %}

with period_types as (
    select {{ dbt.string_literal('month') }} as period_type
    union all
    select {{ dbt.string_literal('iso_week') }} as period_type
),

models as (
    {%- for model in attribution_models() %}
    select {{ dbt.string_literal(model) }} as model
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

{#- The period a day falls in, for each period type. #}
{%- set period_start -%}
    case
        when period_types.period_type = {{ dbt.string_literal('iso_week') }}
            then {{ iso_week_start('date_day') }}
        else {{ dbt.cast(dbt.date_trunc('month', 'date_day'), 'date') }}
    end
{%- endset %}

attribution_days as (
    select
        brand_id,
        {{ dbt.cast(utc_timestamp('converted_at'), 'date') }} as date_day,
        coalesce(channel_group, {{ dbt.string_literal('Unassigned') }}) as channel_group,
        coalesce(campaign, {{ not_set }}) as campaign,
        model,
        credit,
        attributed_revenue,
        currency
    from {{ ref('fct_attribution') }}
),

attributed as (
    select
        attribution_days.brand_id,
        period_types.period_type,
        {{ period_start }} as period_start,
        attribution_days.channel_group,
        attribution_days.campaign,
        attribution_days.model,
        sum(attribution_days.credit) as attributed_conversions,
        sum(attribution_days.attributed_revenue) as attributed_revenue,
        max(attribution_days.currency) as currency
    from attribution_days
    cross join period_types
    group by
        attribution_days.brand_id,
        period_types.period_type,
        {{ period_start }},
        attribution_days.channel_group,
        attribution_days.campaign,
        attribution_days.model
),

spend_days as (
    select
        brand_id,
        spend_date as date_day,
        channel_group,
        coalesce(campaign, {{ not_set }}) as campaign,
        spend,
        currency
    from {{ ref('marketing_spend') }}
),

spend_periods as (
    select
        spend_days.brand_id,
        period_types.period_type,
        {{ period_start }} as period_start,
        spend_days.channel_group,
        spend_days.campaign,
        sum(spend_days.spend) as spend,
        max(spend_days.currency) as currency
    from spend_days
    cross join period_types
    group by
        spend_days.brand_id,
        period_types.period_type,
        {{ period_start }},
        spend_days.channel_group,
        spend_days.campaign
),

-- One spend row per model, so the join below is one-to-one on the full grain.
spend as (
    select spend_periods.*, models.model
    from spend_periods
    cross join models
),

joined as (
    select
        coalesce(attributed.period_type, spend.period_type) as period_type,
        coalesce(attributed.period_start, spend.period_start) as period_start,
        coalesce(attributed.brand_id, spend.brand_id) as brand_id,
        coalesce(attributed.channel_group, spend.channel_group) as channel_group,
        coalesce(attributed.campaign, spend.campaign) as campaign,
        coalesce(attributed.model, spend.model) as model,
        coalesce(attributed.attributed_conversions, 0) as attributed_conversions,
        coalesce(attributed.attributed_revenue, 0) as attributed_revenue,
        spend.spend,
        coalesce(attributed.currency, spend.currency) as currency,
        spend.currency as spend_currency
    from attributed
    full outer join spend
        on attributed.brand_id = spend.brand_id
       and attributed.period_type = spend.period_type
       and attributed.period_start = spend.period_start
       and attributed.channel_group = spend.channel_group
       and attributed.campaign = spend.campaign
       and attributed.model = spend.model
)

select
    period_type,
    period_start,
    case
        when period_type = {{ dbt.string_literal('iso_week') }}
            then {{ dbt.cast(dbt.dateadd('day', '6', 'period_start'), 'date') }}
        else {{ dbt.cast(dbt.last_day('period_start', 'month'), 'date') }}
    end as period_end,
    brand_id,
    channel_group,
    campaign,
    model,
    attributed_conversions,
    attributed_revenue,
    spend,
    case when spend > 0 then attributed_revenue / spend end as roas,
    case when attributed_conversions > 0 then spend / attributed_conversions end as cpa,
    currency,
    spend_currency
from joined
