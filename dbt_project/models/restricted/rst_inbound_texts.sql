-- The text of every inbound item (fct_inbound_items.item_key): the ONLY model holding comment,
-- tweet and review text. Schema `restricted`, never copied to the BI publication. It reads the
-- raw tables itself because staging does not stage free text: outside the raw layer, the text
-- exists here and nowhere else. As in staging, the latest fetch of an item wins; the inner join
-- keeps the items of int_inbound_items (not the brand's own replies, not quarantined rows).
-- Consumers: category rules (int_inbound_categories), personal-data patterns (compliance).
-- Trustpilot: title and text, joined by '. '.
{%- set sources = [
    ('meta', 'facebook_comments', "'facebook:'", 'comment_id', 'message'),
    ('meta', 'instagram_comments', "'instagram:'", 'comment_id', 'text'),
    ('linkedin', 'linkedin_comments', "'linkedin:'", 'comment_urn', 'message'),
    ('youtube', 'comments', "'youtube:'", 'comment_id', 'text'),
    ('x', 'mentions', "'x:'", 'tweet_id', 'text'),
    ('x', 'replies', "'x:'", 'tweet_id', 'text'),
    ('google_business', 'reviews', "'google_business:'", 'review_id', 'comment'),
] %}
with texts as (
    {%- for source_name, table, prefix, key, text in sources %}
    select
        {{ dbt.concat([prefix, dbt.cast(key, dbt.type_string())]) }} as item_key,
        {{ dbt.cast(text, dbt.type_string()) }} as item_text,
        {{ utc_timestamp('fetched_at') }} as fetched_at
    from {{ source(source_name, table) }}
    union all
    {%- endfor %}
    select
        {{ dbt.concat(["'trustpilot:'", dbt.cast('review_id', dbt.type_string())]) }},
        case
            when title is not null and text is not null
                then {{ dbt.concat(['title', "'. '", 'text']) }}
            else coalesce(text, title)
        end,
        {{ utc_timestamp('fetched_at') }}
    from {{ source('trustpilot', 'reviews') }}
),

-- An X tweet can come from both feeds, and every item from several fetches: the latest wins.
latest as (
    {{ deduplicate('texts', 'item_key', 'fetched_at desc') }}
)

select
    items.item_key,
    items.platform,
    items.brand_id,
    items.channel,
    items.received_at,
    items.language_tag,
    latest.item_text
from {{ ref('int_inbound_items') }} as items
inner join latest
    on items.item_key = latest.item_key
