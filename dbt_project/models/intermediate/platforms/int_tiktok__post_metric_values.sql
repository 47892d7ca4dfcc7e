-- TikTok video metrics, long format (post x snapshot x platform metric). Names are the
-- Display API's video fields.
{{ unpivot_metrics(ref('stg_tiktok__video_metrics'), 'video_id', 'tiktok', [
    'view_count', 'like_count', 'comment_count', 'share_count',
]) }}
