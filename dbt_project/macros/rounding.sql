{#- True when a recomputed total is further from its source than rounding explains: 1e-6
    absolute, or one part in 10^9 of the total. A sum of millions of fractional credits in
    another order differs by more than 1e-6 (measured at 50 brands: up to 5e-7 on 0.4 M
    conversions and 2e-7 on 11 M of revenue, varying from run to run), so a fixed 1e-6 made
    totals tests fail at random; a lost or doubled row is still far beyond it. -#}
{% macro differs_beyond_rounding(actual, expected) -%}
    abs(({{ actual }}) - ({{ expected }})) > greatest(1e-6, 1e-9 * abs({{ expected }}))
{%- endmacro %}
