-- TikTok videos in the common post shape (docs/engagement_marts.md). Every TikTok video is a
-- short vertical video: canonical format reel. TikTok captions carry no clickable link.
select
    video_id as post_id,
    'tiktok' as platform,
    open_id as account_id,
    created_at as published_at,
    'reel' as format,
    'video' as source_format,
    coalesce(video_description, title) as post_text,
    {{ dbt.cast('null', dbt.type_string()) }} as link_url,
    share_url as permalink_url
from {{ ref('stg_tiktok__videos') }}
