-- Category, priority and escalation of every inbound item: the first rule of
-- seeds/inbound_category_rules.csv (lowest rule_order) that matches, else other / normal /
-- none. A rule matches when its channel and language fit ('*' = any; an item of unknown
-- language is tried against every language), the lower-cased text of
-- restricted.rst_inbound_texts contains one of its keywords (plain substrings, '|'-separated)
-- and the rating is within its bounds (reviews); a rule needs keywords or a rating bound.
-- The language is the enrichment's detection, else the platform's own tag. Output: no text.
-- Incremental (docs/performance.md): a build recomputes the new items and those received in
-- the last var('inbound_restatement_days') days and replaces them; the other items keep their
-- category (a response does not change it). A change to the rules
-- (seeds/inbound_category_rules.csv) needs `dbt build --full-refresh`.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='item_key') }}
with items as (
    select
        items.item_key,
        items.channel,
        items.rating,
        lower(coalesce(sentiment.language, items.language_tag)) as language,
        lower(texts.item_text) as item_text
    from {{ ref('int_inbound_items') }} as items
    left join {{ ref('rst_inbound_texts') }} as texts
        on items.item_key = texts.item_key
    left join {{ ref('int_inbound_sentiment') }} as sentiment
        on items.item_key = sentiment.item_key
    {%- if incremental_build() %}
    -- New items, and those received in the window before the latest item already built.
    left join {{ this }} as built
        on items.item_key = built.item_key
    where built.item_key is null
       or {{ dbt.cast('items.received_at', 'date') }} >= (
            select {{ dbt.cast(dbt.dateadd('day', -(var('inbound_restatement_days') | int),
                                           'max(built_items.received_at)'), 'date') }}
            from {{ ref('int_inbound_items') }} as built_items
            inner join {{ this }} as built_keys
                on built_items.item_key = built_keys.item_key
       )
    {%- endif %}
),

rules as (
    select * from {{ ref('inbound_category_rules') }}
    where keywords is not null or min_rating is not null or max_rating is not null
),

keywords as (
    {{ inbound_rule_keywords('rules') }}
),

matches as (
    select
        items.item_key,
        rules.rule_id,
        rules.category,
        rules.priority,
        rules.escalation,
        row_number() over (
            partition by items.item_key order by rules.rule_order, rules.rule_id
        ) as match_rank
    from items
    inner join rules
        on (rules.channel = '*' or rules.channel = items.channel)
       and (rules.language = '*' or items.language is null or rules.language = items.language)
       and (rules.min_rating is null or items.rating >= rules.min_rating)
       and (rules.max_rating is null or items.rating <= rules.max_rating)
    inner join keywords
        on rules.rule_id = keywords.rule_id
       and (
            keywords.keyword is null
            or {{ dbt.position('keywords.keyword', 'items.item_text') }} > 0
       )
)

select
    items.item_key,
    items.language,
    matches.rule_id as category_rule_id,
    coalesce(matches.category, 'other') as category,
    coalesce(matches.priority, 'normal') as priority,
    coalesce(matches.escalation, 'none') as escalation
from items
left join matches
    on items.item_key = matches.item_key
   and matches.match_rank = 1
