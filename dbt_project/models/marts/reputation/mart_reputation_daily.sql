-- The reputation trend: one row per brand x local day, on a date spine from the brand's first
-- inbound item or review to the last day any brand has data (quiet days are rows of zeros, so
-- rolling windows count calendar days).
--   * ratings: fct_reviews by created_date_local; avg_rating_30d weights each review alike
--     over the day and the reputation_rating_window_days - 1 days before;
--   * volume: fct_inbound_items (comments, mentions, reviews) by received_date_local;
--     negative = sentiment_label 'negative' (reviews: rating 1-2); net sentiment over the
--     scored comments and mentions only;
--   * crisis_signal: negative_volume or negative_share above mean + z x stddev (population)
--     of the previous reputation_baseline_days days, on a day with at least
--     reputation_crisis_min_volume negative items and a baseline of at least
--     reputation_baseline_min_days days. A flat baseline (stddev 0) makes the threshold its
--     mean: the minimum volume is then the guard.
{%- set baseline_days = var('reputation_baseline_days') | int %}
{%- set min_days = var('reputation_baseline_min_days') | int %}
{%- set z = var('reputation_crisis_z') | float %}
{%- set min_volume = var('reputation_crisis_min_volume') | int %}
{%- set rating_days = var('reputation_rating_window_days') | int %}
{%- set social = "channel in (" ~ dbt.string_literal('comment') ~ ", " ~ dbt.string_literal('mention') ~ ")" %}
{%- set baseline_window = "over (partition by brand_id order by date_day rows between " ~ baseline_days ~ " preceding and 1 preceding)" %}
{%- set rating_window = "over (partition by brand_id order by date_day rows between " ~ (rating_days - 1) ~ " preceding and current row)" %}

with item_days as (
    select
        brand_id,
        received_date_local as date_day,
        count(*) as volume,
        sum(case when sentiment_label = {{ dbt.string_literal('negative') }} then 1 else 0 end)
            as negative_volume,
        sum(case when {{ social }} then 1 else 0 end) as comment_mention_items,
        sum(case when {{ social }} and sentiment_label is not null then 1 else 0 end)
            as scored_comment_mentions,
        sum(case when {{ social }} and sentiment_label = {{ dbt.string_literal('positive') }} then 1 else 0 end)
            as positive_comment_mentions,
        sum(case when {{ social }} and sentiment_label = {{ dbt.string_literal('negative') }} then 1 else 0 end)
            as negative_comment_mentions
    from {{ ref('fct_inbound_items') }}
    group by brand_id, received_date_local
),

review_days as (
    select
        brand_id,
        created_date_local as date_day,
        count(*) as reviews,
        sum(rating) as rating_sum,
        {%- for star in range(1, 6) %}
        sum(case when rating = {{ star }} then 1 else 0 end) as reviews_{{ star }}_star{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_reviews') }}
    group by brand_id, created_date_local
),

active_days as (
    select brand_id, date_day from item_days
    union all
    select brand_id, date_day from review_days
),

brand_starts as (
    select brand_id, min(date_day) as start_date
    from active_days
    group by brand_id
),

spine as (
    {{ date_spine_days("(select min(date_day) from active_days)", "(select max(date_day) from active_days)") }}
),

daily as (
    select
        brand_starts.brand_id,
        spine.date_day,
        coalesce(review_days.reviews, 0) as reviews,
        coalesce(review_days.rating_sum, 0) as rating_sum,
        {%- for star in range(1, 6) %}
        coalesce(review_days.reviews_{{ star }}_star, 0) as reviews_{{ star }}_star,
        {%- endfor %}
        coalesce(item_days.volume, 0) as volume,
        coalesce(item_days.negative_volume, 0) as negative_volume,
        coalesce(item_days.comment_mention_items, 0) as comment_mention_items,
        coalesce(item_days.scored_comment_mentions, 0) as scored_comment_mentions,
        coalesce(item_days.positive_comment_mentions, 0) as positive_comment_mentions,
        coalesce(item_days.negative_comment_mentions, 0) as negative_comment_mentions
    from brand_starts
    inner join spine
        on spine.date_day >= brand_starts.start_date
    left join item_days
        on brand_starts.brand_id = item_days.brand_id and spine.date_day = item_days.date_day
    left join review_days
        on brand_starts.brand_id = review_days.brand_id and spine.date_day = review_days.date_day
),

shares as (
    select
        *,
        case when volume > 0
            then {{ dbt.cast('negative_volume', type_double()) }} / volume
        end as negative_share
    from daily
),

windowed as (
    select
        *,
        sum(reviews) {{ rating_window }} as reviews_30d,
        sum(rating_sum) {{ rating_window }} as rating_sum_30d,
        count(*) {{ baseline_window }} as baseline_days,
        avg({{ dbt.cast('negative_volume', type_double()) }}) {{ baseline_window }} as negative_volume_baseline,
        stddev_pop({{ dbt.cast('negative_volume', type_double()) }}) {{ baseline_window }} as negative_volume_stddev,
        avg(negative_share) {{ baseline_window }} as negative_share_baseline,
        stddev_pop(negative_share) {{ baseline_window }} as negative_share_stddev
    from shares
),

thresholds as (
    select
        *,
        negative_volume_baseline + {{ z }} * negative_volume_stddev as negative_volume_threshold,
        negative_share_baseline + {{ z }} * negative_share_stddev as negative_share_threshold
    from windowed
),

signals as (
    select
        *,
        coalesce(baseline_days >= {{ min_days }} and negative_volume >= {{ min_volume }}
                 and negative_volume > negative_volume_threshold, false) as volume_above,
        coalesce(baseline_days >= {{ min_days }} and negative_volume >= {{ min_volume }}
                 and negative_share > negative_share_threshold, false) as share_above
    from thresholds
)

select
    brand_id,
    date_day,
    reviews,
    case when reviews > 0 then {{ dbt.cast('rating_sum', type_double()) }} / reviews end as avg_rating,
    reviews_1_star,
    reviews_2_star,
    reviews_3_star,
    reviews_4_star,
    reviews_5_star,
    reviews_30d,
    case when reviews_30d > 0 then {{ dbt.cast('rating_sum_30d', type_double()) }} / reviews_30d end
        as avg_rating_30d,
    volume,
    negative_volume,
    negative_share,
    comment_mention_items,
    scored_comment_mentions,
    positive_comment_mentions,
    negative_comment_mentions,
    case when scored_comment_mentions > 0
        then {{ dbt.cast('positive_comment_mentions - negative_comment_mentions', type_double()) }}
             / scored_comment_mentions
    end as net_sentiment,
    baseline_days,
    negative_volume_baseline,
    negative_volume_stddev,
    negative_volume_threshold,
    case when negative_volume_stddev > 0
        then (negative_volume - negative_volume_baseline) / negative_volume_stddev
    end as negative_volume_z,
    negative_share_baseline,
    negative_share_stddev,
    negative_share_threshold,
    case when negative_share_stddev > 0
        then (negative_share - negative_share_baseline) / negative_share_stddev
    end as negative_share_z,
    volume_above or share_above as crisis_signal,
    case
        when volume_above then {{ dbt.string_literal('negative_volume') }}
        when share_above then {{ dbt.string_literal('negative_share') }}
    end as crisis_metric
from signals
