-- One row per social account of the six platforms (Facebook Page, Instagram business account,
-- LinkedIn organization, X user, YouTube channel, TikTok account) with its brand and latest
-- snapshot attributes. Public contract: columns are documented in _engagement__models.yml.
select
    accounts.account_id,
    accounts.platform,
    accounts.brand_id,
    brands.brand_name,
    brands.timezone,
    accounts.account_name,
    accounts.username,
    accounts.latest_followers_count,
    accounts.first_snapshot_date,
    accounts.last_snapshot_date
from {{ ref('int_accounts') }} as accounts
left join {{ ref('brands') }} as brands on accounts.brand_id = brands.brand_id
