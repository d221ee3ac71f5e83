"""The JSON report: exactly one object, the CI contract of ARCHITECTURE.md."""

from __future__ import annotations

import json

from lambdaprobe.report import Report


def format(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"
