{#- Fails with one row per value of the column that is not in `vocabulary` (a name, or a list of
    names whose values are all accepted) of seeds/vocabularies.csv: the one list of each closed
    vocabulary, which the Great Expectations suites read too (data_quality/vocabularies.py).
    NULL passes, as with accepted_values; values are compared as text. -#}
{% test in_vocabulary(model, column_name, vocabulary) %}
{%- set names = [vocabulary] if vocabulary is string else vocabulary %}
select distinct {{ dbt.cast(column_name, dbt.type_string()) }} as value_outside_vocabulary
from {{ model }}
where {{ column_name }} is not null
    and {{ dbt.cast(column_name, dbt.type_string()) }} not in (
        select value
        from {{ ref('vocabularies') }}
        where vocabulary in ({%- for name in names %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %})
    )
{% endtest %}
