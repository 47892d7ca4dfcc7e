{#- The staging model of a source's quarantine: the records its dlt source refused, one row per
    (source, resource, record_id, quarantine_date), the table's merge key. dlt creates
    raw_<source>.quarantine only once a record has been quarantined, so a missing table yields an
    empty, typed model instead of an error. -#}
{% macro staging_quarantine(source_name) -%}
{%- set src = source(source_name, 'quarantine') %}
{%- set exists = execute and adapter.get_relation(
        database=src.database, schema=src.schema, identifier=src.identifier) is not none %}
{%- if exists %}
select
    {{ dbt.cast('source', dbt.type_string()) }} as source_name,
    {{ dbt.cast('resource', dbt.type_string()) }} as resource_name,
    {{ dbt.cast('record_id', dbt.type_string()) }} as record_id,
    {{ dbt.cast('reason', dbt.type_string()) }} as reason,
    {{ dbt.cast('payload', dbt.type_string()) }} as payload_json,
    {{ utc_timestamp('quarantined_at') }} as quarantined_at,
    {{ dbt.cast('quarantine_date', 'date') }} as quarantine_date,
    {{ dlt_load_id(src) }} as dlt_load_id
from {{ src }}
{%- else %}
select
    {{ dbt.cast('null', dbt.type_string()) }} as source_name,
    {{ dbt.cast('null', dbt.type_string()) }} as resource_name,
    {{ dbt.cast('null', dbt.type_string()) }} as record_id,
    {{ dbt.cast('null', dbt.type_string()) }} as reason,
    {{ dbt.cast('null', dbt.type_string()) }} as payload_json,
    {{ dbt.cast('null', dbt.type_timestamp()) }} as quarantined_at,
    {{ dbt.cast('null', 'date') }} as quarantine_date,
    {{ dbt.cast('null', dbt.type_string()) }} as dlt_load_id
where 1 = 0
{%- endif %}
{%- endmacro %}
