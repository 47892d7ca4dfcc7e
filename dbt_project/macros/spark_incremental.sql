{#- Spark (dbt-spark) knows append, insert_overwrite, merge and microbatch; the project's
    incremental models use delete+insert (the rows of the restated keys are replaced). These
    two overrides of dbt-spark's macros (dbt/include/spark/macros/materializations/incremental/)
    add delete+insert on Spark: DELETE then INSERT on Delta or Iceberg tables; on Parquet, which
    cannot delete rows, the kept rows are copied aside and the table is overwritten with them
    plus the new rows. A first build and --full-refresh never reach them (create table as). -#}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
  {%- if raw_strategy == 'delete+insert' -%}
    {% do return(raw_strategy) %}
  {%- endif -%}
  {% do return(dbt_spark.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) %}
{% endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
  {%- if strategy != 'delete+insert' -%}
    {{ return(dbt_spark.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
  {%- endif -%}
  {#- The new rows are computed once, before any row is removed: the model's query reads its
      own table (the restatement anchor, macros/restatement.sql), as on DuckDB where dbt
      materialises them in a temporary table first. -#}
  {%- set keys = [unique_key] if unique_key is string else unique_key -%}
  {%- set new = target.incorporate(path={"identifier": target.identifier ~ '__dbt_new'}) -%}
  {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
  {%- set matched -%}
    exists (select 1 from {{ new }} as n where
      {%- for k in keys %} n.{{ k }} = t.{{ k }}{{ ' and' if not loop.last }}{% endfor %})
  {%- endset -%}
  {% do run_query('drop table if exists ' ~ new) %}
  {% do run_query('create table ' ~ new ~ ' using parquet as select * from ' ~ source) %}
  {%- if existing.is_delta or existing.is_iceberg -%}
    {% do run_query('delete from ' ~ target ~ ' as t where ' ~ matched) %}
    insert into table {{ target }} select {{ columns }} from {{ new }}
  {%- else -%}
    {%- set keep = target.incorporate(path={"identifier": target.identifier ~ '__dbt_keep'}) -%}
    {% do run_query('drop table if exists ' ~ keep) %}
    {% do run_query('create table ' ~ keep ~ ' using parquet as select ' ~ columns ~ ' from ' ~ target ~ ' as t where not ' ~ matched) %}
    insert overwrite table {{ target }}
    select {{ columns }} from {{ keep }}
    union all
    select {{ columns }} from {{ new }}
  {%- endif -%}
{% endmacro %}
