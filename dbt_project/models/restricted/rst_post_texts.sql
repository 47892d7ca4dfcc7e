-- The text of every post of the six platforms. Brand-written, but a post can thank or quote a
-- person by name, so it stays here with the other free text, out of the published marts
-- (dim_posts carries everything else about the post).
select
    {{ dbt.concat(['platform', "':'", 'post_id']) }} as post_key,
    post_id,
    platform,
    brand_id,
    post_text
from {{ ref('int_posts') }}
