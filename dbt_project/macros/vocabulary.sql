{#- The vocabularies of seeds/vocabularies.csv that SQL unrolls when dbt compiles: a union over
    the per-platform models, one column per follower basis or attribution model. dbt reads a
    seed's rows only when it runs, after compiling, so these few are spelled here as well; the
    singular test compiled_vocabularies_match_seed fails as soon as this copy and the seed
    differ, in either direction. Every other vocabulary is read from the seed only
    (generic test in_vocabulary). Lists keep the order the marts print their columns in. -#}
{% macro compiled_vocabularies() -%}
    {{ return({
        'platform': ['facebook', 'instagram', 'linkedin', 'x', 'youtube', 'tiktok'],
        'review_site': ['google_business', 'trustpilot'],
        'followers_basis': ['observed', 'reconstructed', 'nearest', 'current'],
        'attribution_model': ['first_touch', 'last_touch', 'last_non_direct', 'linear',
                              'position_based', 'time_decay'],
    }) }}
{%- endmacro %}

{#- The values of one compiled vocabulary (a compiler error names an unknown one). -#}
{% macro vocabulary(name) -%}
    {%- set vocabularies = compiled_vocabularies() -%}
    {%- if name not in vocabularies -%}
        {{ exceptions.raise_compiler_error("no compiled vocabulary '" ~ name ~ "' in macros/vocabulary.sql") }}
    {%- endif -%}
    {{ return(vocabularies[name]) }}
{%- endmacro %}
