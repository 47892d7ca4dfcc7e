-- The vocabularies macros/vocabulary.sql spells for the compiler are exactly those of
-- seeds/vocabularies.csv: one row per value found on one side only.
{%- set vocabularies = compiled_vocabularies() %}
with compiled as (
    {%- for name, values in vocabularies.items() %}
    {%- set outer = loop %}
    {%- for value in values %}
    select '{{ name }}' as vocabulary, '{{ value }}' as value
    {{- ' union all' if not (outer.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

seeded as (
    select vocabulary, value
    from {{ ref('vocabularies') }}
    where vocabulary in ({% for name in vocabularies %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %})
),

only_compiled as (
    select * from compiled
    except
    select * from seeded
),

only_seeded as (
    select * from seeded
    except
    select * from compiled
)

select 'only in macros/vocabulary.sql' as found, vocabulary, value from only_compiled
union all
select 'only in seeds/vocabularies.csv' as found, vocabulary, value from only_seeded
