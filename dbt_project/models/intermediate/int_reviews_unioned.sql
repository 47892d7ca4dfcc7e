-- Google Business Profile and Trustpilot reviews in one shape, without text. The rating is
-- read from each API's own encoding: Google's starRating enum (ONE..FIVE; the API's
-- STAR_RATING_UNSPECIFIED -> NULL), Trustpilot's stars (1..5). The owner reply sits on the
-- review itself, so the response time is the reply's time (a reply timestamped before the
-- review is ignored). Google moves a review's updateTime when the owner replies, so a Google
-- review is edited only when updateTime is after both its creation and its reply.
with google as (
    select
        review_id,
        'google_business' as platform,
        brand_id,
        location_name as location_id,
        case star_rating_enum
            when 'ONE' then 1
            when 'TWO' then 2
            when 'THREE' then 3
            when 'FOUR' then 4
            when 'FIVE' then 5
        end as rating,
        coalesce(has_text, false) as has_text,
        {{ dbt.cast('null', dbt.type_string()) }} as language_tag,
        reviewer_name_hash as author_key,
        created_at,
        updated_at,
        replied_at,
        updated_at > created_at
            and (replied_at is null or updated_at > replied_at) as is_edited
    from {{ ref('stg_google_business__reviews') }}
),

trustpilot as (
    select
        review_id,
        'trustpilot' as platform,
        brand_id,
        business_unit_id as location_id,
        case when stars between 1 and 5 then stars end as rating,
        coalesce(has_text, false) as has_text,
        language_code as language_tag,
        consumer_key as author_key,
        created_at,
        updated_at,
        replied_at,
        coalesce(updated_at > created_at, false) as is_edited
    from {{ ref('stg_trustpilot__reviews') }}
),

unioned as (
    select * from google
    union all
    select * from trustpilot
)

select
    {{ dbt.concat(['platform', "':'", 'review_id']) }} as review_key,
    review_id,
    platform,
    brand_id,
    location_id,
    {{ dbt.cast('rating', dbt.type_int()) }} as rating,
    has_text,
    language_tag,
    author_key,
    created_at,
    updated_at,
    case when replied_at > created_at then replied_at end as first_response_at,
    is_edited
from unioned
