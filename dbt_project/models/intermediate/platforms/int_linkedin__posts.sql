-- LinkedIn organization posts in the common post shape (docs/engagement_marts.md).
-- LinkedIn's "article" content is a link preview card (an outbound link), and a document
-- post is the PDF carousel: both map to the canonical formats link and carousel.
select
    post_urn as post_id,
    'linkedin' as platform,
    organization_id as account_id,
    coalesce(published_at, created_at) as published_at,
    case
        when content_type in ('multi_image', 'document') then 'carousel'
        when content_type = 'article' then 'link'
        when content_type = 'video' then 'video'
        when content_type = 'image' then 'image'
        when content_type = 'text' or content_type is null then 'text'
        else content_type
    end as format,
    {{ dbt.concat(["coalesce(post_type, '')", "'/'", "coalesce(content_type, '')"]) }} as source_format,
    commentary as post_text,
    coalesce(article_url, link_url) as link_url,
    {{ dbt.concat(["'https://www.linkedin.com/feed/update/'", "post_urn"]) }} as permalink_url
from {{ ref('stg_linkedin__posts') }}
where coalesce(lifecycle_state, 'PUBLISHED') = 'PUBLISHED'
