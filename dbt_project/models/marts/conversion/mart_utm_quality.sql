-- "Tag systematically", made measurable: every tagged post link (dim_posts.link_url) and every
-- tagged visit (UTMs from the plugin or the landing URL) that breaks the tagging convention,
-- counted per brand x ISO week x subject x issue, with a few example ids. The convention
-- (docs/conversion_marts.md): lower-case utm_* names and values; a known source (the alias or
-- source-category seeds); a medium of the utm_mediums seed; a campaign; and for a medium whose
-- content convention is 'post_id' (social), utm_content = the id of one of the brand's posts.
with known_sources as (
    select source from {{ ref('utm_source_aliases') }}
    union
    select source from {{ ref('ga4_source_categories') }}
),

mediums as (
    select medium, content_convention from {{ ref('utm_mediums') }}
),

brand_posts as (
    select distinct brand_id, lower(post_id) as post_id from {{ ref('dim_posts') }}
),

links as (
    select
        posts.brand_id,
        posts.published_date as event_date,
        {{ dbt.concat(["posts.platform", "':'", "posts.post_id"]) }} as subject_id,
        posts.utm_source as raw_source,
        posts.utm_medium as raw_medium,
        posts.utm_campaign as raw_campaign,
        posts.utm_content as raw_content,
        {{ utm_names_not_lower('posts.link_url') }} as has_upper_case_names,
        {{ utm_source_alias(utm_normalise('posts.utm_source'), 'aliases.source') }} as source,
        {{ utm_normalise('posts.utm_medium') }} as medium,
        {{ utm_normalise('posts.utm_content') }} as content,
        brand_posts.post_id is not null as content_names_a_post
    from {{ ref('dim_posts') }} as posts
    left join {{ ref('utm_source_aliases') }} as aliases
        on {{ utm_normalise('posts.utm_source') }} = aliases.alias
    left join brand_posts
        on posts.brand_id = brand_posts.brand_id
        and {{ utm_normalise('posts.utm_content') }} = brand_posts.post_id
    where posts.link_url is not null
        and coalesce(posts.utm_source, posts.utm_medium, posts.utm_campaign, posts.utm_content, posts.utm_term) is not null
),

visits as (
    select
        sessions.brand_id,
        sessions.session_date as event_date,
        sessions.session_key as subject_id,
        staged.raw_utm_source as raw_source,
        staged.raw_utm_medium as raw_medium,
        staged.raw_utm_campaign as raw_campaign,
        staged.raw_utm_content as raw_content,
        staged.has_upper_case_utm_names as has_upper_case_names,
        sessions.source,
        {{ utm_normalise('staged.raw_utm_medium') }} as medium,
        sessions.content,
        sessions.post_key is not null as content_names_a_post
    from {{ ref('fct_sessions') }} as sessions
    inner join {{ ref('stg_matomo__visits') }} as staged
        on sessions.site_id = staged.site_id and sessions.visit_id = staged.visit_id
    where sessions.utm_origin in ('plugin', 'landing_url')
        and coalesce(staged.raw_utm_source, staged.raw_utm_medium, staged.raw_utm_campaign, staged.raw_utm_content) is not null
),

tagged as (
    select 'post_link' as subject, links.* from links
    union all
    select 'visit' as subject, visits.* from visits
),

checked as (
    select
        tagged.*,
        mediums.content_convention,
        known_sources.source is not null as is_known_source,
        mediums.medium is not null as is_known_medium
    from tagged
    left join known_sources
        on tagged.source = known_sources.source
    left join mediums
        on tagged.medium = mediums.medium
),

issues as (
    {%- set rules = [
        ('missing_source', "raw_source is null"),
        ('unknown_source', "raw_source is not null and not is_known_source"),
        ('missing_medium', "raw_medium is null"),
        ('unknown_medium', "raw_medium is not null and not is_known_medium"),
        ('upper_case', "has_upper_case_names or raw_source <> lower(raw_source) or raw_medium <> lower(raw_medium) or raw_campaign <> lower(raw_campaign)"),
        ('missing_campaign', "raw_campaign is null"),
        ('missing_content', "content_convention = 'post_id' and content is null"),
        ('unknown_content', "content_convention = 'post_id' and content is not null and not content_names_a_post"),
    ] %}
    {%- for issue, condition in rules %}
    select subject, brand_id, event_date, subject_id, '{{ issue }}' as issue
    from checked
    where {{ condition }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

weeks as (
    select
        issues.*,
        {{ iso_week_start('event_date') }} as week_start,
        {{ iso_year(iso_week_start('event_date')) }} as iso_year,
        {{ iso_week_number('event_date') }} as iso_week
    from issues
)

select
    brand_id,
    week_start,
    iso_year,
    iso_week,
    subject,
    issue,
    count(*) as occurrences,
    {{ dbt.listagg('subject_id', "', '", 'order by subject_id', 3) }} as example_ids
from weeks
group by brand_id, week_start, iso_year, iso_week, subject, issue
