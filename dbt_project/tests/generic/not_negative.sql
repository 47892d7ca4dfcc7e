{#- Invariant: a count or a rate is never negative (NULL is allowed: it means "not given").
    Per column: the yml lists a model's columns in one not_negative_columns test instead; this
    one is for a column whose test needs its own config (where, severity). -#}
{% test not_negative(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < 0
{% endtest %}
