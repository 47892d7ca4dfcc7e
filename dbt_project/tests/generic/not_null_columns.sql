{#- Fails with one row per listed column that holds NULLs: column_name, and failing_rows (how
    many rows are NULL in it). The model-level form of dbt's not_null: one query per model
    whatever the number of columns (macros/failing_rows_per_column.sql). A `where` config
    filters the rows as it does for the built-in tests. A column whose test needs its own
    config (where, severity) keeps a per-column not_null. -#}
{% test not_null_columns(model, columns, quote_columns=false) %}
{{ failing_rows_per_column(model, columns, '{column} is null', quote_columns) }}
{% endtest %}
