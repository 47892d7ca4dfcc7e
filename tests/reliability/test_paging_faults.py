"""The sandbox's paging faults and fault bounds do what they say, seen from a plain HTTP
client (no source code involved): Google Business reviews (``pageToken`` paging) and TikTok's
video list (a cursor in a JSON body). The oracle is the world's manifest and the unfaulted
answers of the same requests."""

from __future__ import annotations

from typing import Any

import requests

from sandbox.paging_faults import mistype
from tests.sources.support import TODAY, Sandbox, vendor_truth

LOCATION = "accounts/110000000000000000001/locations/2100000000000000001"
GBP_TOKEN = "sandbox-google-business-token"


def reviews(sandbox: Sandbox, page_token: str | None = None, size: int = 20) -> dict[str, Any]:
    params: dict[str, Any] = {"pageSize": size}
    if page_token:
        params["pageToken"] = page_token
    resp = requests.get(
        f"{sandbox.url}/google_business/v4/{LOCATION}/reviews",
        params=params,
        headers={"Authorization": f"Bearer {GBP_TOKEN}"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def names(page: dict[str, Any]) -> list[str]:
    return [r["name"] for r in page.get("reviews", [])]


def test_short_pages_hold_half_the_items_and_lose_none(sandbox: Sandbox, world: Any) -> None:
    want = vendor_truth(world, "google_business", TODAY)["locations"][LOCATION]["review_names"]
    assert len(want) > 40  # several pages of 20
    sandbox.set_faults("short_page=1")
    got, token, sizes = [], None, []
    while True:
        page = reviews(sandbox, token)
        sizes.append(len(names(page)))
        got += names(page)
        token = page.get("nextPageToken")
        if not token:
            break
    assert max(sizes) == 10  # half of the 20 asked, with a next page each time
    assert sorted(got) == sorted(want)  # nothing dropped, nothing twice
    assert sandbox.fired()["short_page"] == len(sizes)


def test_a_repeated_page_is_the_previous_one_served_once(sandbox: Sandbox) -> None:
    first = reviews(sandbox)
    second = reviews(sandbox, first["nextPageToken"])  # the real page 2, faults off
    sandbox.set_faults("repeat_page=1,max_fires=1")
    assert reviews(sandbox) == first
    assert reviews(sandbox, first["nextPageToken"]) == first  # page 1 again in place of 2
    assert reviews(sandbox, first["nextPageToken"]) == second  # once only
    assert sandbox.fired()["repeat_page"] == 1


def test_a_looping_cursor_leads_back_to_the_first_page_forever(sandbox: Sandbox) -> None:
    sandbox.set_faults("loop_cursor=1,max_fires=1")
    first = reviews(sandbox)
    token = first["nextPageToken"]
    for _ in range(3):  # the page after page 1 is page 1, whose next is the same token
        page = reviews(sandbox, token)
        assert page == first and page["nextPageToken"] == token
    assert sandbox.fired()["loop_cursor"] == 3
    sandbox.set_faults("off")
    assert names(reviews(sandbox, token)) != names(first)  # the loop was the fault's


def _types(node: Any, path: str = "") -> dict[str, str]:
    """Every leaf's path and JSON type name."""
    if isinstance(node, dict):
        return {k: v for key, val in node.items() for k, v in _types(val, f"{path}.{key}").items()}
    if isinstance(node, list):
        return {k: v for i, val in enumerate(node) for k, v in _types(val, f"{path}[{i}]").items()}
    return {path: type(node).__name__}


def test_wrong_type_changes_one_field_of_one_record(sandbox: Sandbox) -> None:
    clean = reviews(sandbox)
    sandbox.set_faults("wrong_type=1,max_fires=1")
    broken = reviews(sandbox)
    before, after = _types(clean), _types(broken)
    changed = {k for k in before if before[k] != after[k]}
    assert len(changed) == 1 and next(iter(changed)).startswith(".reviews[0].")
    assert reviews(sandbox) == clean  # once only
    assert sandbox.fired()["wrong_type"] == 1


def test_mistype_retypes_an_id_then_a_number_then_digits_keeping_the_value() -> None:
    page = {"data": [{"id": "17", "stats": {"likes": 3}}, {"id": "18"}]}
    assert mistype(page) == "id: '17' -> 17"
    assert page["data"] == [{"id": 17, "stats": {"likes": 3}}, {"id": "18"}]
    page = {"items": [{"videoId": "abc", "title": "t", "stats": {"viewCount": 12}}]}
    assert mistype(page) == "viewCount: 12 -> '12'"
    report = {"dimensionHeaders": [{"name": "date"}], "rows": [{"values": [{"value": "20251110"}]}]}
    assert mistype(report) == "value: '20251110' -> 20251110"  # the rows, not the headers
    assert mistype({"items": [{"title": "t", "ok": True}]}) == "ok: True -> 'true'"
    assert mistype({"items": [{"title": "t"}]}) is None and mistype({"items": []}) is None


def test_short_page_halves_a_page_size_sent_in_a_json_body(sandbox: Sandbox) -> None:
    open_id = next(iter(vendor_truth(sandbox.world, "tiktok", TODAY)["accounts"]))

    def videos() -> dict[str, Any]:
        resp = requests.post(
            f"{sandbox.url}/tiktok/v2/video/list/",
            params={"fields": "id,create_time"},
            json={"max_count": 10},
            headers={"Authorization": f"Bearer sandbox-tiktok-token-{open_id}"},
            timeout=30,
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["data"]

    assert len(videos()["videos"]) == 10
    sandbox.set_faults("short_page=1")
    data = videos()
    assert len(data["videos"]) == 5 and data["has_more"]


def test_error_faults_fire_as_a_bounded_burst_after_skipped_requests(sandbox: Sandbox) -> None:
    sandbox.set_faults("server_error=1,max_fires=3,skip=2")
    url = f"{sandbox.url}/google_business/v4/{LOCATION}/reviews"
    headers = {"Authorization": f"Bearer {GBP_TOKEN}"}
    codes = [requests.get(url, headers=headers, timeout=30).status_code for _ in range(7)]
    assert codes[:2] == [200, 200] and all(c >= 500 for c in codes[2:5]) and codes[5:] == [200] * 2
    assert sandbox.fired()["server_error"] == 3
