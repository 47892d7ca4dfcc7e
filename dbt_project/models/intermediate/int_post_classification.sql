-- What the team's rules say about each post (docs/engagement_marts.md, seeds/*.csv):
--   * campaign: the link's utm_campaign (lower-cased); without one, the brand's campaign whose
--     hashtag (its slug without hyphens, the convention of campaign hashtags) the post carries;
--   * pillar: the first rule of seeds/pillar_rules.csv by ascending priority that matches a
--     hashtag, a keyword of the lower-cased text or the campaign; none -> 'unclassified';
--   * is_disclosed: a disclosure marker (seeds/disclosure_markers.csv) is present;
--     is_partnership: disclosed, or a partner of seeds/partners.csv is named;
--   * parent_post_id: the long post this one re-uses, named by its URL in the text or link.
with posts as (
    select
        post_id,
        platform,
        brand_id,
        text_lower,
        {{ dbt.concat(["' '", "hashtags", "' '"]) }} as hashtags_padded,
        lower(utm_campaign) as utm_campaign,
        lower(coalesce(link_url, '')) as link_lower,
        {{ dbt.concat(["coalesce(post_text, '')", "' '", "coalesce(link_url, '')"]) }} as text_and_link
    from {{ ref('int_posts') }}
),

brand_campaigns as (
    select distinct brand_id, utm_campaign as campaign,
           {{ dbt.concat(["'#'", dbt.replace('utm_campaign', "'-'", "''")]) }} as campaign_hashtag
    from posts
    where utm_campaign is not null
),

hashtag_campaign as (
    select posts.post_id, posts.platform, min(c.campaign) as campaign
    from posts
    inner join brand_campaigns as c
        on posts.brand_id = c.brand_id
       and {{ dbt.position(dbt.concat(["' '", "c.campaign_hashtag", "' '"]), 'posts.hashtags_padded') }} > 0
    where posts.utm_campaign is null
    group by posts.post_id, posts.platform
),

with_campaign as (
    select posts.*, coalesce(posts.utm_campaign, hashtag_campaign.campaign) as campaign
    from posts
    left join hashtag_campaign
        on posts.post_id = hashtag_campaign.post_id and posts.platform = hashtag_campaign.platform
),

pillar_matches as (
    select
        p.post_id,
        p.platform,
        r.pillar,
        r.rule_id,
        row_number() over (partition by p.post_id, p.platform order by r.priority, r.rule_id) as match_rank
    from with_campaign as p
    inner join {{ ref('pillar_rules') }} as r
        on (r.match_on = 'hashtag'
            and {{ dbt.position(dbt.concat(["' '", "lower(r.pattern)", "' '"]), 'p.hashtags_padded') }} > 0)
        or (r.match_on = 'keyword' and {{ dbt.position('lower(r.pattern)', 'p.text_lower') }} > 0)
        or (r.match_on = 'campaign' and p.campaign = lower(r.pattern))
),

disclosures as (
    select distinct p.post_id, p.platform
    from posts as p
    inner join {{ ref('disclosure_markers') }} as m
        on (m.match_on = 'hashtag'
            and {{ dbt.position(dbt.concat(["' '", "lower(m.marker)", "' '"]), 'p.hashtags_padded') }} > 0)
        or (m.match_on = 'phrase' and {{ dbt.position('lower(m.marker)', 'p.text_lower') }} > 0)
),

partner_mentions as (
    select distinct p.post_id, p.platform
    from posts as p
    inner join {{ ref('partners') }} as partners
        on {{ dbt.position('lower(partners.partner_name)', 'p.text_lower') }} > 0
),

referenced as (
    -- Post ids named by URL: YouTube watch / youtu.be / shorts links, LinkedIn feed URLs and
    -- X status URLs (the permalink shapes of int_<platform>__posts).
    -- YouTube ids are case-sensitive: read from the original text.
    select post_id, platform, 'youtube' as parent_platform,
           regexp_extract(text_and_link,
               '(?i:youtube\.com/watch\?v=|youtu\.be/|youtube\.com/shorts/)([A-Za-z0-9_-]{11})', 1) as parent_key
    from posts
    union all
    select post_id, platform, 'linkedin',
           regexp_extract({{ dbt.concat(["text_lower", "' '", "link_lower"]) }},
               'linkedin\.com/feed/update/(urn:li:[a-z]+:[0-9]+)', 1)
    from posts
    union all
    select post_id, platform, 'x',
           regexp_extract({{ dbt.concat(["text_lower", "' '", "link_lower"]) }},
               '(?:x|twitter)\.com/[a-z0-9_/]+/status/([0-9]+)', 1)
    from posts
),

parents as (
    select r.post_id, r.platform, min(candidates.post_id) as parent_post_id
    from referenced as r
    inner join {{ ref('int_posts') }} as candidates
        on candidates.platform = r.parent_platform
       and (case when r.parent_platform = 'youtube' then candidates.post_id
                 else lower(candidates.post_id) end) = r.parent_key
       and not (candidates.post_id = r.post_id and candidates.platform = r.platform)
    where r.parent_key <> ''
    group by r.post_id, r.platform
)

select
    p.post_id,
    p.platform,
    p.campaign,
    coalesce(pm.pillar, 'unclassified') as pillar,
    pm.rule_id as pillar_rule_id,
    d.post_id is not null as is_disclosed,
    (d.post_id is not null or pt.post_id is not null) as is_partnership,
    parents.parent_post_id
from with_campaign as p
left join pillar_matches as pm
    on p.post_id = pm.post_id and p.platform = pm.platform and pm.match_rank = 1
left join disclosures as d on p.post_id = d.post_id and p.platform = d.platform
left join partner_mentions as pt on p.post_id = pt.post_id and p.platform = pt.platform
left join parents on p.post_id = parents.post_id and p.platform = parents.platform
