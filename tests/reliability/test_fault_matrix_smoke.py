"""A slice of the fault matrix (``python -m reliability`` runs all of it): a few cells run in
this process against the shared sandbox, the oracle shown able to see a lost and a doubled
record, and the report written between RELIABILITY.md's markers."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from reliability.cells import is_clear, run_cell
from reliability.plan import fault_named
from reliability.report import END, START, markdown, write_json, write_markdown
from reliability.truth import compare, expected_records
from tests.sources.support import TODAY, Sandbox, vendor_truth


@pytest.mark.parametrize(
    ("source", "fault", "outcome"),
    [
        ("tiktok", "server_error", "ok"),  # retried through the burst
        ("trustpilot", "loop_cursor", "recovered"),  # the loop detector stops it, a rerun loads
        ("linkedin", "short_page", "not_fired"),  # offset paging: never reported as ok
        # a post quarantined for a wrong type: its comments are still read, none lost
        ("linkedin", "wrong_type", "ok"),
    ],
)
def test_cells_are_classified(
    world: Path, sandbox: Sandbox, tmp_path: Path, source: str, fault: str, outcome: str
) -> None:
    result = run_cell(sandbox, world, source, fault_named(fault), tmp_path)
    assert result.outcome == outcome, result
    counts = result.records
    assert counts.lost == counts.duplicated == counts.unexpected == 0
    assert counts.expected == counts.loaded + counts.quarantined > 0
    if outcome == "recovered":
        assert result.rerun and is_clear(source, result.error)
        assert "paging loop" in result.error and result.fired["loop_cursor"] > 0


def test_the_oracle_sees_a_lost_and_a_doubled_record(
    world: Path, sandbox: Sandbox, tmp_path: Path
) -> None:
    result = run_cell(sandbox, world, "tiktok", fault_named("none"), tmp_path)
    assert result.outcome == "ok"
    db = tmp_path / "w.duckdb"
    ids = [
        v for a in vendor_truth(world, "tiktok", TODAY)["accounts"].values() for v in a["video_ids"]
    ]
    with duckdb.connect(str(db)) as con:  # damage the load by hand: one row gone, one twice
        con.execute("delete from raw_tiktok.tiktok_videos where video_id = ?", [ids[0]])
        con.execute(
            "insert into raw_tiktok.tiktok_videos select * from raw_tiktok.tiktok_videos "
            "where video_id = ?",
            [ids[1]],
        )
    tally = compare(db, "tiktok", expected_records(world, "tiktok", TODAY, TODAY))
    assert (tally.lost, tally.duplicated, tally.unexpected) == (1, 1, 0)
    assert tally.expected == len(ids)


def test_clear_errors_name_source_account_and_cause() -> None:
    assert is_clear("x", "x: account 1460000000000000001: paging loop at token 'abc'")
    assert not is_clear("x", "KeyError: 'data'")
    assert not is_clear("x", "meta: account 1: the Meta access token expired")
    assert not is_clear("x", "x: account 1: ")


def test_the_report_replaces_only_what_lies_between_the_markers(tmp_path: Path) -> None:
    cell = {
        "source": "x", "fault": "reset", "outcome": "defect", "expected": 3, "loaded": 2,
        "lost": 1, "duplicated": 0, "unexpected": 0, "quarantined": 0,
        "fired": {"reset": 2}, "error": "", "detail": "posts: 1 lost", "rerun": False,
        "seconds": 1.5,
    }  # fmt: skip
    page = tmp_path / "RELIABILITY.md"
    page.write_text(f"# Intro\n\n{START}\nold table\n{END}\n\nProse after.\n")
    write_markdown(page, markdown([cell], 75.0, ["reset"]))
    text = page.read_text()
    assert text.startswith("# Intro\n") and text.endswith("\n\nProse after.\n")
    assert "old table" not in text and "| x | **defect** |" in text
    assert "1 min 15 s" in text and "records lost 1" in text
    write_json(tmp_path / "r.json", [cell], 75.0, "world.duckdb")
    saved = json.loads((tmp_path / "r.json").read_text())
    assert saved["summary"]["outcomes"]["defect"] == 1 and saved["cells"] == [cell]
