{#- Lists of text, dispatched: DuckDB and Spark spell them differently. -#}

{#- Every match of `pattern` in `text` (the whole match), as a list. Spark's regexp_extract_all
    returns group 1 unless told 0 (https://spark.apache.org/docs/latest/api/sql/#regexp_extract_all). -#}
{% macro regexp_matches_list(text, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches_list', 'community_pulse')(text, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches_list(text, pattern) -%}
    regexp_extract_all({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_matches_list(text, pattern) -%}
    regexp_extract_all({{ text }}, {{ pattern }}, 0)
{%- endmacro %}

{#- The items of a list joined by `separator` (NULL items skipped). -#}
{% macro list_to_text(list_expr, separator) -%}
    {{ return(adapter.dispatch('list_to_text', 'community_pulse')(list_expr, separator)) }}
{%- endmacro %}

{% macro default__list_to_text(list_expr, separator) -%}
    array_to_string({{ list_expr }}, {{ separator }})
{%- endmacro %}

{% macro spark__list_to_text(list_expr, separator) -%}
    array_join({{ list_expr }}, {{ separator }})
{%- endmacro %}

{#- The number of items of a list (NULL for a NULL list). -#}
{% macro list_length(list_expr) -%}
    {{ return(adapter.dispatch('list_length', 'community_pulse')(list_expr)) }}
{%- endmacro %}

{% macro default__list_length(list_expr) -%}
    len({{ list_expr }})
{%- endmacro %}

{% macro spark__list_length(list_expr) -%}
    array_size({{ list_expr }})
{%- endmacro %}
