-- Facebook Page posts in the common post shape (docs/engagement_marts.md).
select
    post_id,
    'facebook' as platform,
    page_id as account_id,
    created_at as published_at,
    case
        -- Facebook serves a reel as a video; only its permalink (/reel/) tells them apart.
        when permalink_url like '%/reel/%' then 'reel'
        when attachment_media_type = 'album' or attachment_type like '%album%'
          or attachment_type like '%carousel%' then 'carousel'
        when attachment_media_type = 'video' or attachment_type like '%video%'
          or status_type = 'added_video' then 'video'
        when attachment_media_type = 'photo' or attachment_type like '%photo%'
          or status_type = 'added_photos' then 'image'
        when attachment_media_type = 'link' or attachment_type = 'share'
          or status_type = 'shared_story' or link_url is not null then 'link'
        else 'text'
    end as format,
    status_type as source_format,
    message as post_text,
    -- A shared link is the post's outbound link; a photo's attachment URL is not, but a tagged
    -- link written in a photo's or video's message is.
    coalesce(
        case when attachment_media_type = 'link' then link_url end,
        {{ tagged_link_in_text('message') }}
    ) as link_url,
    permalink_url
from {{ ref('stg_meta__facebook_posts') }}
