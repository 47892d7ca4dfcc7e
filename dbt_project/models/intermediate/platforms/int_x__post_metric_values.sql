-- X public and non-public metrics per post, long format (post x snapshot x platform metric).
-- Names are the API's public_metrics fields.
{{ unpivot_metrics(ref('stg_x__post_metrics'), 'tweet_id', 'x', [
    'impression_count', 'like_count', 'reply_count', 'repost_count', 'quote_count',
    'bookmark_count',
]) }}
