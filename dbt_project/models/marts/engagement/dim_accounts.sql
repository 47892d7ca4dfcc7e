-- One row per social account (Facebook Page, Instagram business account) with its brand and
-- latest snapshot attributes. Public contract: columns are documented in _engagement__models.yml.
select
    account_id,
    platform,
    brand_id,
    account_name,
    username,
    latest_followers_count,
    first_snapshot_date,
    last_snapshot_date
from {{ ref('int_accounts') }}
