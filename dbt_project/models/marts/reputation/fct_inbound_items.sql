-- One row per inbound comment, reply, mention or review (int_inbound_items: the brand's own
-- replies are responses, not inbound), with its first brand response, SLA (int_inbound_sla),
-- category rules (int_inbound_categories) and sentiment. Reviews take their sentiment from
-- the rating (1-2 negative, 3 neutral, 4-5 positive; score (rating - 3) / 2); comments and
-- mentions from the text sentiment enrichment. No text, no person's name or platform id.
select
    items.item_key,
    items.channel,
    items.platform,
    items.brand_id,
    items.account_or_location,
    items.post_key,
    items.author_key,
    items.received_at,
    {{ dbt.cast(utc_to_local('items.received_at', 'brands.timezone'), 'date') }} as received_date_local,
    items.first_response_at,
    case when items.first_response_at is not null
        then {{ dbt.datediff('items.received_at', 'items.first_response_at', 'second') }} / 60.0
    end as response_minutes,
    sla.sla_target_minutes,
    sla.within_sla,
    items.first_response_at is null as is_unanswered,
    case
        when items.channel = 'review' then (items.rating - 3) / 2.0
        else sentiment.sentiment_score
    end as sentiment_score,
    case
        when items.channel <> 'review' then sentiment.sentiment_label
        when items.rating <= 2 then 'negative'
        when items.rating = 3 then 'neutral'
        when items.rating >= 4 then 'positive'
    end as sentiment_label,
    case
        when items.channel = 'review' and items.rating is not null then 'rating'
        when items.channel <> 'review' then sentiment.sentiment_method
    end as sentiment_method,
    categories.language,
    categories.category,
    categories.priority,
    categories.escalation,
    items.is_ugc
from {{ ref('int_inbound_items') }} as items
inner join {{ ref('brands') }} as brands
    on items.brand_id = brands.brand_id
inner join {{ ref('int_inbound_categories') }} as categories
    on items.item_key = categories.item_key
inner join {{ ref('int_inbound_sla') }} as sla
    on items.item_key = sla.item_key
left join {{ ref('int_inbound_sentiment') }} as sentiment
    on items.item_key = sentiment.item_key
