{#- Fails with one row per row of the model where `expression` (a boolean SQL expression over
    its columns) is false. NULL counts as passing, as in SQL CHECK constraints: wrap with
    coalesce(..., false) when NULL must fail. Used for row invariants of the analysis marts,
    e.g. posts >= posts_with_er. Attached to a column, the expression still names the column
    itself (column_name is accepted and not used). -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
