"""One self-contained HTML page per suite validation, for a person to open in a browser.

GX's own Data Docs need a file-backed context and describe one GX validation of one batch; our
runner validates a table in chunks (and its uniqueness on DuckDB's suspects only) with an
ephemeral context, then sums the chunks' results into a ``SuiteResult``. So the page is written
here from that sum: the suite, each expectation with its arguments, whether it held, what was
observed (unexpected rows of rows seen) and examples of failing values. No script, no external
file: it opens from disk, attached to a mail or a ticket as it is.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from data_quality.runner import ExpectationOutcome, SuiteResult
from data_quality.spec import Expect, Now, Suite

MAX_SHOWN_VALUES = 20
"""Longest list of argument values (a vocabulary) or examples shown in full on the page."""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.passed { color: #11702e; font-weight: bold; }
.failed { color: #b3141b; font-weight: bold; }
tr.failed-row { background: #fdecec; }
code { font-size: 0.9em; }
"""


def render(suite: Suite, result: SuiteResult, validated_at: datetime, run_id: str = "") -> str:
    """The page of one validation of ``suite`` that found ``result``."""
    expectations = {e.label: e for e in suite.expectations}
    status = _status(result.success)
    failing_first = sorted(result.outcomes, key=lambda o: o.success)
    rows = "\n".join(_row(o, expectations.get(o.label)) for o in failing_first)
    facts = [
        ("Table", f"<code>{escape(result.relation)}</code>"),
        ("Result", f"{status}: {len(result.failed)} of {len(result.outcomes)} expectations failed"),
        ("Rows validated", f"{result.rows:,}"),
        ("Validated at", escape(validated_at.isoformat(timespec="seconds"))),
        ("Severity", "blocking (stops what is downstream)" if suite.blocking else suite.severity),
        ("Dagster run", f"<code>{escape(run_id)}</code>" if run_id else "none"),
    ]
    fact_rows = "\n".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(suite.name)}: {"passed" if result.success else "FAILED"}</title>
<style>{_STYLE}</style></head>
<body>
<h1>Great Expectations suite <code>{escape(suite.name)}</code></h1>
<p>{escape(suite.description)}</p>
<table>{fact_rows}</table>
<h2>Expectations</h2>
<table>
<tr><th>Expectation</th><th>Arguments</th><th>Result</th><th>Observed</th>
<th>Failing examples</th></tr>
{rows}
</table>
</body></html>
"""


def _status(success: bool) -> str:
    return '<span class="passed">passed</span>' if success else '<span class="failed">FAILED</span>'


def _row(outcome: ExpectationOutcome, expectation: Expect | None) -> str:
    """One expectation's line: what it asks, whether it held, what was seen."""
    css = "" if outcome.success else ' class="failed-row"'
    arguments = _arguments(expectation.kwargs) if expectation else ""
    shown = outcome.sample[:MAX_SHOWN_VALUES]
    examples = ", ".join(f"<code>{escape(str(v))}</code>" for v in shown)
    return (
        f"<tr{css}><td><code>{escape(outcome.label)}</code></td><td>{arguments}</td>"
        f"<td>{_status(outcome.success)}</td><td>{_observed(outcome)}</td><td>{examples}</td></tr>"
    )


def _observed(outcome: ExpectationOutcome) -> str:
    """Unexpected rows of rows seen, with their share."""
    if not outcome.element_count:
        return f"{outcome.unexpected_count:,} unexpected (no rows)"
    share = 100 * outcome.unexpected_count / outcome.element_count
    return f"{outcome.unexpected_count:,} unexpected of {outcome.element_count:,} ({share:.2f}%)"


def _arguments(kwargs: dict[str, Any]) -> str:
    """The expectation's arguments other than its columns (already in its label)."""
    shown = {k: v for k, v in kwargs.items() if k not in ("column", "column_list")}
    return "<br>".join(
        f"{escape(k)}: <code>{escape(_value(v))}</code>" for k, v in shown.items() if v is not None
    )


def _value(value: Any) -> str:
    if isinstance(value, Now):
        grace = f" + {value.grace_days} days" if value.grace_days else ""
        return f"the time of validation{grace}"
    if isinstance(value, list | tuple | set) and len(value) > MAX_SHOWN_VALUES:
        items = list(value)
        return f"{items[:MAX_SHOWN_VALUES]} and {len(items) - MAX_SHOWN_VALUES} more"
    return str(value)
