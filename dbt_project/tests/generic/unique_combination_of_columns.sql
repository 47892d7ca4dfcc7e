{#- Fails with one row per duplicated key: the combination of `combination_of_columns` must be
    unique. Written here because the project uses no packages (no network for dbt deps). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
