-- HubSpot deals: one row per portal and deal (latest fetch wins): amount in the deal's own
-- currency, pipeline and stage ids, close date (set when the deal is closed) and the closed-won
-- flag HubSpot computes from the stage's probability.
with renamed as (
    select
        {{ dbt.cast('portal_id', dbt.type_string()) }} as portal_id,
        {{ dbt.cast('deal_id', dbt.type_string()) }} as deal_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at,
        {{ dbt.cast('amount', dbt.type_numeric()) }} as amount,
        upper({{ dbt.cast('currency', dbt.type_string()) }}) as currency_code,
        {{ dbt.cast('pipeline', dbt.type_string()) }} as pipeline_id,
        {{ dbt.cast('deal_stage', dbt.type_string()) }} as deal_stage_id,
        {{ utc_timestamp('close_date') }} as closed_at,
        coalesce({{ dbt.cast('is_closed_won', dbt.type_boolean()) }}, false) as is_closed_won,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('hubspot', 'deals')) }} as dlt_load_id
    from {{ source('hubspot', 'deals') }}
)
{{ deduplicate('renamed', 'portal_id, deal_id', 'fetched_at desc') }}
