-- Videos whose comment threads the API refused with 403 commentsDisabled: one row per video.
-- dlt creates the table only once such a video was seen, so a missing table yields an empty,
-- typed model instead of an error.
{%- set src = source('youtube', 'comments_disabled') %}
{%- set exists = execute and adapter.get_relation(
        database=src.database, schema=src.schema, identifier=src.identifier) is not none %}
{%- if exists %}
with renamed as (
    select
        {{ dbt.cast('video_id', dbt.type_string()) }} as video_id,
        {{ dbt.cast('channel_id', dbt.type_string()) }} as channel_id,
        {{ dbt.cast('reason', dbt.type_string()) }} as reason,
        {{ dbt.cast('message', dbt.type_string()) }} as google_message,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(src) }} as dlt_load_id
    from {{ src }}
)
{{ deduplicate('renamed', 'video_id', 'fetched_at desc') }}
{%- else %}
select
    {{ dbt.cast('null', dbt.type_string()) }} as video_id,
    {{ dbt.cast('null', dbt.type_string()) }} as channel_id,
    {{ dbt.cast('null', dbt.type_string()) }} as reason,
    {{ dbt.cast('null', dbt.type_string()) }} as google_message,
    {{ dbt.cast('null', dbt.type_timestamp()) }} as fetched_at,
    {{ dbt.cast('null', dbt.type_string()) }} as dlt_load_id
where 1 = 0
{%- endif %}
