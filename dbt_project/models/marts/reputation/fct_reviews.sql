-- One row per review x site x location (Google Business Profile, Trustpilot): rating from
-- each API's own encoding (int_reviews_unioned), sentiment from the rating with the text
-- sentiment beside it, the owner response and its SLA (as fct_inbound_items). No text.
select
    reviews.review_key,
    reviews.platform,
    reviews.brand_id,
    reviews.location_id,
    reviews.rating,
    reviews.has_text,
    categories.language,
    (reviews.rating - 3) / 2.0 as sentiment_score,
    case
        when reviews.rating <= 2 then 'negative'
        when reviews.rating = 3 then 'neutral'
        when reviews.rating >= 4 then 'positive'
    end as sentiment_label,
    sentiment.sentiment_score as text_sentiment_score,
    sentiment.sentiment_label as text_sentiment_label,
    sentiment.sentiment_method as text_sentiment_method,
    reviews.created_at,
    {{ dbt.cast(utc_to_local('reviews.created_at', 'brands.timezone'), 'date') }} as created_date_local,
    reviews.first_response_at is not null as responded,
    reviews.first_response_at,
    case when reviews.first_response_at is not null
        then {{ dbt.datediff('reviews.created_at', 'reviews.first_response_at', 'second') }} / 3600.0
    end as response_hours,
    sla.within_sla,
    reviews.is_edited
from {{ ref('int_reviews_unioned') }} as reviews
inner join {{ ref('brands') }} as brands
    on reviews.brand_id = brands.brand_id
inner join {{ ref('int_inbound_categories') }} as categories
    on reviews.review_key = categories.item_key
inner join {{ ref('int_inbound_sla') }} as sla
    on reviews.review_key = sla.item_key
left join {{ ref('int_inbound_sentiment') }} as sentiment
    on reviews.review_key = sentiment.item_key
