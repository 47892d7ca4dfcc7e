-- Every comment, reply and tweet around the brands' social accounts, the brand's own replies
-- included (they are the responses), in one shape and without text. TikTok: the ingested API
-- gives no comments, so it has no row.
--   thread_key  (fans' messages): the key a brand reply must answer. Facebook, Instagram,
--               LinkedIn and YouTube threads are two levels deep, so a brand reply in the
--               thread (parent = the top comment) answers the top comment and the fan replies
--               before it; on X a reply answers the one tweet it replies to.
--   answers_key (brand messages): the thread (top comment) or the tweet the reply answers.
with accounts as (
    select account_id, platform, brand_id
    from {{ ref('int_accounts') }}
    where brand_id is not null
),

meta as (
    select
        comment_id as message_id,
        platform,
        account_id,
        {{ dbt.concat(['platform', "':'", 'post_id']) }} as post_key,
        {{ dbt.concat(['platform', "':'", 'coalesce(parent_comment_id, comment_id)']) }} as thread_key,
        {{ dbt.concat(['platform', "':'", 'parent_comment_id']) }} as answers_key,
        is_brand_reply as is_from_brand,
        author_id_hash as author_key,
        created_at,
        {{ dbt.cast('null', dbt.type_string()) }} as language_tag,
        false as is_ugc
    from {{ ref('int_comments') }}
),

linkedin as (
    select
        comment_urn as message_id,
        'linkedin' as platform,
        organization_id as account_id,
        {{ dbt.concat(["'linkedin:'", 'post_urn']) }} as post_key,
        {{ dbt.concat(["'linkedin:'", 'coalesce(parent_comment_urn, comment_urn)']) }} as thread_key,
        {{ dbt.concat(["'linkedin:'", 'parent_comment_urn']) }} as answers_key,
        coalesce(is_from_organization, false) as is_from_brand,
        author_urn_hash as author_key,
        created_at,
        {{ dbt.cast('null', dbt.type_string()) }} as language_tag,
        false as is_ugc
    from {{ ref('stg_linkedin__comments') }}
),

youtube as (
    select
        comment_id as message_id,
        'youtube' as platform,
        channel_id as account_id,
        {{ dbt.concat(["'youtube:'", 'video_id']) }} as post_key,
        {{ dbt.concat(["'youtube:'", 'thread_id']) }} as thread_key,
        {{ dbt.concat(["'youtube:'", 'parent_comment_id']) }} as answers_key,
        coalesce(is_from_channel, false) as is_from_brand,
        author_channel_id_hash as author_key,
        published_at as created_at,
        {{ dbt.cast('null', dbt.type_string()) }} as language_tag,
        false as is_ugc
    from {{ ref('stg_youtube__comments') }}
),

-- X: fans' tweets come from the mentions feed and the brand's conversation replies (a tweet
-- can be in both: the mentions row wins); the brand's replies from its timeline and the
-- conversation replies.
x_fans as (
    select tweet_id, user_id, conversation_id, replied_to_tweet_id, quoted_tweet_id,
           author_key, created_at, lang, 1 as feed_rank
    from {{ ref('stg_x__mentions') }}
    where not coalesce(is_from_brand, false)
    union all
    select tweet_id, user_id, conversation_id, replied_to_tweet_id, quoted_tweet_id,
           author_key, created_at, lang, 2 as feed_rank
    from {{ ref('stg_x__replies') }}
    where not coalesce(is_from_brand, false)
),

x_fans_ranked as (
    select
        *,
        row_number() over (partition by tweet_id order by feed_rank) as feed_row
    from x_fans
),

x_brand_posts as (
    select tweet_id, user_id from {{ ref('stg_x__posts') }} where not is_reply
),

x_fan_messages as (
    select
        fans.tweet_id as message_id,
        'x' as platform,
        fans.user_id as account_id,
        case when posts.tweet_id is not null
            then {{ dbt.concat(["'x:'", 'fans.conversation_id']) }} end as post_key,
        {{ dbt.concat(["'x:'", 'fans.tweet_id']) }} as thread_key,
        {{ dbt.cast('null', dbt.type_string()) }} as answers_key,
        false as is_from_brand,
        fans.author_key,
        fans.created_at,
        lower(fans.lang) as language_tag,
        -- UGC: the fan's own tweet naming the brand (not a reply in a conversation).
        posts.tweet_id is null and fans.replied_to_tweet_id is null as is_ugc
    from x_fans_ranked as fans
    left join x_brand_posts as posts
        on fans.conversation_id = posts.tweet_id
    where fans.feed_row = 1
),

x_brand_replies as (
    select tweet_id, user_id, conversation_id, replied_to_tweet_id, created_at
    from {{ ref('stg_x__posts') }}
    where is_reply
    union
    select tweet_id, user_id, conversation_id, replied_to_tweet_id, created_at
    from {{ ref('stg_x__replies') }}
    where coalesce(is_from_brand, false)
),

x_brand_messages as (
    select
        tweet_id as message_id,
        'x' as platform,
        user_id as account_id,
        {{ dbt.cast('null', dbt.type_string()) }} as post_key,
        {{ dbt.concat(["'x:'", 'tweet_id']) }} as thread_key,
        {{ dbt.concat(["'x:'", 'replied_to_tweet_id']) }} as answers_key,
        true as is_from_brand,
        user_id as author_key,
        created_at,
        {{ dbt.cast('null', dbt.type_string()) }} as language_tag,
        false as is_ugc
    from x_brand_replies
),

unioned as (
    select * from meta
    union all
    select * from linkedin
    union all
    select * from youtube
    union all
    select * from x_fan_messages
    union all
    select * from x_brand_messages
)

select
    {{ dbt.concat(['unioned.platform', "':'", 'unioned.message_id']) }} as message_key,
    unioned.message_id,
    unioned.platform,
    unioned.account_id,
    accounts.brand_id,
    case
        when unioned.platform = 'x' and unioned.post_key is null then 'mention'
        else 'comment'
    end as channel,
    unioned.post_key,
    unioned.thread_key,
    unioned.answers_key,
    unioned.is_from_brand,
    unioned.author_key,
    unioned.created_at,
    unioned.language_tag,
    unioned.is_ugc
from unioned
inner join accounts
    on unioned.account_id = accounts.account_id
   and unioned.platform = accounts.platform
