-- The text of every inbound item (fct_inbound_items.item_key): the ONLY dbt model holding
-- comment, tweet and review text. Schema `restricted`, never copied to the BI publication.
-- Consumers: category rules (int_inbound_categories), personal-data patterns (compliance),
-- the text sentiment enrichment. Trustpilot: title and text, joined by '. '.
with texts as (
    select
        {{ dbt.concat(['platform', "':'", 'comment_id']) }} as item_key,
        message as item_text
    from {{ ref('int_comments') }}
    where not is_brand_reply
    union all
    select {{ dbt.concat(["'linkedin:'", 'comment_urn']) }}, message
    from {{ ref('stg_linkedin__comments') }}
    where not coalesce(is_from_organization, false)
    union all
    select {{ dbt.concat(["'youtube:'", 'comment_id']) }}, comment_text
    from {{ ref('stg_youtube__comments') }}
    where not coalesce(is_from_channel, false)
    union all
    select {{ dbt.concat(["'x:'", 'tweet_id']) }}, tweet_text
    from {{ ref('stg_x__mentions') }}
    where not coalesce(is_from_brand, false)
    union all
    select {{ dbt.concat(["'x:'", 'tweet_id']) }}, tweet_text
    from {{ ref('stg_x__replies') }}
    where not coalesce(is_from_brand, false)
    union all
    select {{ dbt.concat(["'google_business:'", 'review_id']) }}, review_text
    from {{ ref('stg_google_business__reviews') }}
    union all
    select
        {{ dbt.concat(["'trustpilot:'", 'review_id']) }},
        case
            when review_title is not null and review_text is not null
                then {{ dbt.concat(['review_title', "'. '", 'review_text']) }}
            else coalesce(review_text, review_title)
        end
    from {{ ref('stg_trustpilot__reviews') }}
),

-- An X tweet can come from both feeds: one text per item.
deduplicated as (
    select item_key, max(item_text) as item_text
    from texts
    group by item_key
)

select
    items.item_key,
    items.platform,
    items.brand_id,
    items.channel,
    items.received_at,
    items.language_tag,
    deduplicated.item_text
from {{ ref('int_inbound_items') }} as items
inner join deduplicated
    on items.item_key = deduplicated.item_key
