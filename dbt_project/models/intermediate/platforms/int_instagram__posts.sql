-- Instagram media in the common post shape (docs/engagement_marts.md).
select
    media_id as post_id,
    'instagram' as platform,
    ig_user_id as account_id,
    created_at as published_at,
    case
        when media_product_type = 'REELS' then 'reel'
        when media_product_type = 'STORY' then 'story'
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
