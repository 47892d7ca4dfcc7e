{#- Standard normal distribution without erf (DuckDB has none), portable: exp, abs and
    arithmetic only. Abramowitz & Stegun 26.2.17 (Zelen & Severo): for x >= 0,
      Q(x) = 1 - Phi(x) = phi(x) (b1 t + b2 t^2 + b3 t^3 + b4 t^4 + b5 t^5), t = 1 / (1 + p x),
    with |error| < 7.5e-8; Phi(-x) = Q(x). Pass a column name or a short expression: it is
    repeated in the output. NULL in, NULL out. -#}

{#- Upper tail Q(|x|) = P(Z > |x|). Computing the tail directly keeps small p-values accurate
    instead of subtracting two numbers close to 1. 0.3989422804014327 = 1 / sqrt(2 pi). -#}
{% macro normal_upper_tail(x) -%}
    {%- set a = 'abs(' ~ dbt.cast(x, type_double()) ~ ')' -%}
    {%- set t = '(1.0 / (1.0 + 0.2316419 * ' ~ a ~ '))' -%}
    (0.3989422804014327 * exp(-0.5 * {{ a }} * {{ a }})
     * {{ t }} * (0.319381530 + {{ t }} * (-0.356563782 + {{ t }}
     * (1.781477937 + {{ t }} * (-1.821255978 + {{ t }} * 1.330274429)))))
{%- endmacro %}

{#- Phi(x) = P(Z <= x). -#}
{% macro normal_cdf(x) -%}
    case
        when {{ x }} is null then null
        when {{ x }} >= 0 then 1.0 - {{ normal_upper_tail(x) }}
        else {{ normal_upper_tail(x) }}
    end
{%- endmacro %}

{#- Two-sided p-value of a z statistic: P(|Z| >= |z|) = 2 Q(|z|), capped at 1 (the
    approximation gives 1 + 1e-8 at z = 0). -#}
{% macro normal_two_sided_p_value(z) -%}
    case
        when {{ z }} is null then null
        else least(1.0, 2.0 * {{ normal_upper_tail(z) }})
    end
{%- endmacro %}
