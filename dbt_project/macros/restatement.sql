{#- Incremental models (docs/performance.md): an incremental build recomputes the rows of the
    last `days` days and replaces them (delete+insert on the day column), so late data inside
    that window is restated and older rows are kept as they are.
    The window ends at the latest day already in the model's own table ({{ this }}), not at
    today: a build on the same data gives the same answer whatever the clock says. -#}

{% macro restatement_start(this_column, days) -%}
    {#- The first day an incremental build recomputes: `days` days before the latest
        `this_column` (a date or timestamp column of this model's table). A backfill
        (var `backfill_start`, an ISO date; docs/orchestration.md) moves that anchor back to
        its first day when earlier, so one build restates the whole range and each model's
        own look-back before it. -#}
    {%- set anchor = dbt.cast('(select max(' ~ this_column ~ ') from ' ~ this ~ ')', 'date') -%}
    {%- if var('backfill_start', none) -%}
    {%- set anchor = 'least(' ~ anchor ~ ', ' ~ dbt.cast("'" ~ var('backfill_start') ~ "'", 'date') ~ ')' -%}
    {%- endif -%}
    {{ dbt.cast(dbt.dateadd('day', -(days | int), anchor), 'date') }}
{%- endmacro %}

{% macro incremental_build() -%}
    {#- True on an incremental build of a model whose table exists; false on a full build and
        in unit tests, which compile a model without a relation of its own (`this` is none). -#}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}

{% macro restated(expression, days, this_column=none) -%}
    {#- A filter keeping the rows an incremental build recomputes: `expression` (a date or
        timestamp of the rows being selected) on or after restatement_start(`this_column`,
        default: `expression`). Always true on a full build (first run or --full-refresh). -#}
    {%- if incremental_build() -%}
    {{ dbt.cast(expression, 'date') }} >= {{ restatement_start(this_column or expression, days) }}
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}
