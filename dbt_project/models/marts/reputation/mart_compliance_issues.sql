-- The compliance queue: one row per rule broken by an object, naming both, with the action
-- that fixes it. No text: the object is named by its key, the rule by its name.
--   * undisclosed_partnership: a post flagged as a partnership (dim_posts.is_partnership: a
--     disclosure marker or a partner of seeds/partners.csv) without a disclosure marker of
--     seeds/disclosure_markers.csv (#ad, #sponsorise, #partenariat, "paid partnership"...);
--   * review_unanswered_past_sla: a review still unanswered once its SLA target has elapsed
--     (fct_reviews: not responded, within_sla false);
--   * pii_email / pii_phone / pii_iban: an inbound item whose text holds an e-mail address,
--     a phone number or an IBAN (int_compliance_pii_flags), so the team can hide it.
with partnerships as (
    select
        {{ dbt.string_literal('undisclosed_partnership') }} as rule,
        {{ dbt.string_literal('post') }} as object_type,
        {{ dbt.concat(["platform", "':'", "post_id"]) }} as object_key,
        brand_id,
        platform,
        published_date_local as issue_date,
        {{ dbt.string_literal('add_disclosure') }} as action
    from {{ ref('dim_posts') }}
    where is_partnership and not is_disclosed
),

reviews as (
    select
        {{ dbt.string_literal('review_unanswered_past_sla') }} as rule,
        {{ dbt.string_literal('review') }} as object_type,
        review_key as object_key,
        brand_id,
        platform,
        created_date_local as issue_date,
        {{ dbt.string_literal('reply') }} as action
    from {{ ref('fct_reviews') }}
    where not responded and within_sla = false
),

pii_rules as (
    select {{ dbt.string_literal('pii_email') }} as rule
    union all
    select {{ dbt.string_literal('pii_phone') }}
    union all
    select {{ dbt.string_literal('pii_iban') }}
),

personal_data as (
    select
        pii_rules.rule,
        {{ dbt.string_literal('inbound_item') }} as object_type,
        items.item_key as object_key,
        items.brand_id,
        items.platform,
        items.received_date_local as issue_date,
        {{ dbt.string_literal('hide') }} as action
    from {{ ref('int_compliance_pii_flags') }} as flags
    inner join {{ ref('fct_inbound_items') }} as items
        on flags.item_key = items.item_key
    inner join pii_rules
        on (pii_rules.rule = {{ dbt.string_literal('pii_email') }} and flags.has_email)
        or (pii_rules.rule = {{ dbt.string_literal('pii_phone') }} and flags.has_phone)
        or (pii_rules.rule = {{ dbt.string_literal('pii_iban') }} and flags.has_iban)
),

issues as (
    select * from partnerships
    union all
    select * from reviews
    union all
    select * from personal_data
)

select
    {{ dbt.concat(["rule", "'|'", "object_key"]) }} as issue_key,
    rule,
    object_type,
    object_key,
    brand_id,
    platform,
    issue_date,
    action
from issues
