{#- Invariant: a count or a rate is never negative (NULL is allowed: it means "not given"). -#}
{% test not_negative(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < 0
{% endtest %}
