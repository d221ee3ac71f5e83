"""The JSON (`lambdaprobe.explain/1`) and SARIF 2.1.0 forms of an explanation."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import PurePath
from typing import Any

import lambdaprobe
from lambdaprobe.explain import Explanation
from lambdaprobe.explain.checks import BY_ID, CATALOGUE, Finding
from lambdaprobe.explain.journeys import Journey
from lambdaprobe.explain.model import Location

SCHEMA = "lambdaprobe.explain/1"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"warning": "warning", "error": "error"}


def _location(loc: Location) -> dict[str, Any]:
    return {"resource": loc.resource, "file": loc.file, "line": loc.line, "arn": loc.arn}


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "severity": f.severity,
        "function": f.function,
        "message": f.message,
        "location": _location(f.location),
        "url": f.url,
        "rules": list(BY_ID[f.id].rules),
    }


def journey_json(j: Journey) -> dict[str, Any]:
    return {
        "way": j.way,
        "title": j.title,
        "answer": j.answer,
        "rules": list(j.rules),
        "command": " ".join(("lambdaprobe", *j.command)) if j.command else None,
        "caveats": list(j.caveats),
        "not_run": j.not_run,
        "report": j.report.to_json() if j.report is not None else None,
    }


def to_json(explanation: Explanation, permissions: tuple[str, ...] = ()) -> dict[str, Any]:
    c = explanation.configuration
    return {
        "schema": SCHEMA,
        "source": c.source,
        "origin": c.origin,
        "account": asdict(c.account),
        "functions": [
            {
                "name": e.function.name,
                "configuration": asdict(e.function),
                "journeys": [journey_json(j) for j in e.journeys],
                "findings": [f.id for f in e.findings],
            }
            for e in explanation.functions
        ],
        "findings": [finding_json(f) for f in explanation.findings],
        "unresolved": [{"key": u.key, "what": u.what, "location": _location(u.location)} for u in c.unresolved],
        "permissions": list(permissions),
    }


def format_json(explanation: Explanation, permissions: tuple[str, ...] = ()) -> str:
    return json.dumps(to_json(explanation, permissions), indent=2) + "\n"


def _sarif_location(loc: Location) -> dict[str, Any]:
    if loc.file is not None:
        path = PurePath(loc.file)
        artifact: dict[str, Any] = {"uri": path.as_posix()}
        if not path.is_absolute():
            artifact["uriBaseId"] = "%SRCROOT%"  # relative to where it was run: the repository's root in CI
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if loc.line:
            physical["region"] = {"startLine": loc.line}
        return {"physicalLocation": physical, "logicalLocations": [{"name": loc.resource, "kind": "resource"}]}
    return {
        "logicalLocations": [{"name": loc.resource, "fullyQualifiedName": loc.arn or loc.resource, "kind": "resource"}]
    }


def to_sarif(explanation: Explanation) -> dict[str, Any]:
    index = {c.id: i for i, c in enumerate(CATALOGUE)}
    rules = [
        {
            "id": c.id,
            "name": c.id.removeprefix("explain."),
            "shortDescription": {"text": c.title},
            "helpUri": c.url,
            "defaultConfiguration": {"level": SARIF_LEVEL[c.severity]},
            "properties": {"lambdaprobeRules": list(c.rules)},
        }
        for c in CATALOGUE
    ]
    results = [
        {
            "ruleId": f.id,
            "ruleIndex": index[f.id],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.function}: {f.message} ({f.url})"},
            "locations": [_sarif_location(f.location)],
        }
        for f in explanation.findings
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "lambdaprobe", "version": lambdaprobe.__version__, "rules": rules}},
                "results": results,
            }
        ],
    }


def format_sarif(explanation: Explanation) -> str:
    return json.dumps(to_sarif(explanation), indent=2) + "\n"
