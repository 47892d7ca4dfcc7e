-- X posts of the brand's own timeline in the common post shape (docs/engagement_marts.md).
-- The brand's replies to other people are conversation, not content: left out here (they are
-- brand replies for the reputation marts). A post with an expanded URL is a link post.
with posts as (
    select
        *,
        {{ json_text('urls_json', "'$[0]'") }} as first_url
    from {{ ref('stg_x__posts') }}
    where not coalesce(is_reply, false)
      and retweeted_tweet_id is null  -- a repost is another's post, not the brand's content
)

select
    tweet_id as post_id,
    'x' as platform,
    user_id as account_id,
    created_at as published_at,
    case when first_url is not null then 'link' else 'text' end as format,
    case when quoted_tweet_id is not null then 'quote' else 'post' end as source_format,
    tweet_text as post_text,
    first_url as link_url,
    {{ dbt.concat(["'https://x.com/i/web/status/'", "tweet_id"]) }} as permalink_url
from posts
