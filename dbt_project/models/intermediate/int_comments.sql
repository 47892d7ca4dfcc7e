-- Facebook and Instagram comments in one shape. is_brand_reply marks comments written by the
-- brand's own account (page / IG owner): the basis for response times.
with facebook as (
    select
        comment_id,
        'facebook' as platform,
        post_id,
        page_id as account_id,
        parent_comment_id,
        created_at,
        like_count,
        reply_count,
        author_id_hash,
        coalesce(is_from_page, false) as is_brand_reply
    from {{ ref('stg_meta__facebook_comments') }}
),

instagram as (
    select
        comment_id,
        'instagram' as platform,
        media_id as post_id,
        ig_user_id as account_id,
        parent_comment_id,
        created_at,
        like_count,
        -- Instagram gives no reply count on a comment.
        {{ dbt.cast('null', dbt.type_bigint()) }} as reply_count,
        author_id_hash,
        coalesce(is_from_owner, false) as is_brand_reply
    from {{ ref('stg_meta__instagram_comments') }}
)

select
    *,
    parent_comment_id is not null as is_reply
from (
    select * from facebook
    union all
    select * from instagram
) as unioned
