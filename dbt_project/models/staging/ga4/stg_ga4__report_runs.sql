-- One row per property and snapshot date: what the report covered, GA4's quota and flags.
-- The window's dates are days of the property's time zone (time_zone), like the session dates
-- they cover; snapshot_date is the run's UTC day (one row per run day). A sampled report
-- (is_sampled) holds estimates; restricted_metrics names the metrics the role could not see,
-- stored as NULL in traffic_daily.
with renamed as (
    select
        {{ dbt.cast('property_id', dbt.type_string()) }} as property_id,
        {{ dbt.cast('snapshot_date', 'date') }} as snapshot_date,
        {{ dbt.cast('brand_id', dbt.type_string()) }} as brand_id,
        {{ dbt.cast('start_date', 'date') }} as window_start_date,
        {{ dbt.cast('end_date', 'date') }} as window_end_date,
        {{ dbt.cast('row_count', dbt.type_bigint()) }} as row_count,
        {{ dbt.cast('currency_code', dbt.type_string()) }} as currency_code,
        {{ dbt.cast('time_zone', dbt.type_string()) }} as time_zone,
        {{ dbt.cast('tokens_per_day_consumed', dbt.type_bigint()) }} as tokens_per_day_consumed,
        {{ dbt.cast('tokens_per_day_remaining', dbt.type_bigint()) }} as tokens_per_day_remaining,
        {{ dbt.cast('tokens_per_hour_consumed', dbt.type_bigint()) }} as tokens_per_hour_consumed,
        {{ dbt.cast('tokens_per_hour_remaining', dbt.type_bigint()) }} as tokens_per_hour_remaining,
        {{ dbt.cast('data_loss_from_other_row', dbt.type_boolean()) }} as data_loss_from_other_row,
        {{ dbt.cast('subject_to_thresholding', dbt.type_boolean()) }} as subject_to_thresholding,
        {{ dbt.cast('sampled', dbt.type_boolean()) }} as is_sampled,
        {{ dbt.cast('samples_read_count', dbt.type_bigint()) }} as samples_read_count,
        {{ dbt.cast('sampling_space_size', dbt.type_bigint()) }} as sampling_space_size,
        {{ dbt.cast('restricted_metrics', dbt.type_string()) }} as restricted_metrics,
        {{ dbt.cast('other_rows', dbt.type_bigint()) }} as other_rows,
        {{ dbt.cast('restatement_days', dbt.type_bigint()) }} as restatement_days,
        {{ utc_timestamp('fetched_at') }} as fetched_at,
        {{ dlt_load_id(source('ga4', 'report_runs')) }} as dlt_load_id
    from {{ source('ga4', 'report_runs') }}
)
{{ deduplicate('renamed', 'property_id, snapshot_date', 'fetched_at desc') }}
