-- GA4 sessions against Matomo visits of the same brand's site, per day and channel group.
-- Matomo visits are counted on GA4's calendar (started_at in the GA4 property time zone), so a
-- different day boundary in the two tools is no difference. Only brands with both tools
-- (config/brands.yaml: a `ga4` property and a `matomo` site) have rows, and only the days both
-- histories fully cover. Tolerance: var('web_reconciliation_tolerance') of the Matomo count,
-- never less than var('web_reconciliation_min_sessions') sessions (docs/conversion_marts.md).
with ga4_properties as (
    {{ deduplicate(ref('stg_ga4__report_runs'), 'property_id', 'fetched_at desc') }}
),

ga4_brands as (
    select
        ga4_properties.brand_id,
        min(ga4_properties.property_id) as ga4_property_id,
        min(coalesce(ga4_properties.time_zone, brands.timezone, 'UTC')) as ga4_time_zone
    from ga4_properties
    left join {{ ref('brands') }} as brands
        on ga4_properties.brand_id = brands.brand_id
    group by ga4_properties.brand_id
),

ga4_days as (
    select
        brand_id,
        session_date,
        channel_group,
        sum(sessions) as ga4_sessions,
        {{ dbt.bool_or('is_provisional') }} as is_provisional,
        {{ dbt.bool_or('is_sampled') }} as is_sampled,
        {{ dbt.bool_or('is_subject_to_thresholding') }} as is_subject_to_thresholding,
        {{ dbt.bool_or('has_other_row_data_loss') }} as has_other_row_data_loss
    from {{ ref('fct_web_traffic_daily') }}
    group by brand_id, session_date, channel_group
),

matomo_sessions as (
    select
        sessions.brand_id,
        sessions.site_id,
        sessions.session_date as served_date,
        {{ dbt.cast(utc_to_local('sessions.started_at', 'ga4_brands.ga4_time_zone'), 'date') }}
            as session_date,
        sessions.channel_group
    from {{ ref('fct_sessions') }} as sessions
    inner join ga4_brands
        on sessions.brand_id = ga4_brands.brand_id
),

matomo_days as (
    select
        brand_id,
        session_date,
        channel_group,
        count(*) as matomo_visits
    from matomo_sessions
    group by brand_id, session_date, channel_group
),

-- Days both histories cover in full: the first and last day of each may be partial on the
-- other tool's calendar (time zones, backfill start), so the compared range excludes them.
coverage as (
    select
        ga4.brand_id,
        ga4.ga4_property_id,
        matomo.matomo_site_id,
        case when ga4.first_date > matomo.first_date then ga4.first_date else matomo.first_date end
            as first_date,
        case when ga4.last_date < matomo.last_date then ga4.last_date else matomo.last_date end
            as last_date
    from (
        select
            ga4_days.brand_id,
            min(ga4_brands.ga4_property_id) as ga4_property_id,
            min(ga4_days.session_date) as first_date,
            max(ga4_days.session_date) as last_date
        from ga4_days
        inner join ga4_brands
            on ga4_days.brand_id = ga4_brands.brand_id
        group by ga4_days.brand_id
    ) as ga4
    inner join (
        select
            brand_id,
            min(site_id) as matomo_site_id,
            min(served_date) as first_date,
            max(served_date) as last_date
        from matomo_sessions
        group by brand_id
    ) as matomo
        on ga4.brand_id = matomo.brand_id
),

compared as (
    select
        coalesce(ga4_days.brand_id, matomo_days.brand_id) as brand_id,
        coalesce(ga4_days.session_date, matomo_days.session_date) as session_date,
        coalesce(ga4_days.channel_group, matomo_days.channel_group) as channel_group,
        coalesce(ga4_days.ga4_sessions, 0) as ga4_sessions,
        coalesce(matomo_days.matomo_visits, 0) as matomo_visits,
        ga4_days.is_provisional,
        coalesce(ga4_days.is_sampled, false) as is_sampled,
        coalesce(ga4_days.is_subject_to_thresholding, false) as is_subject_to_thresholding,
        coalesce(ga4_days.has_other_row_data_loss, false) as has_other_row_data_loss
    from ga4_days
    full outer join matomo_days
        on ga4_days.brand_id = matomo_days.brand_id
        and ga4_days.session_date = matomo_days.session_date
        and ga4_days.channel_group = matomo_days.channel_group
),

-- A GA4-less day inherits the provisional state of the brand's GA4 day (any channel).
provisional_days as (
    select brand_id, session_date, {{ dbt.bool_or('is_provisional') }} as is_provisional
    from ga4_days
    group by brand_id, session_date
),

measured as (
    select
        compared.brand_id,
        coverage.ga4_property_id,
        coverage.matomo_site_id,
        compared.session_date,
        compared.channel_group,
        compared.ga4_sessions,
        compared.matomo_visits,
        compared.ga4_sessions - compared.matomo_visits as session_difference,
        case when compared.matomo_visits > 0
            then {{ dbt.cast('compared.ga4_sessions - compared.matomo_visits', type_double()) }}
                / compared.matomo_visits
        end as relative_difference,
        {{ dbt.cast(var('web_reconciliation_tolerance'), type_double()) }} as tolerance,
        case
            when {{ var('web_reconciliation_tolerance') }} * compared.matomo_visits
                > {{ var('web_reconciliation_min_sessions') }}
                then {{ dbt.cast(var('web_reconciliation_tolerance') ~ ' * compared.matomo_visits', type_double()) }}
            else {{ dbt.cast(var('web_reconciliation_min_sessions'), type_double()) }}
        end as allowed_difference,
        coalesce(compared.is_provisional, provisional_days.is_provisional, false)
            as is_provisional,
        compared.is_sampled,
        compared.is_subject_to_thresholding,
        compared.has_other_row_data_loss
    from compared
    inner join coverage
        on compared.brand_id = coverage.brand_id
        and compared.session_date > coverage.first_date
        and compared.session_date < coverage.last_date
    left join provisional_days
        on compared.brand_id = provisional_days.brand_id
        and compared.session_date = provisional_days.session_date
)

select
    brand_id,
    ga4_property_id,
    matomo_site_id,
    session_date,
    channel_group,
    ga4_sessions,
    matomo_visits,
    session_difference,
    relative_difference,
    tolerance,
    allowed_difference,
    is_provisional,
    is_sampled,
    is_subject_to_thresholding,
    has_other_row_data_loss,
    -- Not judged (NULL) while GA4 still restates the day.
    case
        when is_provisional then {{ dbt.cast('null', dbt.type_boolean()) }}
        when abs(session_difference) <= allowed_difference then true
        else false
    end as within_tolerance
from measured
