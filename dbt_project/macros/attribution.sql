{#- Multi-touch attribution: the model list and each model's credit formula, in one place so
    fct_attribution, the marts' wide columns and the tests cannot disagree.
    docs/conversion_marts.md states the rules; int_attribution_touches builds the inputs. -#}

{#- The six models, in the order the marts print their columns (macros/vocabulary.sql). -#}
{% macro attribution_models() -%}
    {{ return(vocabulary('attribution_model')) }}
{%- endmacro %}

{#- The credit (a fraction; a conversion's credits sum to 1 per model) a touch receives under
    `model`. Reads the columns of int_attribution_touches: touch_number (1 = earliest),
    touch_count, last_non_direct_touch_number, decay_weight and decay_weight_total. -#}
{% macro attribution_credit(model) -%}
    {%- if model == 'first_touch' -%}
        case when touch_number = 1 then 1.0 else 0.0 end
    {%- elif model == 'last_touch' -%}
        case when touch_number = touch_count then 1.0 else 0.0 end
    {%- elif model == 'last_non_direct' -%}
        {#- last_non_direct_touch_number falls back to touch_count on an all-Direct path. -#}
        case when touch_number = last_non_direct_touch_number then 1.0 else 0.0 end
    {%- elif model == 'linear' -%}
        1.0 / touch_count
    {%- elif model == 'position_based' -%}
        {#- 40/20/40: one touch 100 %, two touches 50/50, else 40 % to the first and to the last
            and 20 % split equally over the middle touches. -#}
        case
            when touch_count = 1 then 1.0
            when touch_count = 2 then 0.5
            when touch_number = 1 or touch_number = touch_count then 0.4
            else 0.2 / (touch_count - 2)
        end
    {%- elif model == 'time_decay' -%}
        {#- 2^(-days / half-life), normalised over the conversion's touches. -#}
        decay_weight / decay_weight_total
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown attribution model '" ~ model ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- A session's consent lets it enter a path: 'granted' always, 'unknown' (or no value: no
    signal) per var attribution_unknown_consent (include | exclude), 'denied' never. -#}
{% macro attribution_consent_allowed(consent_column) -%}
    {%- set unknown = var('attribution_unknown_consent') -%}
    {%- if unknown not in ['include', 'exclude'] -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_unknown_consent must be include or exclude; got '" ~ unknown ~ "'") }}
    {%- endif -%}
    {%- if unknown == 'include' -%}
        coalesce({{ consent_column }}, 'unknown') in ('granted', 'unknown')
    {%- else -%}
        coalesce({{ consent_column }}, 'unknown') = 'granted'
    {%- endif -%}
{%- endmacro %}
