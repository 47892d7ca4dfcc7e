"""Local dates across DST changes and outside Europe, where the sources compute them in Python.

- GA4: the property's "today" that ends a report's window (``ReportMeta.local_date``);
- Matomo: the site-local day a visit is served under (``local_day``);
- YouTube: the next Pacific midnight, when the daily quota comes back (``quota_reset``).

The warehouse's local dates, weekdays and hours (dbt, macro ``utc_to_local``) are covered by
the dbt unit tests ``posts_local_date_weekday_and_hour_across_dst_and_outside_europe``
(models/intermediate/_intermediate__time_zone_unit_tests.yml) and
``inbound_local_date_across_dst_and_outside_europe``
(models/marts/reputation/_reputation__time_zone_unit_tests.yml), which ``dbt build`` runs
(tests/dbt/test_dbt_build.py).

Oracle: every expected date or instant is worked out by hand below from the zone's offsets
and its DST rule for 2025 (IANA tz database), never computed with zoneinfo.
"""

from datetime import UTC, date, datetime

import pytest

from ingestion.ga4.helpers import ReportMeta
from ingestion.matomo.helpers import local_day
from ingestion.youtube.helpers import quota_reset


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


LOCAL_DATES = [
    # Paris: CET +1, CEST +2 from 2025-03-30 01:00 UTC to 2025-10-26 01:00 UTC.
    ("Europe/Paris", "2025-03-29 23:30", date(2025, 3, 30)),  # 00:30 CET
    ("Europe/Paris", "2025-03-30 21:59", date(2025, 3, 30)),  # 23:59 CEST
    ("Europe/Paris", "2025-03-30 22:00", date(2025, 3, 31)),  # 00:00 CEST (23:00 UTC in winter)
    ("Europe/Paris", "2025-10-25 22:30", date(2025, 10, 26)),  # 00:30 CEST
    ("Europe/Paris", "2025-10-26 22:30", date(2025, 10, 26)),  # 23:30 CET
    # New York: EST -5, EDT -4 from 2025-03-09 07:00 UTC.
    ("America/New_York", "2025-03-09 04:59", date(2025, 3, 8)),  # 23:59 EST
    ("America/New_York", "2025-03-10 03:59", date(2025, 3, 9)),  # 23:59 EDT
    ("America/New_York", "2025-03-10 04:00", date(2025, 3, 10)),  # 00:00 EDT
    # Los Angeles: PDT -7 until 2025-11-02 09:00 UTC, PST -8 after.
    ("America/Los_Angeles", "2025-11-02 06:59", date(2025, 11, 1)),  # 23:59 PDT
    ("America/Los_Angeles", "2025-11-02 07:00", date(2025, 11, 2)),  # 00:00 PDT
    ("America/Los_Angeles", "2025-11-03 07:30", date(2025, 11, 2)),  # 23:30 PST
    ("America/Los_Angeles", "2025-06-02 03:00", date(2025, 6, 1)),  # 20:00 PDT
    # Tokyo: JST +9, no DST; the local date is a day ahead of UTC from 15:00 UTC.
    ("Asia/Tokyo", "2025-06-01 14:59", date(2025, 6, 1)),
    ("Asia/Tokyo", "2025-06-01 20:00", date(2025, 6, 2)),
    # Sydney: AEDT +11 until 2025-04-05 16:00 UTC, AEST +10 until 2025-10-04 16:00 UTC.
    ("Australia/Sydney", "2025-04-05 12:59", date(2025, 4, 5)),  # 23:59 AEDT
    ("Australia/Sydney", "2025-04-06 13:30", date(2025, 4, 6)),  # 23:30 AEST
    ("Australia/Sydney", "2025-04-06 14:00", date(2025, 4, 7)),  # 00:00 AEST
    ("Australia/Sydney", "2025-10-04 13:59", date(2025, 10, 4)),  # 23:59 AEST
    ("Australia/Sydney", "2025-10-05 13:00", date(2025, 10, 6)),  # 00:00 AEDT
]


@pytest.mark.parametrize(("zone", "instant", "expected"), LOCAL_DATES)
def test_ga4_property_today(zone: str, instant: str, expected: date) -> None:
    meta = ReportMeta()
    meta.add({"metadata": {"timeZone": zone}, "rowCount": 0})
    assert meta.local_date(utc(instant)) == expected


def test_ga4_property_without_a_usable_time_zone_dates_in_utc() -> None:
    meta = ReportMeta()
    meta.add({"metadata": {"timeZone": "Mars/Olympus_Mons"}, "rowCount": 0})
    assert meta.local_date(utc("2025-06-01 20:00")) == date(2025, 6, 1)


@pytest.mark.parametrize(("zone", "instant", "expected"), LOCAL_DATES)
def test_matomo_site_local_day(zone: str, instant: str, expected: date) -> None:
    assert local_day(utc(instant), zone) == expected


@pytest.mark.parametrize(
    ("now", "reset"),
    [
        ("2025-03-09 07:30", "2025-03-09 08:00"),  # 23:30 PST on the 8th -> midnight PST
        ("2025-03-09 12:00", "2025-03-10 07:00"),  # 05:00 PDT -> midnight PDT, 7 h later in UTC
        ("2025-11-02 06:30", "2025-11-02 07:00"),  # 23:30 PDT on the 1st -> midnight PDT
        ("2025-11-02 12:00", "2025-11-03 08:00"),  # 04:00 PST -> midnight PST
    ],
)
def test_youtube_quota_reset_at_pacific_midnight(now: str, reset: str) -> None:
    assert quota_reset(utc(now)) == utc(reset)
