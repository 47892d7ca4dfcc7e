-- Facebook posts and Instagram media in one shape, with a canonical format.
with facebook as (
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
        -- Only a shared link is an outbound link; a photo's attachment URL is not.
        case when attachment_media_type = 'link' then link_url end as link_url,
        permalink_url
    from {{ ref('stg_meta__facebook_posts') }}
),

instagram as (
    select
        media_id as post_id,
        'instagram' as platform,
        ig_user_id as account_id,
        created_at as published_at,
        case
            when media_product_type = 'REELS' then 'reel'
            when media_type = 'CAROUSEL_ALBUM' then 'carousel'
            when media_type = 'VIDEO' then 'video'
            else 'image'
        end as format,
        {{ dbt.concat(["coalesce(media_type, '')", "'/'", "coalesce(media_product_type, '')"]) }} as source_format,
        caption as post_text,
        -- Instagram captions carry no clickable link; the link lives in the bio.
        {{ dbt.cast('null', dbt.type_string()) }} as link_url,
        permalink_url
    from {{ ref('stg_meta__instagram_media') }}
),

unioned as (
    select * from facebook
    union all
    select * from instagram
)

select
    unioned.post_id,
    unioned.platform,
    unioned.account_id,
    accounts.brand_id,
    unioned.published_at,
    {{ dbt.cast('unioned.published_at', 'date') }} as published_date,
    unioned.format,
    unioned.source_format,
    unioned.post_text,
    unioned.link_url,
    unioned.permalink_url
from unioned
left join {{ ref('int_accounts') }} as accounts
    on unioned.account_id = accounts.account_id and unioned.platform = accounts.platform
