"""The Meta source when the Graph API refuses: one media's insights (skipped and quarantined,
the account still loads) or a permission of the token (the run fails, naming it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dlt
import pytest
import requests
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.meta import meta_source
from sandbox.server import run_in_thread
from tests.meta.conftest import query
from tests.sandbox.sandbox_support import TODAY, TOKEN

FAST = {"backoff_base_s": 0.01, "max_total_wait_s": 5.0}


@pytest.fixture(scope="module")
def planted_url(planted: tuple[Path, str, list[str]]) -> Iterator[str]:
    with run_in_thread(planted[0], faults="", today=TODAY) as url:
        yield url


def _load(url: str, tmp: Path, token: str, *resources: str) -> Path:
    db = tmp / "w.duckdb"
    pipeline = dlt.pipeline(
        "meta_refusals",
        destination=dlt.destinations.duckdb(str(db)),
        pipelines_dir=str(tmp / "pipelines"),
        dataset_name="raw_meta",
    )
    source = meta_source(
        access_token=token, pseudonymisation_key="k" * 32, base_url=f"{url}/meta", _http=FAST
    )
    if resources:
        source = source.with_resources(*resources)
    pipeline.run(source).raise_on_failed_jobs()
    return db


def test_refused_media_are_quarantined_and_the_account_still_loads(
    planted_url: str, planted: tuple[Path, str, list[str]], tmp_path: Path
) -> None:
    _, ig, refused = planted
    db = _load(planted_url, tmp_path, TOKEN, "instagram_media", "instagram_media_insights")
    truth = _manifest(planted_url)["accounts"][ig]
    loaded: dict[str, dict[str, int]] = {}
    for media_id, metric, value in query(
        db,
        "select media_id, metric, value from raw_meta.instagram_media_insights "
        f"where ig_user_id = '{ig}'",
    ):
        loaded.setdefault(media_id, {})[metric] = value
    assert loaded == truth["posts"]  # refused media: like_count and comments_count only
    for media_id in refused:
        assert set(loaded[media_id]) == {"like_count", "comments_count"}
    quarantined = query(
        db, "select resource, record_id, reason from raw_meta.quarantine order by record_id"
    )
    assert [(r[0], r[1]) for r in quarantined] == [
        ("instagram_media_insights", m) for m in sorted(refused)
    ]
    assert all("2108006" in r[2] for r in quarantined)
    media = {r[0] for r in query(db, "select media_id from raw_meta.instagram_media")}
    assert set(refused) <= media


@pytest.mark.parametrize(
    ("missing", "resource", "account"),
    [
        ("instagram_manage_insights", "instagram_media_insights", "instagram"),
        ("read_insights", "facebook_post_insights", "facebook"),
        ("pages_read_engagement", "facebook_pages", "facebook"),
        ("instagram_manage_comments", "instagram_comments", "instagram"),
    ],
)
def test_a_missing_permission_fails_the_run_naming_it(
    planted_url: str, tmp_path: Path, missing: str, resource: str, account: str
) -> None:
    with pytest.raises(PipelineStepFailed) as failed:
        _load(planted_url, tmp_path, f"{TOKEN}-without-{missing}", resource)
    message = str(failed.value)
    assert f"permission denied: the access token lacks {missing}" in message
    assert f"meta: account {account} " in message  # names the platform and the account


def _manifest(url: str) -> dict:
    answer = requests.get(
        f"{url}/_sandbox/manifest", params={"today": TODAY.isoformat()}, timeout=60
    )
    answer.raise_for_status()
    return answer.json()
