{#- last_value of `expr` over a window, NULLs skipped ("the latest value seen"), as the head of
    a window call: {{ last_value_ignore_nulls('views') }} over (...). DuckDB writes IGNORE NULLS
    inside the parentheses, Spark takes it as the second argument
    (https://spark.apache.org/docs/latest/api/sql/#last_value). -#}
{% macro last_value_ignore_nulls(expr) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls', 'community_pulse')(expr)) }}
{%- endmacro %}

{% macro default__last_value_ignore_nulls(expr) -%}
    last_value({{ expr }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignore_nulls(expr) -%}
    last_value({{ expr }}, true)
{%- endmacro %}
