{#- One row per `partition_by` from the CTE/relation `relation`, keeping the first by `order_by`.
    Staging uses it to guarantee one row per natural key (latest fetch wins). -#}
{% macro deduplicate(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('deduplicate', 'community_pulse')(relation, partition_by, order_by)) }}
{%- endmacro %}

{#- QUALIFY: DuckDB, Snowflake, BigQuery, Databricks. -#}
{% macro default__deduplicate(relation, partition_by, order_by) -%}
    select *
    from {{ relation }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}

{% macro postgres__deduplicate(relation, partition_by, order_by) -%}
    select distinct on ({{ partition_by }}) *
    from {{ relation }}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}
