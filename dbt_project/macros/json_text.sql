{#- The text at a JSONPath of a JSON document held as text (NULL when absent), e.g. the first
    URL of a post: json_text('urls_json', "'$[0]'"). Dispatched: DuckDB's json_extract_string,
    Spark's get_json_object (https://spark.apache.org/docs/latest/api/sql/#get_json_object). -#}
{% macro json_text(json_expr, path) -%}
    {{ return(adapter.dispatch('json_text', 'community_pulse')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_text(json_expr, path) -%}
    json_extract_string({{ json_expr }}, {{ path }})
{%- endmacro %}

{% macro spark__json_text(json_expr, path) -%}
    get_json_object({{ json_expr }}, {{ path }})
{%- endmacro %}
