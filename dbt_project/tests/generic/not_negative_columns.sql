{#- Fails with one row per listed column that holds negative values: column_name, and
    failing_rows (how many rows are below zero in it). The model-level form of not_negative:
    a count or a rate is never negative, NULL is allowed ("not given"); one query per model
    whatever the number of columns (macros/failing_rows_per_column.sql). A `where` config
    filters the rows as it does for the built-in tests. -#}
{% test not_negative_columns(model, columns, quote_columns=false) %}
{{ failing_rows_per_column(model, columns, '{column} < 0', quote_columns) }}
{% endtest %}
