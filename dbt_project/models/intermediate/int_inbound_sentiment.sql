-- Text sentiment of inbound items as the enrichment scored it (stg_enrichment__text_sentiment,
-- one row per item_key), with 'und' (no word to detect a language from) read as an unknown
-- language. The one place the reputation models read the enrichment.
select
    item_key,
    sentiment_score,
    sentiment_label,
    sentiment_method,
    case when lower(language) = 'und' then null else lower(language) end as language
from {{ ref('stg_enrichment__text_sentiment') }}
