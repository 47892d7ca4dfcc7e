-- YouTube videos in the common post shape (docs/engagement_marts.md). The text is the title
-- and the description, where hashtags, links and parent references live.
with videos as (
    select
        *,
        {{ tagged_link_in_text('description') }} as utm_link
    from {{ ref('stg_youtube__videos') }}
)

select
    video_id as post_id,
    'youtube' as platform,
    channel_id as account_id,
    published_at,
    case
        when live_broadcast_content in ('live', 'upcoming') then 'live'
        when is_short then 'reel'
        else 'video'
    end as format,
    video_format as source_format,
    {{ dbt.concat(["coalesce(title, '')", "'\n\n'", "coalesce(description, '')"]) }} as post_text,
    utm_link as link_url,
    {{ dbt.concat(["'https://www.youtube.com/watch?v='", "video_id"]) }} as permalink_url
from videos
