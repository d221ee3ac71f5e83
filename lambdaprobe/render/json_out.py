"""The JSON form of a report: exactly one object, the CI contract (schema lambdaprobe.report/1, see report.py)."""

from __future__ import annotations

import json

from lambdaprobe.report import Report


def format(report: Report) -> str:
    """The report as one JSON object and a newline, nothing else: what `--output json` prints."""
    return json.dumps(report.to_json(), indent=2) + "\n"
