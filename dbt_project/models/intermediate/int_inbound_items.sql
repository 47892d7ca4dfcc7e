-- One row per inbound item (a fan's comment, reply or tweet, or a review), without text, with
-- its first response: the earliest brand reply that answers it (thread_key = answers_key, see
-- int_inbound_social_messages) and was written strictly after it. A reply by a non-brand
-- account is never a response; a brand reply timestamped before the item is ignored.
-- Incremental (docs/performance.md): a build recomputes the items received in the last
-- var('inbound_restatement_days') days, the items of a thread the brand replied to in those
-- days (a late first response) and the reviews created, edited or answered in them; the
-- other items are kept.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key='item_key') }}
{%- set days = var('inbound_restatement_days') %}
with messages as (
    select * from {{ ref('int_inbound_social_messages') }}
),

brand_replies as (
    select platform, answers_key, created_at
    from messages
    where is_from_brand and answers_key is not null
),

answered_threads as (
    select distinct platform, answers_key
    from brand_replies
    where {{ restated('created_at', days, 'received_at') }}
),

fans as (
    select messages.*
    from messages
    left join answered_threads
        on messages.platform = answered_threads.platform
       and messages.thread_key = answered_threads.answers_key
    where not messages.is_from_brand
      and ({{ restated('messages.created_at', days, 'received_at') }}
           or answered_threads.answers_key is not null)
),

first_responses as (
    select
        fans.message_key,
        min(brand_replies.created_at) as first_response_at
    from fans
    inner join brand_replies
        on fans.platform = brand_replies.platform
       and fans.thread_key = brand_replies.answers_key
       and brand_replies.created_at > fans.created_at
    group by fans.message_key
),

social as (
    select
        fans.message_key as item_key,
        fans.channel,
        fans.platform,
        fans.brand_id,
        fans.account_id as account_or_location,
        fans.post_key,
        fans.author_key,
        fans.created_at as received_at,
        first_responses.first_response_at,
        fans.language_tag,
        {{ dbt.cast('null', dbt.type_int()) }} as rating,
        fans.is_ugc
    from fans
    left join first_responses
        on fans.message_key = first_responses.message_key
),

reviews as (
    select
        review_key as item_key,
        'review' as channel,
        platform,
        brand_id,
        location_id as account_or_location,
        {{ dbt.cast('null', dbt.type_string()) }} as post_key,
        author_key,
        created_at as received_at,
        first_response_at,
        language_tag,
        rating,
        false as is_ugc
    from {{ ref('int_reviews_unioned') }}
    where {{ restated('created_at', days, 'received_at') }}
       or {{ restated('updated_at', days, 'received_at') }}
       or {{ restated('first_response_at', days, 'received_at') }}
)

select * from social
union all
select * from reviews
