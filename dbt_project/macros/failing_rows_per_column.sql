{#- The body of the column-list tests (tests/generic/not_null_columns.sql,
    not_negative_columns.sql): one scan of `model` counts, for each of `columns`, the rows where
    `failing_if` holds (a SQL predicate where {column} stands for the column), then the counts
    are turned into one row per column whose count is above zero: column_name, failing_rows.

    One query per model and invariant instead of one per column: dbt's overhead is per test
    (about 26 ms each on DuckDB, 0.5-1 s on Spark), whatever the query. The model is read once
    (a staging view is computed once), and the counts are unpivoted by a cross join with the
    list of column names rather than a union of one select per column, which would read the
    counts (and on engines that inline CTEs, the model) once per column. Portable SQL only:
    count(case ...), a FROM-less union all, cross join; no UNPIVOT, no VALUES list, no FILTER.

    quote_columns: quote every column name with the adapter's quote (for a column declared with
    `quote: true`, e.g. a raw column named "date"). -#}
{% macro failing_rows_per_column(model, columns, failing_if, quote_columns=false) %}
{%- if columns is string or columns is mapping or columns | length == 0 -%}
    {{ exceptions.raise_compiler_error(
        "columns must be a non-empty list of column names, got: " ~ columns) }}
{%- endif %}
with failing_counts as (
    select
    {%- for column in columns %}
        count(case when {{ failing_if | replace('{column}', adapter.quote(column) if quote_columns else column) }} then 1 end)
            as failing_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
),

tested_columns as (
    {%- for column in columns %}
    {{ 'union all ' if not loop.first }}select {{ loop.index }} as column_position, {{ dbt.string_literal(column) }} as column_name
    {%- endfor %}
),

per_column as (
    select
        tested_columns.column_name,
        case tested_columns.column_position
        {%- for column in columns %}
            when {{ loop.index }} then failing_counts.failing_{{ loop.index }}
        {%- endfor %}
        end as failing_rows
    from tested_columns
    cross join failing_counts
)

select column_name, failing_rows
from per_column
where failing_rows > 0
{% endmacro %}
