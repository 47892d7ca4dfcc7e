-- LinkedIn share statistics per post, long format (post x snapshot x platform metric).
-- Names are the API's totalShareStatistics fields.
{{ unpivot_metrics(ref('stg_linkedin__post_statistics'), 'post_urn', 'linkedin', {
    'impressionCount': 'impressions',
    'uniqueImpressionsCount': 'unique_impressions',
    'clickCount': 'clicks',
    'likeCount': 'likes',
    'commentCount': 'comments',
    'shareCount': 'shares',
}) }}
