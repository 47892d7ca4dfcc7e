-- One row per HubSpot deal: amount, currency, pipeline, stage, close date, closed-won flag,
-- the deal's contact and whether the contact is linked to the site's visits (docs/identity.md).
-- The deal's contact: among its associated contacts, the one carrying a web user key first,
-- then the earliest created (HubSpot lets a deal have several; the world gives one).
-- Linked: the contact's web_user_key (the site's login id, hashed under the shared
-- web_identity purpose) is the visitor_key of at least one attribution-eligible session of the
-- deal's brand (fct_sessions stitches a cookie's visits to its login retroactively; a denied
-- visit is never stitched and never eligible: macro attribution_consent_allowed).
with deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

deal_contacts as (
    select
        associations.portal_id,
        associations.deal_id,
        contacts.contact_id,
        contacts.web_user_key,
        contacts.original_source,
        contacts.original_source_detail_1,
        contacts.utm_source,
        contacts.utm_medium,
        contacts.utm_campaign,
        contacts.utm_content,
        contacts.created_at as contact_created_at,
        count(*) over (partition by associations.portal_id, associations.deal_id) as contact_count,
        row_number() over (
            partition by associations.portal_id, associations.deal_id
            order by case when contacts.web_user_key is null then 1 else 0 end,
                     contacts.created_at, contacts.contact_id
        ) as contact_rank
    from {{ ref('stg_hubspot__deal_contacts') }} as associations
    inner join contacts
        on associations.portal_id = contacts.portal_id
       and associations.contact_id = contacts.contact_id
),

web_visitors as (
    select
        brand_id,
        visitor_key,
        count(*) as sessions,
        min(started_at) as first_session_at
    from {{ ref('fct_sessions') }}
    where {{ attribution_consent_allowed('consent') }}
    group by brand_id, visitor_key
)

select
    {{ dbt.concat(["deals.portal_id", "'-'", "deals.deal_id"]) }} as deal_key,
    deals.portal_id,
    deals.deal_id,
    deals.brand_id,
    deals.created_at,
    deals.closed_at,
    {{ dbt.cast('deals.closed_at', 'date') }} as close_date,
    deals.amount,
    deals.currency_code as currency,
    deals.pipeline_id,
    deals.deal_stage_id,
    deals.closed_at is not null as is_closed,
    deals.is_closed_won,
    case when deal_contacts.contact_id is not null
        then {{ dbt.concat(["deals.portal_id", "':'", "deal_contacts.contact_id"]) }}
    end as contact_key,
    deal_contacts.contact_id,
    coalesce(deal_contacts.contact_count, 0) as associated_contacts,
    deal_contacts.contact_created_at,
    deal_contacts.web_user_key,
    web_visitors.visitor_key is not null as is_linked,
    coalesce(web_visitors.sessions, 0) as linked_sessions,
    web_visitors.first_session_at as first_linked_session_at,
    deal_contacts.original_source,
    deal_contacts.original_source_detail_1,
    deal_contacts.utm_source as original_utm_source,
    deal_contacts.utm_medium as original_utm_medium,
    deal_contacts.utm_campaign as original_utm_campaign,
    deal_contacts.utm_content as original_utm_content
from deals
left join deal_contacts
    on deals.portal_id = deal_contacts.portal_id
   and deals.deal_id = deal_contacts.deal_id
   and deal_contacts.contact_rank = 1
left join web_visitors
    on deals.brand_id = web_visitors.brand_id
   and deal_contacts.web_user_key = web_visitors.visitor_key
