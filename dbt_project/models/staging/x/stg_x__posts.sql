-- The brands' own tweets (original posts and their replies): one row per tweet.
with renamed as (
    select
        {{ dbt.cast('tweet_id', dbt.type_string()) }} as tweet_id,
        {{ dbt.cast('user_id', dbt.type_string()) }} as user_id,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('text', dbt.type_string()) }} as tweet_text,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ dbt.cast('lang', dbt.type_string()) }} as lang,
        {{ dbt.cast('conversation_id', dbt.type_string()) }} as conversation_id,
        {{ dbt.cast('in_reply_to_user_id', dbt.type_string()) }} as in_reply_to_user_key,
        {{ dbt.cast('replied_to_id', dbt.type_string()) }} as replied_to_tweet_id,
        {{ dbt.cast('quoted_id', dbt.type_string()) }} as quoted_tweet_id,
        {{ dbt.cast('retweeted_id', dbt.type_string()) }} as retweeted_tweet_id,
        {{ dbt.cast('referenced_tweets', dbt.type_string()) }} as referenced_tweets_json,
        replied_to_id is not null as is_reply,
        {{ dbt.cast('hashtags', dbt.type_string()) }} as hashtags_json,
        {{ dbt.cast('urls', dbt.type_string()) }} as urls_json,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('x', 'posts')) }} as dlt_load_id
    from {{ source('x', 'posts') }}
)
{{ deduplicate('renamed', 'tweet_id', 'fetched_at desc') }}
