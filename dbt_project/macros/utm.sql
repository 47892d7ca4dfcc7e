{#- UTM normalisation and URL parts for the sessions layer (docs/conversion_marts.md).
    A normalised UTM value is lower-case, trimmed and URL-decoded ('+' read as a space, as in a
    query string); empty means absent (NULL). -#}

{% macro utm_normalise(expr) -%}
    nullif(lower(trim({{ url_decode(dbt.replace(expr, "'+'", "' '")) }})), '')
{%- endmacro %}

{#- Percent-decoding: DuckDB's url_decode; other engines dispatch their own. -#}
{% macro url_decode(expr) -%}
    {{ return(adapter.dispatch('url_decode', 'community_pulse')(expr)) }}
{%- endmacro %}

{% macro default__url_decode(expr) -%}
    url_decode({{ expr }})
{%- endmacro %}

{#- Spark's own url_decode (3.4+): reflect('java.net.URLDecoder', ...) failed its task on a NULL
    (NullPointerException). try_ returns NULL for a malformed escape instead of failing
    (https://spark.apache.org/docs/latest/api/sql/#try_url_decode). -#}
{% macro spark__url_decode(expr) -%}
    try_url_decode({{ expr }})
{%- endmacro %}

{#- A normalised source through the alias seed: `alias_column` is the seed's `source` of the
    row whose alias equals `normalised` (left-joined by the caller), else the value itself. -#}
{% macro utm_source_alias(normalised, alias_column) -%}
    coalesce({{ alias_column }}, {{ normalised }})
{%- endmacro %}

{#- The host of a URL, lower-case, without scheme, port, path or query; `strip_www` drops a
    leading 'www.' (referrer hosts: www.lemonde.fr and lemonde.fr are one source). -#}
{% macro url_host(url, strip_www=false) -%}
    {%- set after_scheme = dbt.split_part(url, "'://'", 2) -%}
    {%- set host_port = dbt.split_part(dbt.split_part(dbt.split_part(after_scheme, "'/'", 1), "'?'", 1), "'#'", 1) -%}
    {%- set host = 'lower(' ~ dbt.split_part(host_port, "':'", 1) ~ ')' -%}
    {%- if strip_www -%}
    nullif(case when {{ host }} like 'www.%' then {{ dbt.right(host, dbt.length(host) ~ ' - 4') }} else {{ host }} end, '')
    {%- else -%}
    nullif({{ host }}, '')
    {%- endif -%}
{%- endmacro %}

{#- The path of a URL without query string or fragment ('/' when the URL has none). -#}
{% macro url_path(url) -%}
    {%- set after_scheme = dbt.split_part(url, "'://'", 2) -%}
    {%- set no_query = dbt.split_part(dbt.split_part(after_scheme, "'?'", 1), "'#'", 1) -%}
    {%- set slash = dbt.position("'/'", no_query) -%}
    case
        when {{ url }} is null then null
        when {{ slash }} > 0 then {{ dbt.right(no_query, dbt.length(no_query) ~ ' - ' ~ slash ~ ' + 1') }}
        else '/'
    end
{%- endmacro %}

{#- True when a URL carries a UTM parameter whose NAME is not all lower case (UTM_SOURCE=,
    Utm_Medium=): GA4 and stock Matomo ignore such names, so the link loses its tagging. -#}
{% macro utm_names_not_lower(url) -%}
    coalesce({{ regex_matches(url, '[?&]([uU][tT][mM]_[a-zA-Z]*[A-Z][a-zA-Z]*|U[tT][mM]_[a-zA-Z]*|[uU]T[mM]_[a-zA-Z]*|[uU][tT]M_[a-zA-Z]*)=') }}, false)
{%- endmacro %}

{#- True when `expr` matches the regular expression `pattern` (a literal, no quotes inside). -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'community_pulse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}
