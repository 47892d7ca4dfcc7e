-- Facebook Page daily follower totals: one row per page and date.
with renamed as (
    select
        {{ dbt.cast('page_id', dbt.type_string()) }} as page_id,
        {{ dbt.cast(adapter.quote('date'), 'date') }} as follows_date,
        {{ dbt.cast('followers', dbt.type_bigint()) }} as followers,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('meta', 'facebook_page_follows')) }} as dlt_load_id
    from {{ source('meta', 'facebook_page_follows') }}
)
{{ deduplicate('renamed', 'page_id, follows_date', 'fetched_at desc') }}
