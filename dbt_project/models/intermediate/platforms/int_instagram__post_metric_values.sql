-- Instagram media insights, long format (post x snapshot x platform metric).
select
    media_id as post_id,
    'instagram' as platform,
    snapshot_date,
    metric as platform_metric,
    metric_value,
    'snapshot' as value_source
from {{ ref('stg_meta__instagram_media_insights') }}
