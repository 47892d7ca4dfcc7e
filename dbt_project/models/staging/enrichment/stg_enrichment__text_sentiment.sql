-- Sentiment and language of each inbound text, as the Python asset scored it: one row per
-- item_key. Joined by the reputation marts on item_key; the text itself is not here.
select
    {{ dbt.cast('item_key', dbt.type_string()) }} as item_key,
    {{ dbt.cast('platform', dbt.type_string()) }} as platform,
    {{ dbt.cast('sentiment_score', type_double()) }} as sentiment_score,
    {{ dbt.cast('sentiment_label', dbt.type_string()) }} as sentiment_label,
    {{ dbt.cast('sentiment_method', dbt.type_string()) }} as sentiment_method,
    {{ dbt.cast('language', dbt.type_string()) }} as language,
    {{ utc_timestamp('scored_at') }} as scored_at
from {{ source('enrichment', 'text_sentiment') }}
