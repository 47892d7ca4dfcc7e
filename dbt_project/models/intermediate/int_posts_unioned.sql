-- The six platforms' posts in one shape (see intermediate/platforms/int_<platform>__posts).
{%- set platforms = vocabulary('platform') %}
{%- for platform in platforms %}
{{ 'union all' if not loop.first }}
select
    post_id, platform, account_id, published_at, format, source_format, post_text, link_url,
    permalink_url
from {{ ref('int_' ~ platform ~ '__posts') }}
{%- endfor %}
