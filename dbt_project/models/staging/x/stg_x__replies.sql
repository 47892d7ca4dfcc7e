-- X replies: one row per tweet. People's ids are HMAC hashes; brand account ids are verbatim.
-- Free text is not staged: it stays in the raw table and restricted.rst_inbound_texts.
with renamed as (
    select
        {{ dbt.cast('tweet_id', dbt.type_string()) }} as tweet_id,
        {{ dbt.cast('user_id', dbt.type_string()) }} as user_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ dbt.cast('lang', dbt.type_string()) }} as lang,
        {{ dbt.cast('conversation_id', dbt.type_string()) }} as conversation_id,
        {{ dbt.cast('author_id', dbt.type_string()) }} as author_key,
        {{ dbt.cast('is_from_brand', dbt.type_boolean()) }} as is_from_brand,
        {{ dbt.cast('in_reply_to_user_id', dbt.type_string()) }} as in_reply_to_user_key,
        {{ dbt.cast('replied_to_id', dbt.type_string()) }} as replied_to_tweet_id,
        {{ dbt.cast('quoted_id', dbt.type_string()) }} as quoted_tweet_id,
        {{ dbt.cast('retweeted_id', dbt.type_string()) }} as retweeted_tweet_id,
        {{ dbt.cast('referenced_tweets', dbt.type_string()) }} as referenced_tweets_json,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('x', 'replies')) }} as dlt_load_id
    from {{ source('x', 'replies') }}
)
{{ deduplicate('renamed', 'tweet_id', 'fetched_at desc') }}
